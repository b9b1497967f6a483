import Foundation

// Performance notes: every method walks byte tries (the `ByteTrie` of Unigram models), so a
// step costs one table probe and nothing is allocated per byte. Longest prefix is one walk
// per token, longest suffix one walk per token on a trie of reversed keys (built only for
// that method: a forward trie would need a probe per candidate start, O(L²) per token with
// 128-byte keys), least tokens and Viterbi one walk per position (O(n · L)). Longest token
// rescans the remaining span for every token it places, O(n · L · depth), which is fine for
// pre-tokenized pieces; for whole lines (SentencePiece models have no pre-tokenizer) it is the
// slowest method.

/// Segments pieces against a model's vocabulary with an `InferenceMethod`, keeping the model's
/// own rules for what the vocabulary cannot cover.
///
/// It is built once from a model (`init(model:method:excluding:)`): the vocabulary's tokens go
/// into a byte trie, except the ids excluded (the tokenizer's added tokens, which its
/// added-token step handles), byte-fallback pieces `<0xNN>` (they stand for bytes, not for
/// their text) and unknown pieces. The fallback rules are the model's: byte-level BPE works on
/// the raw bytes behind the GPT-2 characters, so every byte is a token; byte fallback spells a
/// character the vocabulary lacks as `<0xNN>` tokens, else it becomes the unknown token (runs
/// fused when the model fuses them); WordPiece keys after the first carry the
/// continuing-subword prefix (`##`), and a word that cannot be covered, or is longer than the
/// model's limit, is the unknown token; with an end-of-word suffix (`</w>`) the last token of a
/// piece, and only it, is a key that carries the suffix. For `unigram`, Unigram vocabularies use their scores;
/// the others (BPE, WordPiece) a Zipf prior over their id order, which for BPE is the merge
/// order: the token of rank r has log-probability −log((r + 1) · H), H the harmonic number of
/// the vocabulary size. Unknown characters score the lowest score minus 10 (SentencePiece and
/// `tokenizers`).
public struct InferenceSegmenter: Sendable {
    public let method: InferenceMethod
    let model: ModelComponent
    /// Keys usable at the start of a piece → id.
    let initial: ByteTrie
    /// Keys usable after the start, their continuing-subword prefix removed (nil: `initial`).
    let continuing: ByteTrie?
    /// Reversed keys, for `longestSuffix` only.
    let reversedInitial: ByteTrie?
    let reversedContinuing: ByteTrie?
    /// BPE with an end-of-word suffix (`</w>`): the keys that carry it, suffix removed, which
    /// only the last token of a piece may use (and the others none of the keys above may end
    /// the piece). Nil without a suffix.
    let finalInitial: ByteTrie?
    let finalContinuing: ByteTrie?
    /// Log-probability of each id (empty unless the method or sampling needs them).
    let scores: [Double]
    let unknownScore: Double
    /// The model sees GPT-2 characters but its keys are raw bytes.
    let byteLevel: Bool
    /// Byte fallback ids (nil: no byte fallback).
    let byteFallbackIDs: [TokenID?]?
    let unknownID: TokenID?
    let fuseUnknown: Bool
    /// WordPiece: a word that cannot be covered is one unknown token.
    let unknownWholeWord: Bool
    let maximumCharacters: Int?
    /// `tokenizers`' Unigram refuses text it cannot cover when it has no unknown token.
    let unknownRequired: Bool
    /// The string of the unknown token, as the model reports it.
    let unknownValue: String?
    /// Unigram models (both formats) give unknown tokens the text they cover as their value and
    /// every byte-fallback token the range of its whole character; BPE one byte each.
    let unigramConventions: Bool

    /// Builds the segmenter of `model`. `merges` is the model itself and has no segmenter.
    /// `scores` replaces the log-probabilities `unigram` uses (see
    /// `Tokenizer.unigramScores(estimatedFrom:)`); tokens it leaves out get its lowest score.
    ///
    /// - Throws: `InferenceError.unsupportedModel` for models without a subword vocabulary
    ///   (WordLevel, SentencePiece word and character models), and for `merges`.
    public init(model: ModelComponent, method: InferenceMethod, excluding excluded: Set<TokenID> = [],
                scores override: [TokenID: Double]? = nil) throws(InferenceError) {
        var entries: [(key: [UInt8], id: TokenID)] = []
        var prefix: [UInt8] = []
        var suffix: [UInt8] = []
        var scoreOf: [TokenID: Double]?
        var byteFallback: [TokenID?]?
        var unknown: TokenID?
        var fuse = true
        var wholeWord = false
        var maximum: Int?
        var required = false
        var byteLevel = false
        var minimumScore = 0.0
        var excluded = excluded
        switch model {
        case let .bpe(m):
            suffix = Array((m.options.endOfWordSuffix ?? "").utf8)
            byteLevel = m.alphabet == .byteLevel
            prefix = Array((m.options.continuingSubwordPrefix ?? "").utf8)
            if m.options.byteFallback {
                byteFallback = m.byteFallbackIDs
                for case let id? in m.byteFallbackIDs { excluded.insert(id) }
            }
            if let name = m.options.unknownToken, let id = m.id(forToken: name) {
                unknown = id
                excluded.insert(id)
            }
            fuse = m.options.fuseUnknown
            m.vocabulary.forEach { key, id in entries.append((Array(key), id)) }
        case let .wordPiece(m):
            prefix = Array(m.continuingSubwordPrefix.utf8)
            unknown = m.id(forToken: m.unknownToken)
            if let unknown { excluded.insert(unknown) }
            wholeWord = true
            maximum = m.maximumInputCharactersPerWord
            m.vocabulary.forEach { key, id in entries.append((Array(key), id)) }
        case let .unigram(m):
            unknown = m.unknownID
            required = true
            if let unknown { excluded.insert(unknown) }
            if m.byteFallback {
                byteFallback = m.byteFallbackIDs
                for case let id? in m.byteFallbackIDs { excluded.insert(id) }
            }
            var scores: [TokenID: Double] = [:]
            m.vocabulary.forEach { key, id in
                entries.append((Array(key), id))
                scores[id] = m.scores[Int(id)]
            }
            scoreOf = scores
            minimumScore = m.unknownScore + 10
        case let .sentencePiece(m):
            guard m.kind == .unigram || m.kind == .bpe else {
                throw .unsupportedModel("inference methods need a subword vocabulary; this SentencePiece model is of type \(m.kind.rawValue)")
            }
            unknown = m.unknownID
            if m.byteFallback { byteFallback = m.byteIDs.map { Optional($0) } }
            var scores: [TokenID: Double] = [:]
            // `pieces` holds the normal, user-defined and unused pieces; unused ones never appear
            // in SentencePiece's output, so they are left out.
            m.pieces.forEach { key, id in
                let type = m.types[Int(id)]
                guard type != .unused else { return }
                entries.append((Array(key), id))
                // SentencePiece's Unigram lattice scores user-defined pieces so that they win (by
                // their length in characters there).
                let characters = key.reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
                scores[id] = type == .userDefined ? Double(SentencePieceModel.userDefinedScore(length: characters))
                    : Double(m.scores[Int(id)])
            }
            if m.kind == .unigram {
                scoreOf = scores
                minimumScore = Double(m.minScore)
            }
        case .wordLevel:
            throw .unsupportedModel("inference methods need a subword vocabulary (BPE, WordPiece or Unigram); WordLevel maps whole words")
        }
        if method == .merges {
            throw .unsupportedModel("merges is the model's own algorithm: use the tokenizer itself")
        }
        entries.removeAll { excluded.contains($0.id) }
        entries.sort { $0.id < $1.id }

        // With an end-of-word suffix, the keys that end with it are for the end of a piece only.
        let finals = suffix.isEmpty ? [] : entries.filter { $0.key.count > suffix.count && $0.key.suffix(suffix.count).elementsEqual(suffix) }
        let regular = suffix.isEmpty ? entries : entries.filter { !($0.key.count > suffix.count && $0.key.suffix(suffix.count).elementsEqual(suffix)) }
        var initial = ByteTrie()
        var continuing: ByteTrie?
        for e in regular { initial.insert(e.key, value: Int32(e.id)) }
        if !prefix.isEmpty {
            var trie = ByteTrie()
            for e in regular where e.key.count > prefix.count && e.key.starts(with: prefix) {
                trie.insert(e.key.dropFirst(prefix.count), value: Int32(e.id))
            }
            continuing = trie
        }
        if suffix.isEmpty {
            finalInitial = nil
            finalContinuing = nil
        } else {
            var trie = ByteTrie()
            for e in finals { trie.insert(e.key.dropLast(suffix.count), value: Int32(e.id)) }
            finalInitial = trie
            if !prefix.isEmpty {
                var trie = ByteTrie()
                for e in finals where e.key.count > prefix.count + suffix.count && e.key.starts(with: prefix) {
                    trie.insert(e.key.dropFirst(prefix.count).dropLast(suffix.count), value: Int32(e.id))
                }
                finalContinuing = trie
            } else {
                finalContinuing = nil
            }
        }
        if method == .longestSuffix {
            var reversed = ByteTrie()
            for e in regular { reversed.insert(e.key.reversed(), value: Int32(e.id)) }
            reversedInitial = reversed
            if !prefix.isEmpty {
                var trie = ByteTrie()
                for e in regular where e.key.count > prefix.count && e.key.starts(with: prefix) {
                    trie.insert(e.key.dropFirst(prefix.count).reversed(), value: Int32(e.id))
                }
                reversedContinuing = trie
            } else {
                reversedContinuing = nil
            }
        } else {
            reversedInitial = nil
            reversedContinuing = nil
        }

        let upperBound = Int(entries.last?.id ?? 0) + 1
        var scores = [Double](repeating: -.infinity, count: upperBound)
        if let override, let lowest = override.values.min() {
            for e in entries { scores[Int(e.id)] = override[e.id] ?? lowest }
            minimumScore = lowest
        } else if let scoreOf {
            for (id, s) in scoreOf where Int(id) < upperBound { scores[Int(id)] = s }
        } else {
            // Zipf over the id order of the segmentable tokens.
            let harmonic = (1...max(1, entries.count)).reduce(0.0) { $0 + 1 / Double($1) }
            for (rank, e) in entries.enumerated() { scores[Int(e.id)] = -log(Double(rank + 1) * harmonic) }
            minimumScore = -log(Double(entries.count) * harmonic)
        }

        self.method = method
        self.model = model
        self.initial = initial
        self.continuing = continuing
        self.scores = scores
        self.unknownScore = minimumScore - 10
        self.byteLevel = byteLevel
        self.byteFallbackIDs = byteFallback
        self.unknownID = unknown
        self.fuseUnknown = fuse
        self.unknownWholeWord = wholeWord
        self.maximumCharacters = maximum
        self.unknownRequired = required
        self.unknownValue = unknown.flatMap { model.token(forID: $0) }
        switch model {
        case .unigram: self.unigramConventions = true
        case let .sentencePiece(m): self.unigramConventions = m.kind == .unigram
        default: self.unigramConventions = false
        }
    }

    // MARK: - Segmentation

    /// One piece of a segmentation: a byte range of the segmented bytes and its token id, or
    /// -1 for a character the vocabulary does not cover (handled by the fallback rules).
    typealias Segment = (range: Range<Int>, id: Int32)

    /// Tokenizes one piece as the model would, but choosing the segmentation with `method`.
    /// Offsets are byte ranges of `text`, as `TokenizationModel.tokenize` gives them.
    public func tokenize(_ text: [UInt8]) throws(TokenizationError) -> [Token] {
        if text.isEmpty { return [] }
        if let maximumCharacters, text.scalarCount > maximumCharacters { return try unknownWord(text.count) }
        guard let (bytes, offsets) = domainBytes(text) else { return try unknownWord(text.count) }
        let segments = bytes.withUnsafeBufferPointer { segment($0) }
        guard let segments else { return try unknownWord(text.count) }
        return try tokens(segments, bytes: bytes, offsets: offsets)
    }

    /// The bytes the vocabulary's keys are made of (raw bytes for byte-level BPE) and, for
    /// byte-level BPE, where each raw byte starts in `text` (nil when they are the same bytes).
    func domainBytes(_ text: [UInt8]) -> ([UInt8], [Int]?)? {
        guard byteLevel else { return (text, nil) }
        var raw: [UInt8] = []
        raw.reserveCapacity(text.count)
        let ok = text.withUnsafeBufferPointer { ByteLevelAlphabet.decode(utf8: $0, into: &raw) }
        // Characters outside the byte-level alphabet: the model treats the piece as unknown.
        guard ok else { return nil }
        var offsets: [Int] = []
        offsets.reserveCapacity(raw.count + 1)
        var offset = 0
        for b in raw {
            offsets.append(offset)
            offset += ByteLevelAlphabet.utf8ForByte[Int(b)].count
        }
        offsets.append(offset)
        return (raw, offsets)
    }

    /// The segmentation of `bytes` with `method`, or nil when it cannot be covered and the model
    /// turns such a word into its unknown token (WordPiece).
    func segment(_ bytes: UnsafeBufferPointer<UInt8>) -> [Segment]? {
        switch method {
        case .merges, .longestPrefix: return longestPrefix(bytes)
        case .longestSuffix: return longestSuffix(bytes)
        case .longestToken: return longestToken(bytes)
        case .leastTokens: return leastTokens(bytes)
        case .unigram: return viterbi(bytes)
        }
    }

    /// The trie of keys that may start at `position`.
    @inline(__always)
    func trie(at position: Int) -> ByteTrie {
        position == 0 ? initial : (continuing ?? initial)
    }

    /// Whether keys of the regular tries may end at `end` (not the end of the piece when the
    /// vocabulary has an end-of-word suffix).
    @inline(__always)
    func regularKeyMayEnd(at end: Int, _ count: Int) -> Bool {
        finalInitial == nil || end < count
    }

    /// The end-of-word key covering bytes[position...], if the vocabulary has one.
    @inline(__always)
    func finalMatch(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> Int32? {
        guard let finalInitial else { return nil }
        let trie = position == 0 ? finalInitial : (finalContinuing ?? finalInitial)
        guard bytes.count - position <= trie.maxKeyLength else { return nil }
        return trie.exactValue(UnsafeBufferPointer(rebasing: bytes[position...]))
    }

    /// Whether a character the vocabulary lacks can still be emitted (not for WordPiece).
    var allowsFallback: Bool { !unknownWholeWord }

    /// The length of the character (or byte, for byte-level) starting at `position`.
    @inline(__always)
    func unitLength(_ bytes: UnsafeBufferPointer<UInt8>, _ position: Int) -> Int {
        byteLevel ? 1 : min(UTF8.scalarLength(leadByte: bytes[position]), bytes.count - position)
    }

    /// The longest key starting at `position` and ending by `end`.
    @inline(__always)
    func longestMatch(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int, end: Int) -> (length: Int, id: Int32)? {
        // An end-of-word key reaching the end is the longest match there can be.
        if end == bytes.count, let v = finalMatch(bytes, at: position) { return (end - position, v) }
        let trie = trie(at: position)
        var node = ByteTrie.root
        var i = position
        var result: (length: Int, id: Int32)?
        while i < end, let next = trie.child(node, bytes[i]) {
            node = next
            i += 1
            let v = trie.value(node)
            if v >= 0 && regularKeyMayEnd(at: i, bytes.count) { result = (i - position, v) }
        }
        return result
    }

    private func longestPrefix(_ bytes: UnsafeBufferPointer<UInt8>) -> [Segment]? {
        var segments: [Segment] = []
        var i = 0
        while i < bytes.count {
            if let m = longestMatch(bytes, at: i, end: bytes.count) {
                segments.append((i..<(i + m.length), m.id))
                i += m.length
            } else {
                guard allowsFallback else { return nil }
                let length = unitLength(bytes, i)
                segments.append((i..<(i + length), -1))
                i += length
            }
        }
        return segments
    }

    private func longestSuffix(_ bytes: UnsafeBufferPointer<UInt8>) -> [Segment]? {
        var segments: [Segment] = []
        var end = bytes.count
        let reversed = reversedContinuing ?? reversedInitial!
        // With a continuing prefix, a key may start at 0 only from the initial keys.
        let lowest = reversedContinuing == nil ? 0 : 1
        /// Takes the token found before `end`, else one unknown character (one byte when byte
        /// level); false when there is neither a token nor a fallback.
        func take(_ best: (start: Int, id: Int32)?) -> Bool {
            if let best {
                segments.append((best.start..<end, best.id))
                end = best.start
                return true
            }
            guard allowsFallback else { return false }
            var start = end - 1
            if !byteLevel { while start > 0 && bytes[start] & 0xC0 == 0x80 { start -= 1 } }
            segments.append((start..<end, -1))
            end = start
            return true
        }
        while end > 0 {
            var best: (start: Int, id: Int32)?
            if end == bytes.count, let finalInitial {
                // The last token must be an end-of-word key: the first start that has one is the
                // longest (only once per piece, so a scan of starts is cheap enough).
                var s = max(0, end - max(finalInitial.maxKeyLength, finalContinuing?.maxKeyLength ?? 0))
                while s < end {
                    if let v = finalMatch(bytes, at: s) { best = (s, v); break }
                    s += 1
                }
                guard take(best) else { return nil }
                continue
            }
            var node = ByteTrie.root
            var i = end
            while i > lowest, let next = reversed.child(node, bytes[i - 1]) {
                node = next
                i -= 1
                let v = reversed.value(node)
                if v >= 0 { best = (i, v) }
            }
            if reversedContinuing != nil, end <= initial.maxKeyLength,
               let v = initial.exactValue(UnsafeBufferPointer(rebasing: bytes[0..<end])) {
                best = (0, v)
            }
            guard take(best) else { return nil }
        }
        segments.reverse()
        return segments
    }

    private func longestToken(_ bytes: UnsafeBufferPointer<UInt8>) -> [Segment]? {
        var segments: [Segment] = []
        // Spans still to segment; an explicit stack, since the recursion can be as deep as the
        // piece is long.
        var spans: [Range<Int>] = [0..<bytes.count]
        while let span = spans.popLast() {
            if span.isEmpty { continue }
            var best: (start: Int, length: Int, id: Int32)?
            var i = span.lowerBound
            while i < span.upperBound {
                if let m = longestMatch(bytes, at: i, end: span.upperBound), m.length > (best?.length ?? 0) {
                    best = (i, m.length, m.id)
                }
                i += 1
            }
            guard let best else {
                // Nothing of the vocabulary in the span: every character falls back.
                guard allowsFallback else { return nil }
                var p = span.lowerBound
                while p < span.upperBound {
                    let length = min(unitLength(bytes, p), span.upperBound - p)
                    segments.append((p..<(p + length), -1))
                    p += length
                }
                continue
            }
            segments.append((best.start..<(best.start + best.length), best.id))
            spans.append(span.lowerBound..<best.start)
            spans.append((best.start + best.length)..<span.upperBound)
        }
        segments.sort { $0.range.lowerBound < $1.range.lowerBound }
        return segments
    }

    /// The number of tokens a fallback character becomes (its bytes with byte fallback).
    @inline(__always)
    func fallbackCost(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int {
        if let byteFallbackIDs, bytes[range].allSatisfy({ byteFallbackIDs[Int($0)] != nil }) { return range.count }
        return 1
    }

    private func leastTokens(_ bytes: UnsafeBufferPointer<UInt8>) -> [Segment]? {
        let n = bytes.count
        // cost[i]: fewest tokens for bytes[i...]; choice[i]: the first piece of that best
        // suffix segmentation. Filled right to left so that the tie rule (longest first token)
        // is a comparison at each position.
        var cost = [Int](repeating: .max, count: n + 1)
        var choice = [Segment](repeating: (0..<0, -1), count: n + 1)
        cost[n] = 0
        for i in stride(from: n - 1, through: 0, by: -1) {
            var best = Int.max
            var bestChoice: Segment = (i..<i, -1)
            let unit = unitLength(bytes, i)
            let hasUnit = forEachKey(bytes, at: i, unit: unit) { end, v in
                // Lengths grow along the walk: `<=` keeps the longest among equal costs.
                if cost[end] != .max, cost[end] + 1 <= best {
                    best = cost[end] + 1
                    bestChoice = (i..<end, v)
                }
            }
            if !hasUnit, allowsFallback, cost[i + unit] != .max {
                let c = cost[i + unit] + fallbackCost(bytes, i..<(i + unit))
                if c < best || (c == best && unit > bestChoice.range.count) {
                    best = c
                    bestChoice = (i..<(i + unit), -1)
                }
            }
            cost[i] = best
            choice[i] = bestChoice
        }
        guard cost[0] != .max else { return nil }
        var segments: [Segment] = []
        var i = 0
        while i < n {
            segments.append(choice[i])
            i = choice[i].range.upperBound
        }
        return segments
    }

    /// The best path ending at a byte position: its score, where its last piece starts, that piece.
    struct PathNode {
        var score: Double
        var start: Int32
        var id: Int32
    }

    /// Viterbi over the lattice of keys and fallback characters, as `UnigramModel.segment`
    /// (ties keep the first candidate found: the earliest start).
    func viterbi(_ bytes: UnsafeBufferPointer<UInt8>) -> [Segment]? {
        let n = bytes.count
        var best = [PathNode](repeating: PathNode(score: 0, start: -1, id: -1), count: n + 1)
        best[0].start = 0
        forEachEdge(bytes) { start, end, id, score in
            guard best[start].start >= 0 else { return }
            let candidate = best[start].score + score
            if best[end].start < 0 || candidate > best[end].score {
                best[end] = PathNode(score: candidate, start: Int32(start), id: id)
            }
        }
        guard best[n].start >= 0 else { return nil }
        var segments: [Segment] = []
        var end = n
        while end > 0 {
            let start = Int(best[end].start)
            segments.append((start..<end, best[end].id))
            end = start
        }
        segments.reverse()
        return segments
    }

    /// Calls `body(start, end, id, score)` for every edge of the lattice, by increasing start:
    /// each key of the vocabulary found in `bytes`, and a fallback edge (id -1) for each
    /// character that is not itself a key (SentencePiece's and `tokenizers`' rule).
    func forEachEdge(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (Int, Int, Int32, Double) -> Void) {
        let n = bytes.count
        var i = 0
        while i < n {
            let unit = unitLength(bytes, i)
            let hasUnit = forEachKey(bytes, at: i, unit: unit) { end, v in
                body(i, end, v, scores.isEmpty ? 0 : scores[Int(v)])
            }
            if !hasUnit, allowsFallback { body(i, i + unit, -1, unknownScore) }
            i += unit
        }
    }

    /// Calls `body(end, id)` for every key of the vocabulary that starts at `start` in `bytes`,
    /// by increasing end (the keys that may end the piece only, last); returns whether the
    /// character at `start` (`unit` bytes) is itself one of them.
    private func forEachKey(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, unit: Int,
                            _ body: (_ end: Int, _ id: Int32) -> Void) -> Bool {
        let n = bytes.count
        var hasUnit = false
        let trie = trie(at: start)
        var node = ByteTrie.root
        var end = start
        while end < n, let next = trie.child(node, bytes[end]) {
            node = next
            end += 1
            let v = trie.value(node)
            guard v >= 0, regularKeyMayEnd(at: end, n) else { continue }
            if end - start == unit { hasUnit = true }
            body(end, v)
        }
        if let v = finalMatch(bytes, at: start) {
            if n - start == unit { hasUnit = true }
            body(n, v)
        }
        return hasUnit
    }

    // MARK: - Tokens

    /// The unknown token for the whole piece (WordPiece's rule).
    func unknownWord(_ length: Int) throws(TokenizationError) -> [Token] {
        guard let unknownID else {
            if unknownWholeWord, case let .wordPiece(m) = model { throw .unknownTokenMissing(m.unknownToken) }
            return []
        }
        return [Token(id: unknownID, value: unknownValue ?? "", offsets: 0..<length)]
    }

    /// Tokens of a segmentation, fallback characters expanded by the model's rules and offsets
    /// mapped back to the piece the model was given.
    func tokens(_ segments: [Segment], bytes: [UInt8], offsets: [Int]?) throws(TokenizationError) -> [Token] {
        @inline(__always) func map(_ r: Range<Int>) -> Range<Int> {
            guard let offsets else { return r }
            return offsets[r.lowerBound]..<offsets[r.upperBound]
        }
        var tokens: [Token] = []
        tokens.reserveCapacity(segments.count)
        var previousUnknown = false
        // `tokenizers`' Unigram shows the text of an unknown token; SentencePiece shows "<unk>".
        var isTextValued = false
        if case .unigram = model { isTextValued = true }
        for (range, id) in segments {
            if id >= 0 {
                tokens.append(Token(id: TokenID(id), value: model.token(forID: TokenID(id)) ?? "", offsets: map(range)))
                previousUnknown = false
                continue
            }
            if let byteFallbackIDs, bytes[range].allSatisfy({ byteFallbackIDs[Int($0)] != nil }) {
                for i in range {
                    let id = byteFallbackIDs[Int(bytes[i])]!
                    tokens.append(Token(id: id, value: model.token(forID: id) ?? "", offsets: map(unigramConventions ? range : i..<(i + 1))))
                }
                previousUnknown = false
                continue
            }
            guard let unknownID else {
                if unknownRequired { throw .unknownTokenMissing("unk_id") }
                continue  // dropped, as the model drops a character it has no token for
            }
            if previousUnknown && fuseUnknown, let last = tokens.last {
                let fused = last.offsets.lowerBound..<map(range).upperBound
                tokens[tokens.count - 1].offsets = fused
                if isTextValued { tokens[tokens.count - 1].value = String(decoding: bytes[fused], as: UTF8.self) }
            } else {
                let value = isTextValued ? String(decoding: bytes[range], as: UTF8.self) : unknownValue ?? ""
                tokens.append(Token(id: unknownID, value: value, offsets: map(range)))
            }
            previousUnknown = true
        }
        return tokens
    }
}
