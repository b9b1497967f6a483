import ArgumentParser
import Foundation
import Tokenkit

/// `tokenkit bench`: encode (or decode, or pre-tokenization) throughput, load time and memory;
/// the contract of `shared/bin/bench` and the building block of `scripts/benchmark.py`.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure encoding throughput, loading time and memory.",
        discussion: """
        Encodes every "text" of --warmup untimed, on each of the --threads workers (each worker's
        caches fill as in a long-running process), then every "text" of --input timed, without special tokens, and prints
        {"bytes": B, "tokens": T, "seconds": S, "cpu_seconds": C, "load_seconds": L, "rss_mb": M, "threads": N} for --input
        (S and C, the CPU time of all threads, cover the timed stage only; M is the resident memory right after loading). Without --warmup
        the caches start empty: a cold start.

        --stage pretokenize times the pre-tokenizer alone (tokens then counts pieces); --stage decode
        encodes untimed and times decoding the ids back to text (bytes are still the text's).
        --synthetic KIND:SIZE replaces --input with one generated text of SIZE bytes (suffixes K, M):
        word (one word, no spaces), repeat (one character), digits, latin1 (random bytes read as
        Latin-1), to check that time grows linearly with input size.

        Examples:
          tokenkit bench --encoding cl100k_base --warmup warm.jsonl --input chunks.jsonl --json
          tokenkit bench --tokenizer o200k_base.tiktoken --input chunks.jsonl --threads 2
          tokenkit bench --tokenizer o200k_base.tiktoken --input chunks.jsonl --stage decode
          tokenkit bench --encoding cl100k_base --synthetic word:1M
          tokenkit bench --tokenizer tokenizer.json --inference least-tokens --input chunks.jsonl
        """)

    /// What the timed pass measures.
    enum Stage: String, ExpressibleByArgument, CaseIterable {
        case encode, pretokenize, decode
    }

    @OptionGroup var source: TokenizerOptions

    @Option(name: .long, help: "JSON Lines texts encoded before timing starts.")
    var warmup: String?

    @Option(name: .long, help: "JSON Lines texts to time.")
    var input: String?

    @Option(name: .long, help: "A generated input instead of --input: word, repeat, digits or latin1, with a size (word:1M).")
    var synthetic: String?

    @Option(name: .long, help: "Worker threads (1: single-threaded; 0: one per core).")
    var threads: Int = 1

    @Option(name: .long, help: "What to time: encode (default), pretokenize or decode.")
    var stage: Stage = .encode

    @Flag(name: .long, help: "Print the result as JSON (the default output format).")
    var json = false

    @Option(name: .long, help: "Segment with another inference method (see encode --inference); building it counts as loading.")
    var inference: String?

    @Option(name: .long, help: "With --inference unigram: token log-probabilities estimated from this text file (see encode).")
    var unigramScoresFrom: String?

    func validate() throws {
        guard (input == nil) != (synthetic == nil) else {
            throw ValidationError("give exactly one of --input and --synthetic")
        }
    }

    func run() throws {
        let loadStart = DispatchTime.now()
        var tokenizer = try source.load()
        if let inference {
            guard let method = InferenceMethod(rawValue: inference) else {
                throw CLIError.badInput("--inference: expected one of \(InferenceMethod.allCases.map(\.rawValue).joined(separator: ", ")), got \(inference)")
            }
            if unigramScoresFrom != nil && method != .unigram { throw CLIError.badInput("--unigram-scores-from needs --inference unigram") }
            let scores = try unigramScoresFrom.map { try InferenceOptions.unigramScores(from: $0, tokenizer) }
            do { tokenizer = try tokenizer.with(inference: method, unigramScores: scores) } catch { throw CLIError.badInput(error.description) }
        }
        let loadSeconds = Self.seconds(since: loadStart)
        let residentMB = Double(ProcessUsage.residentBytes()) / 1_048_576
        // The texts are read after loading, so that the resident memory is the tokenizer's.
        let texts: [String]
        if let synthetic {
            texts = [try Self.syntheticText(synthetic)]
        } else {
            texts = try Self.readTexts(input!)
        }
        let warmupTexts = try warmup.map(Self.readTexts) ?? []
        do {
            let (tokens, seconds, cpuSeconds, faults): (Int, Double, Double, Int)
            switch stage {
            case .encode:
                try Self.warmUp(tokenizer, warmupTexts, threads: threads)
                (tokens, seconds, cpuSeconds, faults) = try Self.timed { try Self.timedEncode(texts, tokenizer, threads: threads) }
            case .pretokenize:
                (tokens, seconds, cpuSeconds, faults) = try Self.timed {
                    var pieces = 0
                    for text in texts {
                        guard let n = tokenizer.benchmarkPreTokenization(text) else {
                            throw CLIError.badInput("--stage pretokenize: this tokenizer has no fast pre-tokenization path")
                        }
                        pieces += n
                    }
                    return pieces
                }
            case .decode:
                let ids = try tokenizer.encodeBatchIDs(warmupTexts + texts, addSpecialTokens: false, threads: threads,
                                                       allowedSpecial: .none, disallowedSpecial: .none)
                _ = try tokenizer.decodeBatch(Array(ids.prefix(warmupTexts.count)), threads: threads)
                let timed = Array(ids.suffix(texts.count))
                var decoded: [String] = []
                (_, seconds, cpuSeconds, faults) = try Self.timed {
                    decoded = try tokenizer.decodeBatch(timed, threads: threads)
                    return 0
                }
                tokens = timed.reduce(0) { $0 + $1.count }
                guard decoded.count == texts.count else { throw CLIError.badInput("decoding lost texts") }
            }
            let bytes = texts.reduce(0) { $0 + $1.utf8.count }
            var writer = JSONWriter()
            writer.beginObject()
            writer.appendKey("bytes"); writer.appendInt(bytes)
            writer.appendKey("tokens"); writer.appendInt(tokens)
            writer.appendKey("seconds"); writer.appendDouble(seconds)
            writer.appendKey("cpu_seconds"); writer.appendDouble(cpuSeconds)
            writer.appendKey("page_faults"); writer.appendInt(faults)
            writer.appendKey("load_seconds"); writer.appendDouble(loadSeconds)
            writer.appendKey("rss_mb"); writer.appendDouble((residentMB * 10).rounded() / 10)
            writer.appendKey("threads"); writer.appendInt(threads)
            writer.appendKey("stage"); writer.appendString(stage.rawValue)
            writer.endObject()
            writer.appendNewline()
            StandardStreams.write(writer.bytes)
        } catch let error as TokenizationError {
            throw CLIError.badInput(error.description)
        }
    }

    /// Encodes every warm-up text on every worker thread: caches are per thread, and in a
    /// long-running process each worker's cache has seen plenty of text, not a share of it.
    static func warmUp(_ tokenizer: Tokenizer, _ texts: [String], threads: Int) throws {
        let workers = threads > 0 ? threads : ProcessInfo.processInfo.activeProcessorCount
        let failures = UnsafeMutableBufferPointer<TokenizationError?>.allocate(capacity: workers)
        failures.initialize(repeating: nil)
        defer { failures.deallocate() }
        nonisolated(unsafe) let slots = failures
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            do throws(TokenizationError) {
                for text in texts {
                    _ = try tokenizer.encodeIDs(text, addSpecialTokens: false, allowedSpecial: .none, disallowedSpecial: .none)
                }
            } catch {
                slots[worker] = error
            }
        }
        if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
    }

    /// Runs `body` (which returns a count) and measures its wall-clock and CPU time and its
    /// minor page faults.
    static func timed(_ body: () throws -> Int) rethrows -> (Int, Double, Double, Int) {
        let faultsStart = ProcessUsage.minorFaults()
        let cpuStart = ProcessUsage.cpuSeconds()
        let start = DispatchTime.now()
        let count = try body()
        let seconds = seconds(since: start)
        return (count, seconds, ProcessUsage.cpuSeconds() - cpuStart, ProcessUsage.minorFaults() - faultsStart)
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    /// The timed pass, kept out of line so that profilers can isolate it
    /// (`valgrind --tool=callgrind --toggle-collect='*timedEncode*'`).
    @inline(never)
    static func timedEncode(_ texts: [String], _ tokenizer: Tokenizer, threads: Int) throws -> Int {
        let results = try tokenizer.encodeBatchIDs(texts, addSpecialTokens: false, threads: threads, allowedSpecial: .none, disallowedSpecial: .none)
        return results.reduce(0) { $0 + $1.count }
    }

    static func readTexts(_ path: String) throws -> [String] {
        let bytes = try StandardStreams.readFile(path)
        var texts: [String] = []
        for (i, line) in StandardStreams.lines(bytes).enumerated() {
            let document: JSONDocument
            do { document = try JSONDocument(bytes: Array(line)) } catch { throw CLIError.badInput("\(path): line \(i + 1): invalid JSON: \(error)") }
            guard let text = document.root["text"]?.string else {
                throw CLIError.badInput("\(path): line \(i + 1): field text: expected a string")
            }
            texts.append(text)
        }
        return texts
    }

    /// A generated worst-case text: `KIND:SIZE` with SIZE in bytes (K and M suffixes: 1024s).
    static func syntheticText(_ spec: String) throws -> String {
        let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let size = parseSize(parts[1]), size > 0 else {
            throw CLIError.badInput("--synthetic: expected KIND:SIZE such as word:1M, found \(spec.debugDescription)")
        }
        var generator = SplitMix64(seed: 42)
        switch parts[0] {
        case "word":
            // Letters only: one piece for every split pattern, merged as a whole.
            let letters = Array("abcdefghijklmnopqrstuvwxyz".utf8)
            return String(decoding: (0..<size).map { _ in letters[Int(generator.next() % 26)] }, as: UTF8.self)
        case "repeat":
            return String(repeating: "a", count: size)
        case "digits":
            let digits = Array("0123456789".utf8)
            return String(decoding: (0..<size).map { _ in digits[Int(generator.next() % 10)] }, as: UTF8.self)
        case "latin1":
            // Random bytes read as Latin-1: every code point up to U+00FF, two UTF-8 bytes above 0x7F.
            var scalars = String.UnicodeScalarView()
            var bytes = 0
            while bytes < size {
                let scalar = Unicode.Scalar(UInt8(truncatingIfNeeded: generator.next()))
                scalars.append(scalar)
                bytes += scalar.value < 0x80 ? 1 : 2
            }
            return String(scalars)
        default:
            throw CLIError.badInput("--synthetic: unknown kind \(parts[0].debugDescription); expected word, repeat, digits or latin1")
        }
    }

    static func parseSize(_ text: String) -> Int? {
        let upper = text.uppercased()
        if upper.hasSuffix("M") { return Int(upper.dropLast()).map { $0 << 20 } }
        if upper.hasSuffix("K") { return Int(upper.dropLast()).map { $0 << 10 } }
        return Int(upper)
    }
}

/// A small deterministic generator for synthetic inputs (the same text on every machine).
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The CPU time and resident memory of this process.
enum ProcessUsage {
    /// User plus system CPU time of the whole process so far, all threads.
    static func cpuSeconds() -> Double {
        let usage = self.usage()
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// Page faults served without I/O so far (mostly first touches of fresh memory, each a
    /// kernel entry and a page cleared: they show when a pass's time is the allocator's).
    static func minorFaults() -> Int { usage().ru_minflt }

    private static func usage() -> rusage {
        var usage = rusage()
        #if os(Linux)
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return rusage() }
        #else
        guard getrusage(RUSAGE_SELF, &usage) == 0 else { return rusage() }
        #endif
        return usage
    }

    static func residentBytes() -> Int {
        #if os(Linux)
        // /proc/self/statm: size resident shared ... (in pages).
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
        #elseif canImport(Darwin)
        var info = mach_task_basic_info()
        var count = mach_msg_type_number_t(MemoryLayout<mach_task_basic_info>.size / MemoryLayout<natural_t>.size)
        let result = withUnsafeMutablePointer(to: &info) {
            $0.withMemoryRebound(to: integer_t.self, capacity: Int(count)) {
                task_info(mach_task_self_, task_flavor_t(MACH_TASK_BASIC_INFO), $0, &count)
            }
        }
        return result == KERN_SUCCESS ? Int(info.resident_size) : 0
        #else
        return 0
        #endif
    }
}
