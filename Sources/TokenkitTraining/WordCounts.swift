import Tokenkit

/// How often each pre-tokenized word occurs in a corpus: what BPE and WordPiece training start
/// from. Memory grows with the number of distinct words, not with the corpus.
///
/// Words counted through a byte-level BPE pipeline are kept as the raw bytes of each piece (the
/// scanners' fast path, one hash probe per word) and mapped to byte-level characters once per
/// distinct word when training starts; other words are kept as the pipeline's normalized pieces.
public struct WordCounts: Sendable {
    private(set) var words = ByteStringCounter()
    private(set) var rawByteLevelWords = ByteStringCounter()

    public init() {}

    public init(_ counts: [String: Int]) {
        for (word, count) in counts { add(Array(word.utf8), count: count) }
    }

    /// The number of distinct words counted (a word counted both ways counts twice).
    public var distinctWords: Int { words.distinctCount + rawByteLevelWords.distinctCount }

    /// Counts a word given as its UTF-8, as the trainer will see it.
    public mutating func add(_ word: [UInt8], count: Int = 1) {
        word.withUnsafeBufferPointer { words.add($0, count: count) }
    }

    /// Counts the words of `text` as `splitter` (normalizer and pre-tokenizer) cuts them.
    public mutating func addWords(of text: String, splitter: Tokenizer) {
        if splitter.countsWordsAsRawBytes {
            splitter.countWords(in: text, into: &rawByteLevelWords)
        } else {
            splitter.countWords(in: text, into: &words)
        }
    }

    /// Calls `body` with a function that counts the words of a text as `addWords(of:splitter:)`
    /// does, keeping one set of scratch buffers for all the texts (see `Tokenizer.countingWords`).
    mutating func countingWords<R>(splitter: Tokenizer, _ body: (_ countWords: (String) -> Void) throws -> R) rethrows -> R {
        if splitter.countsWordsAsRawBytes {
            return try splitter.countingWords(into: &rawByteLevelWords, body)
        }
        return try splitter.countingWords(into: &words, body)
    }

    /// Adds `other`'s counts; words new here are added in the order `other` first saw them, so
    /// merging the counts of consecutive parts of a corpus in order gives the counts of the whole
    /// corpus, in the same order.
    public mutating func merge(_ other: WordCounts) {
        if distinctWords == 0 {
            self = other
            return
        }
        other.words.forEach { word, count in words.add(word, count: count) }
        other.rawByteLevelWords.forEach { word, count in rawByteLevelWords.add(word, count: count) }
    }

    /// Adds the words `other` first saw `words`-th and `raw`-th (of its two tables), each with
    /// `other`'s whole count of it.
    mutating func add(_ other: WordCounts, entries words: Range<Int>, raw: Range<Int>) {
        other.words.forEach(entries: words) { word, count in self.words.add(word, count: count) }
        other.rawByteLevelWords.forEach(entries: raw) { word, count in rawByteLevelWords.add(word, count: count) }
    }

    /// Frees what only counting needs (the hash index, most of the memory) before training,
    /// which walks the words once more. No word may be added afterwards.
    mutating func finishCounting() {
        words.finishCounting()
        rawByteLevelWords.finishCounting()
    }

    /// Calls `body` with every distinct word (UTF-8, byte-level words mapped) and its count, in
    /// the order the words were first seen (a reproducible order for everything that follows);
    /// a word counted both ways comes once per way.
    func forEachEntry(_ body: (UnsafeBufferPointer<UInt8>, Int) -> Void) {
        words.forEach(body)
        forEachRawByteLevelEntry(body)
    }

    /// Calls `body` with every word counted as raw bytes, mapped to byte-level characters (UTF-8).
    func forEachRawByteLevelEntry(_ body: (UnsafeBufferPointer<UInt8>, Int) -> Void) {
        let alphabet = ByteLevelAlphabet.utf8ForByte
        var mapped: [UInt8] = []
        rawByteLevelWords.forEach { raw, count in
            mapped.removeAll(keepingCapacity: true)
            for byte in raw { mapped += alphabet[Int(byte)] }
            mapped.withUnsafeBufferPointer { body($0, count) }
        }
    }
}
