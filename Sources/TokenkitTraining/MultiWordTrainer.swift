import Tokenkit

/// Learns the word n-grams of Multi-Word Tokenization (Gee et al., 2023): the `topK` most
/// frequent runs of 2 to `maximumWords` words, as `MultiWordTokenizer` matches them.
///
/// A word is a run of letters (Unicode alphabetic characters); an n-gram is consecutive words
/// separated by exactly one space, with the space before the first word when there is one
/// (" of the" and "Of the" at a line's start are different n-grams, as they are different
/// text). N-grams seen fewer than `minimumCount` times are left out; ties in count go to the
/// smaller byte string, so the result is reproducible. Memory follows the distinct n-grams.
public struct MultiWordTrainer: Sendable {
    public var topK: Int
    public var maximumWords: Int
    public var minimumCount: Int

    public init(topK: Int = 1000, maximumWords: Int = 3, minimumCount: Int = 2) {
        self.topK = topK
        self.maximumWords = maximumWords
        self.minimumCount = minimumCount
    }

    /// Counts the n-grams of `text` (one sequence of the corpus) into `counter`.
    public func count(_ text: String, into counter: inout ByteStringCounter) {
        let bytes = Array(text.utf8)
        // Words as byte ranges, and whether each follows the previous one after a single space.
        var words: [Range<Int>] = []
        var chained: [Bool] = []
        var i = 0
        while i < bytes.count {
            guard MultiWordTokenizer.isLetter(bytes, at: i) else { i += 1; continue }
            let start = i
            while i < bytes.count && (MultiWordTokenizer.isLetter(bytes, at: i) || bytes[i] & 0xC0 == 0x80) { i += 1 }
            chained.append(words.last.map { $0.upperBound + 1 == start && bytes[start - 1] == 0x20 } ?? false)
            words.append(start..<i)
        }
        bytes.withUnsafeBufferPointer { buffer in
            for first in words.indices {
                let start = words[first].lowerBound > 0 && bytes[words[first].lowerBound - 1] == 0x20
                    ? words[first].lowerBound - 1 : words[first].lowerBound
                var last = first
                while last + 1 < words.count && last + 1 - first < maximumWords && chained[last + 1] {
                    last += 1
                    counter.add(UnsafeBufferPointer(rebasing: buffer[start..<words[last].upperBound]))
                }
            }
        }
    }

    /// The `topK` most frequent n-grams of `counter`, most frequent first.
    public func ngrams(from counter: ByteStringCounter) -> [String] {
        var kept: [(bytes: [UInt8], count: Int)] = []
        counter.forEach { bytes, count in
            if count >= minimumCount { kept.append((Array(bytes), count)) }
        }
        kept.sort { $0.count != $1.count ? $0.count > $1.count : $0.bytes.lexicographicallyPrecedes($1.bytes) }
        return kept.prefix(topK).map { String(decoding: $0.bytes, as: UTF8.self) }
    }

    /// The n-grams as a JSON file: `{"type": "MultiWord", "ngrams": [...]}`.
    public static func fileContents(_ ngrams: [String]) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.appendKey("type"); writer.appendString("MultiWord")
        writer.appendKey("ngrams")
        writer.beginArray()
        for ngram in ngrams { writer.appendString(ngram) }
        writer.endArray()
        writer.endObject()
        writer.appendNewline()
        return writer.bytes
    }
}
