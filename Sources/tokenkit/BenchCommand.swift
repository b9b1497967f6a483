import ArgumentParser
import Foundation
import Tokenkit

/// `tokenkit bench`: encode throughput, the contract of `shared/bin/bench`.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure encoding throughput on JSON Lines texts.",
        discussion: """
        Encodes every "text" of --warmup untimed (caches fill as in a long-running process), then every
        "text" of --input timed, without special tokens, and prints
        {"bytes": B, "tokens": T, "seconds": S, "load_seconds": L} for --input (S covers encoding only).

        Example:
          tokenkit bench --encoding cl100k_base --input chunks.jsonl --threads 2 --json
        """)

    @OptionGroup var source: TokenizerOptions

    @Option(name: .long, help: "JSON Lines texts encoded before timing starts.")
    var warmup: String?

    @Option(name: .long, help: "JSON Lines texts to time.")
    var input: String

    @Option(name: .long, help: "Worker threads (1: single-threaded; 0: one per core).")
    var threads: Int = 1

    @Flag(name: .long, help: "Print the result as JSON (the default output format).")
    var json = false

    @Option(name: .long, help: "What to time: encode (default) or pretokenize (split into pieces only; 'tokens' counts pieces).")
    var stage: String = "encode"

    func run() throws {
        let texts = try Self.readTexts(input)
        let warmupTexts = try warmup.map(Self.readTexts) ?? []
        let loadStart = DispatchTime.now()
        let tokenizer = try source.load()
        let loadSeconds = Double(DispatchTime.now().uptimeNanoseconds - loadStart.uptimeNanoseconds) / 1e9
        do {
            let tokens: Int
            let start: DispatchTime
            switch stage {
            case "encode":
                _ = try tokenizer.encodeBatchIDs(warmupTexts, addSpecialTokens: false, threads: threads, allowedSpecial: .none, disallowedSpecial: .none)
                start = DispatchTime.now()
                tokens = try Self.timedEncode(texts, tokenizer, threads: threads)
            case "pretokenize":
                start = DispatchTime.now()
                var pieces = 0
                for text in texts {
                    guard let n = tokenizer.benchmarkPreTokenization(text) else { throw CLIError.badInput("this tokenizer has no fast pre-tokenization path") }
                    pieces += n
                }
                tokens = pieces
            default:
                throw CLIError.badInput("--stage: expected encode or pretokenize, got \(stage)")
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            let bytes = texts.reduce(0) { $0 + $1.utf8.count }
            var writer = JSONWriter()
            writer.beginObject()
            writer.appendKey("bytes"); writer.appendInt(bytes)
            writer.appendKey("tokens"); writer.appendInt(tokens)
            writer.appendKey("seconds"); writer.appendDouble(seconds)
            writer.appendKey("load_seconds"); writer.appendDouble(loadSeconds)
            writer.appendKey("threads"); writer.appendInt(threads)
            writer.endObject()
            writer.appendNewline()
            StandardStreams.write(writer.bytes)
        } catch let error as TokenizationError {
            throw CLIError.badInput(error.description)
        }
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
}
