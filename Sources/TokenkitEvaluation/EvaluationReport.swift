import Foundation
import Tokenkit

/// The result of `TokenizerEvaluation.run`: the tokenizers compared, their metrics on each
/// corpus, the parity of the parallel corpus, vocabulary health and overlap. It writes itself as
/// `metrics.json`, `metrics.csv`, `parity.csv` and a self-contained `index.html`
/// (`write(to:)`).
public struct EvaluationReport: Sendable, Equatable {
    /// A tokenizer as the report lists it.
    public struct TokenizerInfo: Sendable, Equatable {
        public var label: String
        public var source: String
        public var format: String
        public var vocabularySize: Int

        public init(label: String, source: String, format: String, vocabularySize: Int) {
            self.label = label
            self.source = source
            self.format = format
            self.vocabularySize = vocabularySize
        }
    }

    public var tokenizers: [TokenizerInfo]
    /// Corpus labels, in the order given.
    public var corpora: [String] = []
    /// One entry per tokenizer and corpus, tokenizer-major.
    public var metrics: [CorpusMetrics] = []
    public var parity: ParityReport?
    public var vocabulary: [VocabularyHealth] = []
    public var overlap: VocabularyOverlap?
    /// Things a reader should know (languages left out of the parity).
    public var warnings: [String] = []
    public var referenceLanguage: String
    public var renyiAlpha: Double
    public var maxLines: Int?

    public init(tokenizers: [TokenizerInfo], options: EvaluationOptions) {
        self.tokenizers = tokenizers
        referenceLanguage = options.referenceLanguage
        renyiAlpha = options.renyiAlpha
        maxLines = options.maxLines
    }

    public func metrics(tokenizer: String, corpus: String) -> CorpusMetrics? {
        metrics.first { $0.tokenizer == tokenizer && $0.corpus == corpus }
    }

    /// Writes `metrics.json`, `metrics.csv`, `parity.csv` (with a parity report) and `index.html`
    /// into `directory`, creating it if needed.
    public func write(to directory: String) throws(EvaluationError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .unwritable(path: directory, reason: "cannot create the directory")
        }
        func put(_ name: String, _ bytes: [UInt8]) throws(EvaluationError) {
            let path = (directory as NSString).appendingPathComponent(name)
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
                throw .unwritable(path: path, reason: "cannot create the file")
            }
        }
        try put("metrics.json", jsonBytes())
        try put("metrics.csv", Array(metricsCSV().utf8))
        if parity != nil { try put("parity.csv", Array(parityCSV().utf8)) }
        try put("index.html", Array(html().utf8))
    }
}
