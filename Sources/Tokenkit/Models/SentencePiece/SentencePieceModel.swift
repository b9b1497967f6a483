// Performance notes: the text the model sees is the normalizer's output, one string
// for the whole input. Unigram is one Viterbi pass over its bytes (O(n · longest
// piece), as `EncodeOptimized`); BPE merges with a binary heap of candidate pairs
// (O(n log n)) whose stale entries are skipped, as `bpe_model.cc`. Pieces are looked
// up by byte slices of the text; nothing is allocated per character.

/// The segmentation models of SentencePiece `.model` files, with SentencePiece's exact
/// semantics (`unigram_model.cc`, `bpe_model.cc`, `word_model.cc`, `char_model.cc`) and
/// its post-processing of the result (`PopulateSentencePieceText`): runs of unknown
/// characters merged into one unknown piece, or split into `<0xXX>` byte pieces when the
/// model has byte fallback.
public struct SentencePieceModel: TokenizationModel {
    public enum Kind: String, Sendable {
        case unigram, bpe, word, character = "char"
    }

    /// The type of a piece (`ModelProto.SentencePiece.Type`).
    public enum PieceType: UInt8, Sendable {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    /// A vocabulary entry as `.model` files and trainers hold it: its text, score and type.
    public struct Piece: Sendable, Equatable {
        public var piece: String
        /// Log probability for Unigram, minus the merge rank for BPE (0 for special pieces).
        public var score: Float
        public var type: PieceType

        public init(piece: String, score: Float, type: PieceType) {
            self.piece = piece
            self.score = score
            self.type = type
        }
    }

    public let kind: Kind
    public let byteFallback: Bool
    public let unknownID: TokenID
    let types: [PieceType]
    let scores: [Float]
    /// Pieces by id: bytes concatenated, piece i spans pieceStarts[i]..<pieceStarts[i+1].
    let pieceBytes: [UInt8]
    let pieceStarts: [UInt32]
    /// Normal, user-defined and unused pieces (`pieces_`).
    let pieces: ByteStringTable
    /// Control, unknown and byte pieces (`reserved_id_map_`).
    let reserved: ByteStringTable
    /// Unigram: the trie of `pieces`.
    let trie: ByteTrie
    /// User-defined symbols (longest match), for BPE and CHAR.
    let userDefinedSymbols: ByteTrie?
    /// Unigram: the lowest and highest scores of normal pieces.
    let minScore: Float
    let maxScore: Float
    /// Byte fallback: the id of `<0xXX>` for each byte.
    let byteIDs: [TokenID]

    public var vocabularySize: Int { types.count }

    /// Why pieces cannot form a model (the checks of SentencePiece's `InitializePieces`).
    public struct InvalidPieces: Error, Equatable {
        /// Index of the offending piece, when one is to blame.
        public var index: Int?
        public var message: String
    }

    /// Builds a model. Throws when SentencePiece would refuse to load the pieces.
    public init(kind: Kind, pieces list: [(piece: String, score: Float, type: PieceType)], byteFallback: Bool) throws(InvalidPieces) {
        var bytes: [UInt8] = []
        var starts: [UInt32] = [0]
        var pieces = ByteStringTable(expectedCount: list.count)
        var reserved = ByteStringTable()
        var unknownID: Int?
        var userDefined: [Int] = []
        var byteIDs = [TokenID?](repeating: nil, count: 256)
        var minScore = Float.greatestFiniteMagnitude
        var maxScore = Float.leastNormalMagnitude
        for (i, entry) in list.enumerated() {
            let utf8 = Array(entry.piece.utf8)
            if utf8.isEmpty { throw InvalidPieces(index: i, message: "piece must not be empty") }
            let isNormal = entry.type == .normal || entry.type == .userDefined || entry.type == .unused
            if pieces.value(for: utf8) != nil || reserved.value(for: utf8) != nil {
                throw InvalidPieces(index: i, message: "piece \(entry.piece.debugDescription) is already defined")
            }
            if isNormal { pieces.set(utf8, UInt32(i)) } else { reserved.set(utf8, UInt32(i)) }
            switch entry.type {
            case .userDefined:
                userDefined.append(i)
            case .unknown:
                if unknownID != nil { throw InvalidPieces(index: i, message: "a second piece of type UNKNOWN (unk is already defined)") }
                unknownID = i
            case .byte:
                guard byteFallback else {
                    throw InvalidPieces(index: i, message: "byte piece \(entry.piece.debugDescription) although trainer_spec.byte_fallback is false")
                }
                guard let b = byteValue(ofPiece: utf8) else {
                    throw InvalidPieces(index: i, message: "byte piece \(entry.piece.debugDescription) is not of the form <0xXX>")
                }
                byteIDs[Int(b)] = TokenID(i)
            case .normal:
                minScore = min(minScore, entry.score)
                maxScore = max(maxScore, entry.score)
            default:
                break
            }
            bytes += utf8
            starts.append(UInt32(bytes.count))
        }
        guard let unknownID else { throw InvalidPieces(index: nil, message: "no piece of type UNKNOWN (unk is not defined)") }
        if byteFallback, let missing = byteIDs.firstIndex(where: { $0 == nil }) {
            throw InvalidPieces(index: nil, message: "trainer_spec.byte_fallback is true but there is no byte piece \(byteFallbackPiece(UInt8(missing))) (256 are needed)")
        }
        var trie = ByteTrie()
        if kind == .unigram {
            if pieces.count == 0 { throw InvalidPieces(index: nil, message: "no normal, user-defined or unused piece (no pieces are loaded)") }
            pieces.forEach { key, id in trie.insert(key, value: Int32(id)) }
        }
        var matcher: ByteTrie?
        if !userDefined.isEmpty {
            var t = ByteTrie()
            for id in userDefined { t.insert(bytes[Int(starts[id])..<Int(starts[id + 1])], value: Int32(id)) }
            matcher = t
        }
        self.kind = kind
        self.byteFallback = byteFallback
        self.unknownID = TokenID(unknownID)
        self.types = list.map(\.type)
        self.scores = list.map(\.score)
        self.pieceBytes = bytes
        self.pieceStarts = starts
        self.pieces = pieces
        self.reserved = reserved
        self.trie = trie
        self.userDefinedSymbols = matcher
        self.minScore = minScore
        self.maxScore = maxScore
        self.byteIDs = byteIDs.map { $0 ?? 0 }
    }

    // MARK: - Vocabulary

    func pieceRange(_ id: Int) -> Range<Int> { Int(pieceStarts[id])..<Int(pieceStarts[id + 1]) }

    public func token(forID id: TokenID) -> String? {
        guard Int(id) < types.count else { return nil }
        return String(decoding: pieceBytes[pieceRange(Int(id))], as: UTF8.self)
    }

    public func id(forToken token: String) -> TokenID? {
        reserved.value(for: token) ?? pieces.value(for: token)
    }

    /// The type of a piece.
    public func type(ofID id: TokenID) -> PieceType? {
        Int(id) < types.count ? types[Int(id)] : nil
    }

    /// The score of a piece.
    public func score(ofID id: TokenID) -> Float? {
        Int(id) < scores.count ? scores[Int(id)] : nil
    }

    /// SentencePiece's `PieceToId`: reserved pieces first, then the others, else the unknown id.
    @inline(__always)
    func pieceToID(_ piece: UnsafeBufferPointer<UInt8>) -> Int {
        if let id = reserved.value(for: piece) { return Int(id) }
        if let id = pieces.value(for: piece) { return Int(id) }
        return Int(unknownID)
    }

    /// One character (`OneCharLen`, clipped to the text), or the longest user-defined symbol.
    @inline(__always)
    func prefixMatch(_ text: UnsafeBufferPointer<UInt8>, at position: Int) -> (length: Int, isUserDefined: Bool) {
        if let userDefinedSymbols, let match = userDefinedSymbols.longestPrefix(of: text, from: position) {
            return (match.length, true)
        }
        return (min(oneCharLength(text[position]), text.count - position), false)
    }

    // MARK: - Encoding

    /// One result of the model: a byte range of the normalized text and its piece id.
    typealias Segment = (range: Range<Int>, id: Int)

    func encode(_ text: UnsafeBufferPointer<UInt8>) -> [Segment] {
        if text.isEmpty { return [] }
        switch kind {
        case .unigram: return encodeUnigram(text)
        case .bpe: return encodeBPE(text)
        case .word: return encodeWords(text)
        case .character: return encodeCharacters(text)
        }
    }

    /// `unigram::Model::EncodeOptimized`. Path scores are single-precision sums, as in the
    /// `sentencepiece` builds (checked on near-ties: double-precision sums pick other paths).
    private func encodeUnigram(_ text: UnsafeBufferPointer<UInt8>) -> [Segment] {
        let n = text.count
        var best = [BestPathNode](repeating: BestPathNode(score: 0, start: -1, id: -1), count: n + 1)
        best.withUnsafeMutableBufferPointer { viterbi(text, $0) }
        var segments: [Segment] = []
        var end = n
        while end > 0 {
            let start = Int(best[end].start)
            segments.append((start..<end, Int(best[end].id)))
            end = start
        }
        segments.reverse()
        return segments
    }

    /// The score SentencePiece (0.2.3) gives a user-defined piece of `length` (bytes in the
    /// Viterbi search, characters in the lattice): positive, so that it beats any normal piece,
    /// and higher for longer ones. (0.2.1 and earlier gave `length * maxScore - 0.1`.)
    static func userDefinedScore(length: Int) -> Float {
        Float(0.1 * Double(length - 1))
    }

    /// The best path ending at a byte position: its score, where its last piece starts, that piece.
    struct BestPathNode {
        var score: Float
        var start: Int32
        var id: Int32
    }

    /// SentencePiece's `EncodeOptimized`, in its float arithmetic. Path scores far from zero are
    /// rebased as it does: once the best score reaching a position passes ±100,000 (some 20,000
    /// characters in), it is subtracted from the scores of that position and of every reached
    /// position after it, so that sums keep their precision. The rounding that follows differs
    /// from never rebasing, and decides near-ties on long texts.
    private func viterbi(_ text: UnsafeBufferPointer<UInt8>, _ best: UnsafeMutableBufferPointer<BestPathNode>) {
        let n = text.count
        let unknownScore: Float = minScore - 10.0
        let unknown = Int32(unknownID)
        let resetThreshold: Float = 100_000
        // The furthest position a piece (or an unknown character) has reached.
        var frontier = 0
        var position = 0
        while position < n {
            var base = best[position].score
            if base < -resetThreshold || base > resetThreshold {
                let offset = base
                // (Every position is reached before it is searched from, by a piece or by an
                // unknown character, so the frontier is at least here; max() only keeps the range valid.)
                for i in position...max(position, frontier) where i == position || best[i].start != -1 {
                    best[i].score -= offset
                }
                base = 0
            }
            let characterLength = min(oneCharLength(text[position]), n - position)
            var hasSingleNode = false
            var node = ByteTrie.root
            var end = position
            while end < n, let next = trie.child(node, text[end]) {
                node = next
                end += 1
                let id = trie.value(node)
                guard id >= 0 else { continue }
                let type = types[Int(id)]
                if type == .unused { continue }
                let length = end - position
                frontier = max(frontier, end)
                let score: Float = type == .userDefined ? Self.userDefinedScore(length: length) : scores[Int(id)]
                let candidate: Float = score + base
                if best[end].start == -1 || candidate > best[end].score {
                    best[end] = BestPathNode(score: candidate, start: Int32(position), id: id)
                }
                if length == characterLength { hasSingleNode = true }
            }
            if !hasSingleNode {
                let target = position + characterLength
                frontier = max(frontier, target)
                let candidate: Float = unknownScore + base
                if best[target].start == -1 || candidate > best[target].score {
                    best[target] = BestPathNode(score: candidate, start: Int32(position), id: unknown)
                }
            }
            position += characterLength
        }
    }

    /// `bpe::Model::SampleEncode` without dropout: merges the adjacent pair whose
    /// concatenation is the best-scoring piece (ties: leftmost), until none merges.
    private func encodeBPE(_ text: UnsafeBufferPointer<UInt8>) -> [Segment] {
        var merger = BPEMerger(model: self, text: text)
        merger.mergeAll()
        return merger.segments()
    }

    /// The state of one BPE encoding: the symbols as a linked list over the text, and a heap of
    /// candidate merges (stale entries are recognised by their size and skipped).
    struct BPEMerger {
        struct Symbol {
            var prev: Int32
            var next: Int32
            var start: Int32
            var length: Int32
            var frozen: Bool
        }

        struct Candidate {
            var score: Float
            var left: Int32
            var right: Int32
            var size: Int32
            /// Heap order: higher score first, then the leftmost pair.
            @inline(__always) func precedes(_ other: Candidate) -> Bool {
                score > other.score || (score == other.score && left < other.left)
            }
        }

        let model: SentencePieceModel
        let text: UnsafeBufferPointer<UInt8>
        var symbols: [Symbol] = []
        var heap: [Candidate] = []
        /// Merged unused pieces and the two pieces they came from, to split them again at the end.
        var reverseMerges: [[UInt8]: (Range<Int>, Range<Int>)] = [:]

        init(model: SentencePieceModel, text: UnsafeBufferPointer<UInt8>) {
            self.model = model
            self.text = text
            symbols.reserveCapacity(text.count)
            var position = 0
            while position < text.count {
                let (length, frozen) = model.prefixMatch(text, at: position)
                let index = Int32(symbols.count)
                symbols.append(Symbol(prev: index - 1, next: position + length < text.count ? index + 1 : -1,
                                      start: Int32(position), length: Int32(length), frozen: frozen))
                position += length
            }
            heap.reserveCapacity(symbols.count)
        }

        mutating func push(_ c: Candidate) {
            heap.append(c)
            heap.withUnsafeMutableBufferPointer { h in
                var i = h.count - 1
                while i > 0 {
                    let parent = (i - 1) / 2
                    guard c.precedes(h[parent]) else { break }
                    h[i] = h[parent]
                    i = parent
                }
                h[i] = c
            }
        }

        mutating func pop() -> Candidate {
            let top = heap[0]
            let last = heap.removeLast()
            let count = heap.count
            guard count > 0 else { return top }
            heap.withUnsafeMutableBufferPointer { h in
                // Sift the hole at the root down, then put the former last entry in it.
                var i = 0
                while true {
                    let l = 2 * i + 1
                    if l >= count { break }
                    var child = l
                    if l + 1 < count && h[l + 1].precedes(h[l]) { child = l + 1 }
                    if !h[child].precedes(last) { break }
                    h[i] = h[child]
                    i = child
                }
                h[i] = last
            }
            return top
        }

        /// `MaybeAddNewSymbolPair`.
        mutating func addCandidate(_ left: Int32, _ right: Int32) {
            guard left >= 0, right >= 0 else { return }
            let l = symbols[Int(left)], r = symbols[Int(right)]
            if l.frozen || r.frozen { return }
            let range = Int(l.start)..<Int(l.start + l.length + r.length)
            guard let id = model.pieces.value(for: UnsafeBufferPointer(rebasing: text[range])) else { return }
            push(Candidate(score: model.scores[Int(id)], left: left, right: right, size: l.length + r.length))
            if model.types[Int(id)] == .unused {
                reverseMerges[Array(text[range])] = (Int(l.start)..<Int(l.start + l.length), Int(r.start)..<Int(r.start + r.length))
            }
        }

        mutating func mergeAll() {
            // The dropout merge at probability 0 draws nothing: one copy of the algorithm.
            var unused = SystemRandomNumberGenerator()
            mergeAll(dropout: 0, using: &unused)
        }

        /// The final symbols, unused pieces split back into the pieces they were merged from.
        func segments() -> [Segment] {
            var segments: [Segment] = []
            segments.reserveCapacity(symbols.count)
            var index = symbols.isEmpty ? -1 : 0
            while index >= 0 {
                let s = symbols[index]
                resegment(Int(s.start)..<Int(s.start + s.length), into: &segments)
                index = Int(s.next)
            }
            return segments
        }

        func resegment(_ range: Range<Int>, into segments: inout [Segment]) {
            let piece = UnsafeBufferPointer(rebasing: text[range])
            let id = model.pieceToID(piece)
            guard model.types[id] == .unused, let (a, b) = reverseMerges[Array(piece)] else {
                segments.append((range, id))
                return
            }
            // The stored halves may come from another occurrence of the same piece: re-base them.
            let shift = range.lowerBound - a.lowerBound
            resegment((a.lowerBound + shift)..<(a.upperBound + shift), into: &segments)
            resegment((b.lowerBound + shift)..<(b.upperBound + shift), into: &segments)
        }
    }

    /// `word::Model::Encode`: pieces start at each "▁" (`SplitIntoWords`).
    private func encodeWords(_ text: UnsafeBufferPointer<UInt8>) -> [Segment] {
        var segments: [Segment] = []
        var start = 0
        var position = 0
        var inWhitespace = false
        while position < text.count {
            let length = min(oneCharLength(text[position]), text.count - position)
            let isSpace = length == 3 && text[position] == 0xE2 && text[position + 1] == 0x96 && text[position + 2] == 0x81
            if position == 0 || (isSpace && !inWhitespace) || isSpace {
                if position > start { segments.append((start..<position, 0)) }
                start = position
                inWhitespace = true
            }
            if inWhitespace && !isSpace { inWhitespace = false }
            position += length
        }
        if position > start { segments.append((start..<position, 0)) }
        for i in segments.indices { segments[i].id = pieceToID(UnsafeBufferPointer(rebasing: text[segments[i].range])) }
        return segments
    }

    /// `character::Model::Encode`: one piece per character or user-defined symbol.
    private func encodeCharacters(_ text: UnsafeBufferPointer<UInt8>) -> [Segment] {
        var segments: [Segment] = []
        var position = 0
        while position < text.count {
            let (length, _) = prefixMatch(text, at: position)
            let range = position..<(position + length)
            segments.append((range, pieceToID(UnsafeBufferPointer(rebasing: text[range]))))
            position += length
        }
        return segments
    }

    /// `PopulateSentencePieceText`: unknown pieces become byte pieces (byte fallback) or are
    /// merged with the unknown piece before them. Ranges are byte ranges of the normalized text
    /// (what `encode(out_type=str)` shows as the piece); byte pieces all cover their character.
    func pieces(_ text: UnsafeBufferPointer<UInt8>) -> [(id: TokenID, range: Range<Int>)] {
        populate(encode(text), text)
    }

    /// The post-processing of `pieces` on the model's segments.
    func populate(_ segments: [Segment], _ text: UnsafeBufferPointer<UInt8>) -> [(id: TokenID, range: Range<Int>)] {
        var result: [(id: TokenID, range: Range<Int>)] = []
        result.reserveCapacity(segments.count)
        var previousIsUnknown = false
        for (range, id) in segments {
            let isUnknown = types[id] == .unknown
            if isUnknown && byteFallback {
                for i in range { result.append((byteIDs[Int(text[i])], range)) }
            } else if isUnknown && previousIsUnknown, let last = result.last {
                result[result.count - 1].range = last.range.lowerBound..<range.upperBound
            } else {
                result.append((TokenID(id), range))
            }
            previousIsUnknown = isUnknown
        }
        return result
    }

    /// The ids of already normalized text (the ids-only path: no tokens, no offsets).
    func encodeIDs(normalized text: [UInt8]) -> [TokenID] {
        text.withUnsafeBufferPointer { text in pieces(text).map(\.id) }
    }

    /// Tokens with the piece of their id as value (what `id_to_piece` gives, `<unk>` for
    /// unknown text) and byte offsets in the normalized text.
    public func tokenize(_ text: [UInt8]) throws(TokenizationError) -> [Token] {
        text.withUnsafeBufferPointer { text in
            pieces(text).map { Token(id: $0.id, value: token(forID: $0.id) ?? "", offsets: $0.range) }
        }
    }
}

/// SentencePiece's `OneCharLen`: the length a lead byte announces (1 for a continuation byte).
@inline(__always)
func oneCharLength(_ leadByte: UInt8) -> Int {
    switch leadByte >> 4 {
    case 0xC, 0xD: return 2
    case 0xE: return 3
    case 0xF: return 4
    default: return 1
    }
}

/// The byte of a `<0xXX>` piece (upper-case hex, as SentencePiece writes them).
func byteValue(ofPiece piece: [UInt8]) -> UInt8? {
    guard piece.count == 6, piece[0] == UInt8(ascii: "<"), piece[1] == UInt8(ascii: "0"), piece[2] == UInt8(ascii: "x"),
          piece[5] == UInt8(ascii: ">") else { return nil }
    func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
    guard let high = hex(piece[3]), let low = hex(piece[4]) else { return nil }
    return high << 4 | low
}

extension SentencePieceModel {
    /// A one-line description for `tokenkit info`.
    var summary: String {
        var parts = ["\(vocabularySize) pieces", "unk_id \(unknownID)"]
        let userDefined = types.filter { $0 == .userDefined }.count
        let control = types.filter { $0 == .control }.count
        if control > 0 { parts.append("\(control) control") }
        if userDefined > 0 { parts.append("\(userDefined) user-defined") }
        if byteFallback { parts.append("byte_fallback") }
        return "SentencePiece \(kind.rawValue)(" + parts.joined(separator: ", ") + ")"
    }
}
