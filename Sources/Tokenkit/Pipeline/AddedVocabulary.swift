/// A token added on top of the model's vocabulary (special tokens such as
/// `<|endoftext|>`, or user tokens), with `tokenizers`' matching options.
public struct AddedToken: Sendable, Equatable, Hashable {
    public var content: String
    /// Only match when not surrounded by word characters.
    public var singleWord: Bool
    /// Absorb the whitespace on the left of a match.
    public var leftStrip: Bool
    /// Absorb the whitespace on the right of a match.
    public var rightStrip: Bool
    /// Match against the normalized text (true) or the original text (false).
    public var normalized: Bool
    /// Special tokens are skipped by `decode(skipSpecialTokens: true)`.
    public var special: Bool

    public init(_ content: String, special: Bool, singleWord: Bool = false, leftStrip: Bool = false,
                rightStrip: Bool = false, normalized: Bool? = nil) {
        self.content = content
        self.special = special
        self.singleWord = singleWord
        self.leftStrip = leftStrip
        self.rightStrip = rightStrip
        self.normalized = normalized ?? !special
    }
}

/// The added tokens of a tokenizer and how to find them in text.
///
/// Matching follows `tokenizers`: leftmost-longest over all tokens, first on the
/// original text for tokens with `normalized == false`, then on each remaining
/// piece after normalization for the others.
public struct AddedVocabulary: Sendable {
    public private(set) var tokens: [TokenID: AddedToken] = [:]
    private var idsByContent: [String: TokenID] = [:]
    /// Normalized form of tokens whose normalization changes them (used for matching and decoding).
    private var normalizedContent: [TokenID: String] = [:]
    private var originalMatcher = LeftmostLongestMatcher(patterns: [])
    private var normalizedMatcher = LeftmostLongestMatcher(patterns: [])
    private var specialContents: Set<String> = []

    public init() {}

    public var isEmpty: Bool { tokens.isEmpty }
    public var count: Int { tokens.count }

    public func id(forContent content: String) -> TokenID? { idsByContent[content] }

    /// The string used when decoding this id (the normalized form if normalization changed it).
    public func decodingString(forID id: TokenID) -> String? {
        guard let token = tokens[id] else { return nil }
        return normalizedContent[id] ?? token.content
    }

    public func isSpecial(_ content: String) -> Bool { specialContents.contains(content) }

    /// Adds tokens the way `tokenizers` does when it loads `added_tokens`: a token whose content
    /// is already known (added or in the model's vocabulary) keeps that id, the others get the
    /// next free id after the model's vocabulary. The ids written in the file are not used.
    mutating func add(_ newTokens: [AddedToken], modelID: (String) -> TokenID?, modelVocabularySize: Int,
                      normalizer: NormalizerComponent?) {
        var nextID: TokenID
        if let maxID = tokens.keys.max() {
            nextID = (maxID >= TokenID(modelVocabularySize) || modelVocabularySize == 0) ? maxID + 1 : TokenID(modelVocabularySize)
        } else {
            nextID = TokenID(modelVocabularySize)
        }
        for token in newTokens where !token.content.isEmpty {
            if let existing = idsByContent[token.content], tokens[existing] == token { continue }
            let id: TokenID
            if let known = idsByContent[token.content] ?? modelID(token.content) {
                id = known
            } else {
                id = nextID
                nextID += 1
            }
            if token.normalized, let normalizer {
                var text = NormalizedString(token.content)
                normalizer.normalize(&text)
                let normalizedText = text.normalizedString
                if normalizedText != token.content { normalizedContent[id] = normalizedText }
            }
            idsByContent[token.content] = id
            if token.special { specialContents.insert(token.content) }
            tokens[id] = token
        }
        rebuildMatchers()
    }

    /// Adds tokens with the given ids (tiktoken's special tokens, whose ids are fixed).
    mutating func add(fixed entries: [(TokenID, AddedToken)]) {
        for (id, token) in entries where !token.content.isEmpty {
            idsByContent[token.content] = id
            if token.special { specialContents.insert(token.content) }
            tokens[id] = token
        }
        rebuildMatchers()
    }

    private mutating func rebuildMatchers() {
        var original: [(bytes: [UInt8], id: TokenID)] = []
        var normalized: [(bytes: [UInt8], id: TokenID)] = []
        for (id, token) in tokens {
            if token.normalized {
                normalized.append((Array((normalizedContent[id] ?? token.content).utf8), id))
            } else {
                original.append((Array(token.content.utf8), id))
            }
        }
        originalMatcher = LeftmostLongestMatcher(patterns: original)
        normalizedMatcher = LeftmostLongestMatcher(patterns: normalized)
    }

    /// Which added tokens may be recognised in a given call.
    struct MatchPolicy {
        /// Treat special tokens as plain text (tokenizers' `encode_special_tokens`).
        var ignoreSpecialTokens = false
        /// When set, only these ids are recognised (tiktoken's `allowed_special`).
        var allowedIDs: Set<TokenID>? = nil

        func allows(_ id: TokenID, _ token: AddedToken) -> Bool {
            if ignoreSpecialTokens && token.special { return false }
            if let allowedIDs { return allowedIDs.contains(id) }
            return true
        }
    }

    /// Finds added tokens in `text`: a cover of the text with ranges flagged with the id they match.
    private func findMatches(in text: [UInt8], matcher: LeftmostLongestMatcher, policy: MatchPolicy) -> [(id: TokenID?, range: Range<Int>)] {
        if text.isEmpty { return [(nil, 0..<0)] }
        if matcher.isEmpty { return [(nil, 0..<text.count)] }
        var result: [(id: TokenID?, range: Range<Int>)] = []
        var startOffset = 0
        let wordSet = UnicodeProperties.wordCharacters(flavor: .rustRegex)
        let spaceSet = UnicodeProperties.whiteSpace(flavor: .rustRegex)
        text.withUnsafeBufferPointer { buffer in
            matcher.forEachMatch(in: buffer) { id, matchRange in
                guard let token = tokens[id], policy.allows(id, token) else { return }
                var start = matchRange.lowerBound
                var stop = matchRange.upperBound
                if token.singleWord {
                    let startIsBoundary = start == 0 || !Self.scalar(before: start, in: buffer, isIn: wordSet)
                    let stopIsBoundary = stop == buffer.count || !Self.scalar(at: stop, in: buffer, isIn: wordSet)
                    if !startIsBoundary || !stopIsBoundary { return }
                }
                if token.leftStrip {
                    var newStart = start
                    while newStart > 0 && Self.scalar(before: newStart, in: buffer, isIn: spaceSet) {
                        newStart = Self.previousBoundary(newStart, in: buffer)
                    }
                    start = max(newStart, startOffset)
                }
                if token.rightStrip {
                    while stop < buffer.count && Self.scalar(at: stop, in: buffer, isIn: spaceSet) {
                        stop += UTF8.scalarLength(leadByte: buffer[stop])
                    }
                }
                if startOffset < start { result.append((nil, startOffset..<start)) }
                result.append((id, start..<stop))
                startOffset = stop
            }
        }
        if startOffset != text.count { result.append((nil, startOffset..<text.count)) }
        return result
    }

    private static func previousBoundary(_ i: Int, in buffer: UnsafeBufferPointer<UInt8>) -> Int {
        var j = i - 1
        while j > 0 && buffer[j] & 0xC0 == 0x80 { j -= 1 }
        return j
    }

    private static func scalar(before i: Int, in buffer: UnsafeBufferPointer<UInt8>, isIn set: UnicodeScalarRanges) -> Bool {
        set.contains(UTF8.decode(buffer, at: previousBoundary(i, in: buffer)).scalar)
    }

    private static func scalar(at i: Int, in buffer: UnsafeBufferPointer<UInt8>, isIn set: UnicodeScalarRanges) -> Bool {
        set.contains(UTF8.decode(buffer, at: i).scalar)
    }

    private func splitPieces(_ text: NormalizedString, matcher: LeftmostLongestMatcher, policy: MatchPolicy) -> [(NormalizedString, [Token]?)] {
        findMatches(in: text.normalized, matcher: matcher, policy: policy).compactMap { id, range in
            guard let piece = text.slice(normalized: range) else { return nil }
            if let id {
                return (piece, [Token(id: id, value: piece.normalizedString, offsets: 0..<piece.normalized.count)])
            }
            return (piece, nil)
        }
    }

    /// Splits out added tokens and normalizes the rest (tokenizers' `extract_and_normalize`).
    func extractAndNormalize(_ text: String, normalizer: NormalizerComponent?, policy: MatchPolicy) -> PreTokenizedString {
        var pre = PreTokenizedString(text)
        pre.splitWithTokens { splitPieces($0, matcher: originalMatcher, policy: policy) }
        pre.splitWithTokens { piece in
            var piece = piece
            normalizer?.normalize(&piece)
            return splitPieces(piece, matcher: normalizedMatcher, policy: policy)
        }
        return pre
    }

    /// Added-token segmentation of text whose normalization is the identity: a cover of `text`
    /// with ranges flagged with the added token they match (same two phases as `extractAndNormalize`).
    /// Whether some tokens are matched against normalized text.
    var hasNormalizedTokens: Bool { !normalizedMatcher.isEmpty }

    func segments(of text: [UInt8], policy: MatchPolicy) -> [(id: TokenID?, range: Range<Int>)] {
        var result: [(id: TokenID?, range: Range<Int>)] = []
        for (id, range) in findMatches(in: text, matcher: originalMatcher, policy: policy) {
            if id != nil || normalizedMatcher.isEmpty || range.isEmpty {
                if !range.isEmpty { result.append((id, range)) }
                continue
            }
            let gap = Array(text[range])
            for (innerID, inner) in findMatches(in: gap, matcher: normalizedMatcher, policy: policy) where !inner.isEmpty {
                result.append((innerID, (range.lowerBound + inner.lowerBound)..<(range.lowerBound + inner.upperBound)))
            }
        }
        return result
    }

    /// The first added token found in `text` among `ids` (used to reject disallowed special tokens).
    func firstOccurrence(in text: [UInt8], among ids: Set<TokenID>) -> String? {
        var found: String?
        text.withUnsafeBufferPointer { buffer in
            originalMatcher.forEachMatch(in: buffer, allowing: ids) { id, _ in
                if found == nil { found = tokens[id]?.content }
            }
        }
        return found
    }
}

/// Leftmost-longest multi-pattern matching over bytes with a trie (the
/// semantics of `tokenizers`' Aho-Corasick automaton in `LeftmostLongest` mode).
struct LeftmostLongestMatcher: Sendable {
    private struct Node: Sendable {
        var children: [UInt8: Int32] = [:]
        var id: TokenID? = nil
    }
    private var nodes: [Node] = [Node()]
    /// Bytes that can start a pattern.
    private var firstBytes = [Bool](repeating: false, count: 256)
    /// The only byte that starts a pattern, when they all start alike (`<` in most vocabularies):
    /// the text is then searched with `memchr`, many bytes at a time.
    private var onlyFirstByte: UInt8?

    init(patterns: [(bytes: [UInt8], id: TokenID)]) {
        for (bytes, id) in patterns where !bytes.isEmpty {
            var node = 0
            for b in bytes {
                if let child = nodes[node].children[b] {
                    node = Int(child)
                } else {
                    nodes.append(Node())
                    nodes[node].children[b] = Int32(nodes.count - 1)
                    node = nodes.count - 1
                }
            }
            nodes[node].id = id
            firstBytes[Int(bytes[0])] = true
        }
        let starts = (0..<256).filter { firstBytes[$0] }
        onlyFirstByte = starts.count == 1 ? UInt8(starts[0]) : nil
    }

    /// Where the next pattern could start, from `start`: the first byte that starts a pattern, or
    /// `text.count`.
    @inline(__always)
    private func nextCandidate(in text: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard start < text.count else { return text.count }
        if let byte = onlyFirstByte {
            guard let hit = memchr(text.baseAddress! + start, Int32(byte), text.count - start) else { return text.count }
            return text.baseAddress!.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
        return firstBytes.withUnsafeBufferPointer { table in
            var i = start
            while i < text.count && !table[Int(text[i])] { i &+= 1 }
            return i
        }
    }

    var isEmpty: Bool { nodes.count == 1 }

    /// Calls `body` with each non-overlapping leftmost-longest match (optionally only patterns in `allowing`).
    func forEachMatch(in text: UnsafeBufferPointer<UInt8>, allowing: Set<TokenID>? = nil, _ body: (TokenID, Range<Int>) -> Void) {
        let count = text.count
        var start = nextCandidate(in: text, from: 0)
        while start < count {
            var node = 0
            var best: (id: TokenID, end: Int)?
            var i = start
            while i < count, let child = nodes[node].children[text[i]] {
                node = Int(child)
                i += 1
                if let id = nodes[node].id, allowing?.contains(id) ?? true { best = (id, i) }
            }
            if let best {
                body(best.id, start..<best.end)
                start = nextCandidate(in: text, from: best.end)
            } else {
                start = nextCandidate(in: text, from: start + 1)
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
