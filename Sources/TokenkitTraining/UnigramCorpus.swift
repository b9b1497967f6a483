import Tokenkit

/// The sentences a Unigram trainer learns from, normalized as SentencePiece's trainer loads them
/// (`TrainerInterface::LoadSentences`) and counted: memory grows with the number of distinct
/// words, not with the corpus.
///
/// Each sentence is one line (a final "\n" dropped, as SentencePiece's line reader does). Empty
/// sentences, sentences longer than `maximumSentenceLength` bytes and sentences containing "▅"
/// (U+2585, which the trainer reserves for rare characters) are skipped. The rest are normalized
/// (nmt_nfkc rules, extra whitespace removed, spaces escaped to "▁", a "▁" prepended), every
/// special piece in them (unknown, control, user-defined, byte pieces) becomes a tab, which no
/// piece may contain, and they are cut into words before each "▁". A word is counted together
/// with what follows it (another word or the sentence end): the seed substrings SentencePiece
/// finds in the whole corpus depend on that, and nothing else of the context.
public struct UnigramCorpus: Sendable {
    /// Word UTF-8 followed by one byte: `followedByWord` or `endsSentence`.
    var entries = ByteStringCounter()
    /// Sentences kept, and skipped for their length.
    public private(set) var sentenceCount = 0
    public private(set) var tooLongSentenceCount = 0

    static let followedByWord: UInt8 = 1
    static let endsSentence: UInt8 = 2

    private let normalizer: SentencePieceNormalizer
    private let metaPieces: ByteTrie?
    private let splitByWhitespace: Bool
    private let maximumSentenceLength: Int

    /// An empty corpus that normalizes and cuts sentences as `trainer` is configured to.
    public init(for trainer: UnigramTrainer) {
        normalizer = trainer.normalizer
        let pieces = trainer.metaPieces().map(\.piece)
        if pieces.isEmpty {
            metaPieces = nil
        } else {
            var trie = ByteTrie()
            for piece in pieces { trie.insert(Array(piece.utf8), value: 0) }
            metaPieces = trie
        }
        splitByWhitespace = trainer.splitByWhitespace
        maximumSentenceLength = trainer.maximumSentenceLength
    }

    /// The number of distinct (word, what follows) entries.
    public var distinctEntryCount: Int { entries.distinctCount }

    /// Adds one sentence.
    public mutating func add(_ sentence: String) {
        var sentence = sentence
        if sentence.utf8.last == 0x0A { sentence.removeLast() }
        let bytes = sentence.utf8.count
        if bytes == 0 { return }
        if bytes > maximumSentenceLength {
            tooLongSentenceCount += 1
            return
        }
        if Self.containsUnknownMark(sentence.utf8) { return }
        var normalized = normalizer.normalizedBytes(sentence)
        if let metaPieces { normalized = Self.replace(metaPieces, in: normalized) }
        sentenceCount += 1
        if normalized.isEmpty { return }
        normalized.withUnsafeBufferPointer { addWords(of: $0) }
    }

    /// Adds the counts of `other` (a corpus configured the same way).
    public mutating func merge(_ other: UnigramCorpus) {
        sentenceCount += other.sentenceCount
        tooLongSentenceCount += other.tooLongSentenceCount
        other.entries.forEach { key, count in entries.add(key, count: count) }
    }

    /// Frees the lookup index once every sentence is added (the entries can still be walked).
    mutating func finishCounting() {
        entries.finishCounting()
    }

    /// Calls `body` with every distinct word (UTF-8), whether a word follows it, and its count.
    func forEachEntry(_ body: (UnsafeBufferPointer<UInt8>, Bool, Int) -> Void) {
        entries.forEach { key, count in
            body(UnsafeBufferPointer(rebasing: key[..<(key.count - 1)]), key[key.count - 1] == Self.followedByWord, count)
        }
    }

    /// Whether the text contains "▅" (E2 96 85).
    private static func containsUnknownMark(_ text: String.UTF8View) -> Bool {
        var state = 0
        for byte in text {
            switch (state, byte) {
            case (_, 0xE2): state = 1
            case (1, 0x96): state = 2
            case (2, 0x85): return true
            default: state = 0
            }
        }
        return false
    }

    /// `SplitIntoWords`: a word starts at the beginning and at every "▁".
    private mutating func addWords(of text: UnsafeBufferPointer<UInt8>) {
        var key: [UInt8] = []
        key.reserveCapacity(text.count + 1)
        func add(_ range: Range<Int>, follower: UInt8) {
            key.removeAll(keepingCapacity: true)
            key += text[range]
            key.append(follower)
            key.withUnsafeBufferPointer { entries.add($0) }
        }
        guard splitByWhitespace else {
            add(0..<text.count, follower: Self.endsSentence)
            return
        }
        var start = 0
        var i = 0
        while i < text.count {
            if i > start && i + 2 < text.count && text[i] == 0xE2 && text[i + 1] == 0x96 && text[i + 2] == 0x81 {
                add(start..<i, follower: Self.followedByWord)
                start = i
            }
            i += 1
        }
        add(start..<text.count, follower: Self.endsSentence)
    }

    /// `PrefixMatcher::GlobalReplace` with a tab: the longest special piece at each position is
    /// replaced, other characters are copied.
    private static func replace(_ pieces: ByteTrie, in text: [UInt8]) -> [UInt8] {
        text.withUnsafeBufferPointer { text in
            var result: [UInt8] = []
            var i = 0
            var changed = false
            while i < text.count {
                if let match = pieces.longestPrefix(of: text, from: i) {
                    if !changed {
                        result = Array(text[..<i])
                        changed = true
                    }
                    result.append(0x09)
                    i += match.length
                    continue
                }
                let length = min(oneCharacterLength(text[i]), text.count - i)
                if changed { result += text[i..<(i + length)] }
                i += length
            }
            return changed ? result : Array(text)
        }
    }
}

/// SentencePiece's `OneCharLen`: the length of a UTF-8 sequence from its first byte.
@inline(__always)
func oneCharacterLength(_ byte: UInt8) -> Int {
    byte < 0x80 ? 1 : byte < 0xC0 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4
}
