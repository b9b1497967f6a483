import Tokenkit

/// How often each pre-tokenized word (its UTF-8) occurs in a corpus: what BPE and WordPiece
/// training start from. Memory grows with the number of distinct words, not with the corpus.
public struct WordCounts: Sendable {
    public private(set) var entries: [[UInt8]: Int] = [:]

    public init() {}

    public init(_ counts: [String: Int]) {
        for (word, count) in counts { add(Array(word.utf8), count: count) }
    }

    public var distinctWords: Int { entries.count }

    public mutating func add(_ word: [UInt8], count: Int = 1) {
        entries[word, default: 0] += count
    }

    /// Counts the words of `text` as `splitter` (normalizer and pre-tokenizer) cuts them.
    public mutating func addWords(of text: String, splitter: Tokenizer) {
        for word in splitter.preTokenizedWords(text) where !word.isEmpty { add(word) }
    }

    public mutating func merge(_ other: WordCounts) {
        for (word, count) in other.entries { add(word, count: count) }
    }

    /// The entries in byte order (a reproducible order for everything that follows).
    func sortedEntries() -> [(word: [UInt8], count: Int)] {
        entries.map { ($0.key, $0.value) }.sorted { $0.word.lexicographicallyPrecedes($1.word) }
    }
}
