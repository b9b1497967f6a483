// Performance notes: a corpus is read in 1 MiB blocks (`CorpusReader`, lines found with memchr)
// and measured in batches of at most 65,536 lines or 4 MiB, cut into 4 slices per worker taken
// on demand (lines vary from 2 to 2,000 bytes). Workers return their token ids and the calling
// thread counts them into one array indexed by id: per-worker count arrays of a 200k vocabulary
// cost more to allocate and merge than the single pass over the ids (a few ns a token). Each
// whitespace word is encoded again alone for the continued-word rate, which is about a third of
// the time. Measured with cl100k_base on two cores (release): 96 MB in 16 s at 64 MB resident,
// against 56 MB for an 8 MB file; the six shared tokenizers on all shared corpora in 1.5 minutes
// (3.5 on cores shared with other builds).
// Rejected: filling the read buffer with `append(contentsOf: repeatElement(0, count:))`, which
// the debug build runs element by element (seconds per file).

import Foundation
import Tokenkit

/// A tokenizer under evaluation and the name the report gives it.
public struct EvaluatedTokenizer: Sendable {
    /// The label shown in every table and chart (unique within one evaluation).
    public var label: String
    /// Where it came from: a file path or a built-in encoding's name.
    public var source: String
    /// The tokenizer, without truncation or padding: a file may ship with them configured
    /// (BERT models pad to 128 tokens), and they would change every count.
    public var tokenizer: Tokenizer

    public init(label: String, source: String, tokenizer: Tokenizer) {
        self.label = label
        self.source = source
        self.tokenizer = tokenizer.truncation == nil && tokenizer.padding == nil ? tokenizer : tokenizer.with(truncation: nil, padding: nil)
    }

    /// Report labels for tokenizer files: the file name without its format's extension
    /// (`.tokenizer.json`, `.json`, `.tiktoken`, `.model`, `.gguf`); names that collide keep their
    /// whole file name, and names still equal get `#2`, `#3`, ….
    public static func labels(forSources sources: [String]) -> [String] {
        func base(_ path: String) -> String { (path as NSString).lastPathComponent }
        func stem(_ path: String) -> String {
            let name = base(path)
            for suffix in [".tokenizer.json", ".json", ".tiktoken", ".model", ".gguf"] where name.lowercased().hasSuffix(suffix) && name.count > suffix.count {
                return String(name.dropLast(suffix.count))
            }
            return name
        }
        let stems = sources.map(stem)
        var labels = stems
        for (i, label) in stems.enumerated() where stems.filter({ $0 == label }).count > 1 {
            labels[i] = base(sources[i])
        }
        var seen: [String: Int] = [:]
        for (i, label) in labels.enumerated() {
            let n = (seen[label] ?? 0) + 1
            seen[label] = n
            if n > 1 { labels[i] = "\(label)#\(n)" }
        }
        return labels
    }
}

/// Settings of an evaluation.
public struct EvaluationOptions: Sendable {
    /// The parallel corpus's reference language (the `LANG` of `LANG.txt`).
    public var referenceLanguage = "en"
    /// Worker threads (0: one per core).
    public var threads = 0
    /// Only the first lines of every corpus and parallel file (nil: all).
    public var maxLines: Int?
    /// The order of the Rényi efficiency (Zouhar et al. recommend 2.5).
    public var renyiAlpha = 2.5
    /// Whether to run the vocabulary health checks.
    public var checkVocabulary = true
    /// Progress on standard error: nil when it is a terminal, false never.
    public var progress: Bool?

    public init(referenceLanguage: String = "en", threads: Int = 0, maxLines: Int? = nil, renyiAlpha: Double = 2.5,
                checkVocabulary: Bool = true, progress: Bool? = nil) {
        self.referenceLanguage = referenceLanguage
        self.threads = threads
        self.maxLines = maxLines
        self.renyiAlpha = renyiAlpha
        self.checkVocabulary = checkVocabulary
        self.progress = progress
    }
}

/// Runs the measurements of an `EvaluationReport`: corpus metrics for every tokenizer and corpus
/// file, the parity of a parallel corpus, vocabulary health and overlap.
///
/// Corpora are streamed (`CorpusReader`), encoded in batches over `threads` threads; memory
/// stays bounded by the batch size and the per-id counts, whatever the size of the files.
public struct TokenizerEvaluation: Sendable {
    public var tokenizers: [EvaluatedTokenizer]
    public var options: EvaluationOptions
    let progress: ProgressBar

    public init(tokenizers: [EvaluatedTokenizer], options: EvaluationOptions = EvaluationOptions()) {
        self.tokenizers = tokenizers
        self.options = options
        self.progress = ProgressBar(enabled: options.progress)
    }

    /// Everything: metrics of each tokenizer on each corpus file, parity on `parallelDirectory`
    /// when given, vocabulary health and pairwise overlap.
    public func run(corpora: [String], parallelDirectory: String? = nil) throws(EvaluationError) -> EvaluationReport {
        guard !tokenizers.isEmpty else { throw .noTokenizers }
        guard !corpora.isEmpty || parallelDirectory != nil else { throw .noCorpus }
        // Fail on an unreadable file before spending minutes on the others.
        for path in corpora { _ = try CorpusReader(path: path) }
        if let parallelDirectory { _ = try parallelLanguages(parallelDirectory) }
        var report = EvaluationReport(tokenizers: tokenizers.map {
            EvaluationReport.TokenizerInfo(label: $0.label, source: $0.source, format: Self.formatName($0.tokenizer.format),
                                           vocabularySize: $0.tokenizer.vocabularySize())
        }, options: options)
        report.corpora = corpora.map(Self.corpusLabel)
        for tokenizer in tokenizers {
            for path in corpora {
                report.metrics.append(try measure(corpus: path, with: tokenizer))
            }
        }
        if let parallelDirectory {
            report.parity = try parity(directory: parallelDirectory)
            report.warnings += report.parity!.warnings
        }
        if options.checkVocabulary {
            let checker = VocabularyHealthChecker(threads: options.threads)
            for tokenizer in tokenizers {
                progress.begin("vocabulary \(tokenizer.label)", total: tokenizer.tokenizer.model.vocabularySize)
                report.vocabulary.append(checker.check(tokenizer) { progress.advance(to: $0) })
                progress.finish()
            }
            report.overlap = VocabularyOverlap(tokenizers)
        }
        return report
    }

    static func formatName(_ format: Tokenizer.Format) -> String {
        switch format {
        case .huggingFace: return "tokenizer.json"
        case .tiktoken: return "tiktoken"
        case .sentencePiece: return "sentencepiece"
        case .gguf: return "gguf"
        }
    }

    /// A corpus file's label: its file name without `.txt`.
    public static func corpusLabel(_ path: String) -> String {
        let name = (path as NSString).lastPathComponent
        return name.hasSuffix(".txt") && name.count > 4 ? String(name.dropLast(4)) : name
    }

    // MARK: - Corpus metrics

    /// Per-id facts the counting loop needs, built once per tokenizer.
    struct TokenTable {
        var lengths: [Int]
        var fallback: [Bool]
        var unknownID: TokenID?

        init(_ tokenizer: Tokenizer) {
            let bound = tokenizer.idBound
            lengths = Array(repeating: 0, count: bound)
            fallback = Array(repeating: false, count: bound)
            for id in 0..<bound {
                lengths[id] = tokenizer.tokenBytes(forID: TokenID(id))?.count ?? 0
                fallback[id] = tokenizer.fallbackByte(ofID: TokenID(id)) != nil
            }
            unknownID = tokenizer.unknownTokenID
        }
    }

    /// What a worker measures on a slice of lines; the ids go back to the calling thread, which
    /// counts them (one array increment per token, cheaper than merging per-worker tables).
    struct LineBatchResult: Sendable {
        var ids: [TokenID] = []
        var lines = 0
        var bytes = 0
        var characters = 0
        var whitespaceWords = 0
        var segmentedWords = 0
        var continuedWords = 0
        var roundTripLines = 0
    }

    /// Encodes `text` as every measurement does: no post-processor tokens, special-token text as
    /// ordinary text for tiktoken files (tokenizer.json files always match their added tokens).
    static func encode(_ tokenizer: Tokenizer, _ text: String) throws(TokenizationError) -> [TokenID] {
        try tokenizer.encodeIDs(text, addSpecialTokens: false, allowedSpecial: .none, disallowedSpecial: .none)
    }

    static func measure(lines: ArraySlice<String>, firstLine: Int, tokenizer: EvaluatedTokenizer, file: String) throws(EvaluationError) -> LineBatchResult {
        var result = LineBatchResult()
        let t = tokenizer.tokenizer
        var lineNumber = firstLine
        do throws(TokenizationError) {
            for line in lines {
                let ids = try encode(t, line)
                result.ids += ids
                result.lines += 1
                result.bytes += line.utf8.count
                result.characters += line.unicodeScalars.count
                result.segmentedWords += WordSegmentation.segmentedWordCount(line)
                let words = WordSegmentation.whitespaceWords(line)
                result.whitespaceWords += words.count
                for word in words {
                    if try encode(t, String(word)).count > 1 { result.continuedWords += 1 }
                }
                if let decoded = try? t.decode(ids), decoded.utf8.elementsEqual(line.utf8) {
                    result.roundTripLines += 1
                }
                lineNumber += 1
            }
        } catch {
            throw .tokenization(tokenizer: tokenizer.label, file: file, line: lineNumber, message: error.description)
        }
        return result
    }

    /// The metrics of one tokenizer on one corpus file (the first `options.maxLines` lines).
    public func measure(corpus path: String, with tokenizer: EvaluatedTokenizer) throws(EvaluationError) -> CorpusMetrics {
        let reader = try CorpusReader(path: path)
        let table = TokenTable(tokenizer.tokenizer)
        var metrics = CorpusMetrics(tokenizer: tokenizer.label, corpus: Self.corpusLabel(path))
        metrics.vocabularySize = tokenizer.tokenizer.vocabularySize()
        var counts = Array(repeating: 0, count: table.lengths.count)
        let limit = options.maxLines ?? Int.max
        let workers = ParallelMap.workerCount(options.threads, items: Int.max)
        // With a line limit the bytes to read are unknown: count lines instead.
        progress.begin("\(tokenizer.label) \(metrics.corpus)", total: options.maxLines ?? reader.size)
        defer { progress.finish() }
        while metrics.lines < limit {
            let batch = try reader.nextBatch(maxLines: min(limit - metrics.lines, 65536))
            if batch.isEmpty { break }
            // Several slices per worker, taken on demand, balance lines of uneven length.
            let sliceCount = min(batch.count, workers * 4)
            let slices = (0..<sliceCount).map { i in (batch.count * i / sliceCount)..<(batch.count * (i + 1) / sliceCount) }
            let firstLine = metrics.lines + 1
            let results = try ParallelMap.map(slices, threads: options.threads) { range throws(EvaluationError) in
                try Self.measure(lines: batch[range], firstLine: firstLine + range.lowerBound, tokenizer: tokenizer, file: path)
            }
            for r in results {
                metrics.lines += r.lines
                metrics.bytes += r.bytes
                metrics.characters += r.characters
                metrics.whitespaceWords += r.whitespaceWords
                metrics.segmentedWords += r.segmentedWords
                metrics.continuedWords += r.continuedWords
                metrics.roundTripLines += r.roundTripLines
                metrics.tokens += r.ids.count
                for id in r.ids {
                    let i = Int(id)
                    // An id outside the vocabulary (it should not happen) still counts as a token.
                    if i >= counts.count { counts += Array(repeating: 0, count: i + 1 - counts.count) }
                    counts[i] += 1
                    let length = i < table.lengths.count ? table.lengths[i] : 0
                    metrics.tokenLengthHistogram[min(length, CorpusMetrics.histogramBins - 1)] += 1
                    metrics.tokenBytes += length
                    if i < table.fallback.count, table.fallback[i] { metrics.byteFallbackTokens += 1 }
                    if id == table.unknownID { metrics.unknownTokens += 1 }
                }
            }
            progress.advance(to: options.maxLines == nil ? reader.bytesRead : metrics.lines)
        }
        metrics.invalidUTF8Lines = reader.invalidUTF8Lines
        metrics.distinctTokens = counts.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
        metrics.renyiEfficiency = RenyiEfficiency.efficiency(counts: counts, alpha: options.renyiAlpha, vocabularySize: metrics.vocabularySize)
        metrics.entropyBits = RenyiEfficiency.entropy(counts: counts, alpha: 1) / log(2)
        return metrics
    }

    // MARK: - Parity

    /// Token counts of the lines of a file (the first `options.maxLines`), read in batches.
    func lineTokenCounts(_ path: String, _ tokenizer: EvaluatedTokenizer) throws(EvaluationError) -> (counts: [Int], empty: [Bool]) {
        let reader = try CorpusReader(path: path)
        var counts: [Int] = []
        var empty: [Bool] = []
        let limit = options.maxLines ?? Int.max
        while counts.count < limit {
            let batch = try reader.nextBatch(maxLines: min(limit - counts.count, 65536))
            if batch.isEmpty { break }
            let base = counts.count
            let t = tokenizer.tokenizer
            let result: [Int]
            do {
                result = try ParallelMap.map(Array(batch.indices), threads: options.threads) { i throws(TokenizationError) in
                    try Self.encode(t, batch[i]).count
                }
            } catch {
                // Find the line for the message (rare: only a broken tokenizer refuses text here).
                let line = batch.firstIndex { (try? Self.encode(t, $0)) == nil }.map { base + $0 + 1 } ?? base + 1
                throw .tokenization(tokenizer: tokenizer.label, file: path, line: line, message: error.description)
            }
            counts += result
            empty += batch.map(\.isEmpty)
        }
        return (counts, empty)
    }

    /// The tokenization premium of every language of a parallel corpus directory (`LANG.txt`
    /// files, line-aligned) against `options.referenceLanguage`, for every tokenizer.
    /// The languages of a parallel corpus directory (its `LANG.txt` files), sorted; the
    /// reference language must be one of them.
    func parallelLanguages(_ directory: String) throws(EvaluationError) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw .unreadableCorpus(path: directory, reason: "cannot list the parallel corpus directory")
        }
        let languages = names.filter { $0.hasSuffix(".txt") && $0.count > 4 }.map { String($0.dropLast(4)) }.sorted()
        guard !languages.isEmpty else { throw .emptyParallelDirectory(directory) }
        guard languages.contains(options.referenceLanguage) else {
            throw .missingReference(directory: directory, language: options.referenceLanguage)
        }
        return languages
    }

    public func parity(directory: String) throws(EvaluationError) -> ParityReport {
        let languages = try parallelLanguages(directory)
        let reference = options.referenceLanguage
        func path(_ language: String) -> String { (directory as NSString).appendingPathComponent(language + ".txt") }
        var report = ParityReport(referenceLanguage: reference, tokenizers: tokenizers.map(\.label), languages: languages)
        var skipped = Set<String>()
        for tokenizer in tokenizers {
            progress.begin("parity \(tokenizer.label)", total: languages.count)
            defer { progress.finish() }
            let ref = try lineTokenCounts(path(reference), tokenizer)
            for (n, language) in languages.enumerated() {
                defer { progress.advance(to: n + 1) }
                guard !skipped.contains(language) else { continue }
                let other = try lineTokenCounts(path(language), tokenizer)
                guard other.counts.count == ref.counts.count else {
                    skipped.insert(language)
                    report.warnings.append("parallel corpus: \(path(language)) has \(other.counts.count) lines but \(reference).txt has \(ref.counts.count); \(language) is left out")
                    continue
                }
                var entry = ParityReport.Entry(tokenizer: tokenizer.label, language: language)
                for i in ref.counts.indices where !ref.empty[i] && !other.empty[i] {
                    entry.alignedLines += 1
                    entry.tokens += other.counts[i]
                    entry.referenceTokens += ref.counts[i]
                }
                report.entries.append(entry)
            }
        }
        report.entries.removeAll { skipped.contains($0.language) }
        report.languages.removeAll { skipped.contains($0) }
        return report
    }
}
