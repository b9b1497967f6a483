/// Multi-Word Tokenization (Gee et al., 2023, "Multi-Word Tokenization for Sequence
/// Compression", EMNLP Industry): frequent word n-grams ("of the", " in order to") are single
/// tokens, matched before the base tokenizer sees the text.
///
/// Each n-gram is an exact piece of text: words (runs of letters) joined by single spaces,
/// with the space before the first word when it had one (so " of the" replaces the two
/// tokens "Ġof" "Ġthe" of a byte-level tokenizer, and decoding gives the text back). Text is
/// scanned left to right; where a word starts (or the space before it), the longest n-gram
/// that matches and ends at a word's end is taken; the text between matches goes to the base
/// tokenizer. N-gram ids follow the base vocabulary: `baseVocabularySize + index`.
public struct MultiWordTokenizer: Sendable {
    public let base: Tokenizer
    /// The n-grams, by id (`baseVocabularySize + index`).
    public let ngrams: [String]
    public let baseVocabularySize: Int
    /// N-gram bytes → index, and the longest n-gram in bytes.
    private let index: [[UInt8]: Int]
    private let longest: Int

    public init(base: Tokenizer, ngrams: [String]) {
        self.base = base
        self.ngrams = ngrams
        baseVocabularySize = base.vocabularySize()
        var index: [[UInt8]: Int] = [:]
        for (i, ngram) in ngrams.enumerated() where index[Array(ngram.utf8)] == nil { index[Array(ngram.utf8)] = i }
        self.index = index
        longest = ngrams.map(\.utf8.count).max() ?? 0
    }

    /// The ids of `text`: n-gram tokens where they match, the base tokenizer's ids elsewhere
    /// (without special tokens).
    public func encode(_ text: String) throws(TokenizationError) -> [TokenID] {
        let bytes = Array(text.utf8)
        var ids: [TokenID] = []
        var gapStart = 0
        var i = 0
        func flush(upTo end: Int) throws(TokenizationError) {
            guard end > gapStart else { return }
            ids += try base.encodeIDs(String(decoding: bytes[gapStart..<end], as: UTF8.self), addSpecialTokens: false)
        }
        while i < bytes.count {
            if let (id, length) = match(bytes, at: i) {
                try flush(upTo: i)
                ids.append(id)
                i += length
                gapStart = i
            } else {
                i += 1
            }
        }
        try flush(upTo: bytes.count)
        return ids
    }

    /// The text of `ids`: runs of base ids decoded by the base tokenizer, n-grams as their text.
    public func decode(_ ids: [TokenID]) throws(TokenizationError) -> String {
        var text = ""
        var run: [TokenID] = []
        for id in ids {
            if Int(id) >= baseVocabularySize, Int(id) - baseVocabularySize < ngrams.count {
                if !run.isEmpty { text += try base.decode(run) }
                run.removeAll()
                text += ngrams[Int(id) - baseVocabularySize]
            } else {
                run.append(id)
            }
        }
        if !run.isEmpty { text += try base.decode(run) }
        return text
    }

    /// The longest n-gram starting at `start` (which must start a word, or be the space before
    /// one) and ending where a word ends, as its id and byte length.
    private func match(_ bytes: [UInt8], at start: Int) -> (TokenID, Int)? {
        let startsWord = Self.isLetter(bytes, at: start) && (start == 0 || !Self.isLetter(before: start, in: bytes))
        let spaceBeforeWord = bytes[start] == 0x20 && start + 1 < bytes.count && Self.isLetter(bytes, at: start + 1)
        guard startsWord || spaceBeforeWord, !index.isEmpty else { return nil }
        var end = min(bytes.count, start + longest)
        while end > start {
            // Only ends at a word's end (the next character is not a letter) can match.
            if (end == bytes.count || !Self.isLetter(bytes, at: end)) && Self.isLetter(before: end, in: bytes),
               let found = index[Array(bytes[start..<end])] {
                return (TokenID(baseVocabularySize + found), end - start)
            }
            end -= 1
        }
        return nil
    }

    /// Whether the character starting at `offset` is a letter (a continuation byte is not a start).
    package static func isLetter(_ bytes: [UInt8], at offset: Int) -> Bool {
        guard offset < bytes.count, bytes[offset] & 0xC0 != 0x80 else { return false }
        return scalar(bytes, at: offset).map { $0.properties.isAlphabetic } ?? false
    }

    /// Whether the character ending just before `offset` is a letter.
    package static func isLetter(before offset: Int, in bytes: [UInt8]) -> Bool {
        var start = offset - 1
        while start > 0 && bytes[start] & 0xC0 == 0x80 { start -= 1 }
        return start >= 0 && isLetter(bytes, at: start)
    }

    private static func scalar(_ bytes: [UInt8], at offset: Int) -> Unicode.Scalar? {
        var iterator = bytes[offset...].makeIterator()
        var decoder = UTF8()
        if case .scalarValue(let scalar) = decoder.decode(&iterator) { return scalar }
        return nil
    }
}

extension MultiWordTokenizer {
    /// Reads the n-grams of a file `MultiWordTrainer` wrote (`{"type": "MultiWord", "ngrams": [...]}`).
    public static func ngrams(fromFile bytes: [UInt8], name: String) throws(TokenizerLoadingError) -> [String] {
        let root: JSONValue
        do { root = try JSONDocument(bytes: bytes).root } catch {
            throw TokenizerLoadingError(.malformed, file: name, "not JSON: \(error)")
        }
        guard root["type"]?.string == "MultiWord", let list = root["ngrams"], list.isArray else {
            throw TokenizerLoadingError(.malformed, file: name, "expected {\"type\": \"MultiWord\", \"ngrams\": [...]}")
        }
        var ngrams: [String] = []
        for (i, element) in list.elements.enumerated() {
            guard let ngram = element.string, !ngram.isEmpty else {
                throw TokenizerLoadingError(.malformed, file: name, "field ngrams[\(i)]: expected a non-empty string")
            }
            ngrams.append(ngram)
        }
        return ngrams
    }
}
