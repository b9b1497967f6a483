// Performance notes: encoding is one Viterbi pass over the UTF-8 bytes (tokenizers'
// `encode_optimized`): from each character position the vocabulary trie is walked
// byte by byte, so the cost is O(n · longest piece). The best path is kept in
// three flat arrays of n + 1 entries, allocated once per call.

/// Why a Unigram vocabulary cannot be used (the checks of `tokenizers`' `Unigram::from`).
public enum UnigramModelError: Error, Equatable, CustomStringConvertible {
    case emptyVocabulary
    case unknownIDOutOfRange(Int, count: Int)

    public var description: String {
        switch self {
        case .emptyVocabulary: return "the vocabulary is empty but at least the unknown token is needed"
        case let .unknownIDOutOfRange(id, count): return "unk_id \(id) is not below the vocabulary size \(count)"
        }
    }
}

/// The Unigram language model of Hugging Face `tokenizers` (tokenizer.json `"type": "Unigram"`):
/// the segmentation with the highest total score, runs of unknown characters fused into one
/// unknown token, and optional byte fallback (`<0xXX>` pieces) for them.
public struct UnigramModel: TokenizationModel {
    /// The id of the unknown token, if any.
    public let unknownID: TokenID?
    public let byteFallback: Bool
    /// Score of each id (a log probability).
    let scores: [Double]
    /// Pieces by id: bytes concatenated, piece i spans pieceStarts[i]..<pieceStarts[i+1].
    let pieceBytes: [UInt8]
    let pieceStarts: [UInt32]
    /// Piece → id (the last id when a piece appears twice, as in `tokenizers`).
    let vocabulary: ByteStringTable
    let trie: ByteTrie
    /// Score of an unknown character: the lowest score minus 10.
    let unknownScore: Double
    /// Id of `<0xXX>` for each byte, when byte fallback is on.
    let byteFallbackIDs: [TokenID?]

    public var vocabularySize: Int { scores.count }

    /// Builds a model from pieces and scores, in id order.
    public init(vocabulary: [(piece: String, score: Double)], unknownID: Int?, byteFallback: Bool) throws(UnigramModelError) {
        var bytes: [UInt8] = []
        var starts: [UInt32] = [0]
        for (piece, _) in vocabulary {
            bytes += piece.utf8
            starts.append(UInt32(bytes.count))
        }
        try self.init(pieceBytes: bytes, pieceStarts: starts, scores: vocabulary.map(\.score),
                      unknownID: unknownID, byteFallback: byteFallback)
    }

    /// Builds a model from concatenated piece bytes (`pieceStarts` has one more entry than `scores`).
    init(pieceBytes: [UInt8], pieceStarts: [UInt32], scores: [Double], unknownID: Int?, byteFallback: Bool) throws(UnigramModelError) {
        precondition(pieceStarts.count == scores.count + 1)
        if let unknownID {
            if scores.isEmpty { throw .emptyVocabulary }
            if unknownID >= scores.count { throw .unknownIDOutOfRange(unknownID, count: scores.count) }
        }
        var vocabulary = ByteStringTable(expectedCount: scores.count)
        var trie = ByteTrie()
        var minScore = Double.infinity
        pieceBytes.withUnsafeBufferPointer { all in
            for id in scores.indices {
                let piece = UnsafeBufferPointer(rebasing: all[Int(pieceStarts[id])..<Int(pieceStarts[id + 1])])
                vocabulary.set(piece, UInt32(id))
                if scores[id] < minScore { minScore = scores[id] }
            }
            // The trie holds each distinct piece once, with the id the vocabulary maps it to.
            for id in scores.indices {
                let piece = UnsafeBufferPointer(rebasing: all[Int(pieceStarts[id])..<Int(pieceStarts[id + 1])])
                if vocabulary.value(for: piece) == UInt32(id) { trie.insert(piece, value: Int32(id)) }
            }
        }
        var fallback = [TokenID?](repeating: nil, count: 256)
        for b in 0..<256 { fallback[b] = vocabulary.value(for: byteFallbackPiece(UInt8(b))) }
        self.unknownID = unknownID.map { TokenID($0) }
        self.byteFallback = byteFallback
        self.scores = scores
        self.pieceBytes = pieceBytes
        self.pieceStarts = pieceStarts
        self.vocabulary = vocabulary
        self.trie = trie
        self.unknownScore = minScore - 10.0
        self.byteFallbackIDs = fallback
    }

    // MARK: - Vocabulary

    func pieceRange(_ id: Int) -> Range<Int> { Int(pieceStarts[id])..<Int(pieceStarts[id + 1]) }

    public func token(forID id: TokenID) -> String? {
        guard Int(id) < scores.count else { return nil }
        return String(decoding: pieceBytes[pieceRange(Int(id))], as: UTF8.self)
    }

    public func id(forToken token: String) -> TokenID? {
        vocabulary.value(for: token)
    }

    /// The score of a piece.
    public func score(forID id: TokenID) -> Double? {
        Int(id) < scores.count ? scores[Int(id)] : nil
    }

    // MARK: - Encoding

    /// The best segmentation of `text` as byte ranges, with runs of unknown characters fused
    /// (tokenizers' `encode_optimized`). Throws when an unknown character needs an unknown token
    /// that the model does not have.
    func segment(_ text: UnsafeBufferPointer<UInt8>) throws(TokenizationError) -> [Range<Int>] {
        let n = text.count
        if n == 0 { return [] }
        var best = [BestPathNode](repeating: BestPathNode(score: 0, start: -1, id: 0), count: n + 1)
        let unknown = unknownID.map { Int32($0) } ?? -1
        let complete = best.withUnsafeMutableBufferPointer { viterbi(text, $0, unknown: unknown) }
        guard complete else { throw .unknownTokenMissing("unk_id") }
        // Backtrack, fusing consecutive unknown nodes.
        var segments: [Range<Int>] = []
        var end = n
        var fusedEnd = -1
        while end > 0 {
            let start = Int(best[end].start)
            if best[end].id == unknown {
                if fusedEnd < 0 { fusedEnd = end }
            } else {
                if fusedEnd >= 0 {
                    segments.append(end..<fusedEnd)
                    fusedEnd = -1
                }
                segments.append(start..<end)
            }
            end = start
        }
        if fusedEnd >= 0 { segments.append(0..<fusedEnd) }
        segments.reverse()
        return segments
    }

    /// The best path ending at a byte position: its score, where its last piece starts, that piece.
    struct BestPathNode {
        var score: Double
        var start: Int32
        var id: Int32
    }

    /// Fills `best`; returns false when an unknown character needs the missing unknown token.
    private func viterbi(_ text: UnsafeBufferPointer<UInt8>, _ best: UnsafeMutableBufferPointer<BestPathNode>, unknown: Int32) -> Bool {
        let n = text.count
        var position = 0
        while position < n {
            let base = best[position].score
            let characterLength = min(UTF8.scalarLength(leadByte: text[position]), n - position)
            var hasSingleNode = false
            var node = ByteTrie.root
            var end = position
            while end < n, let next = trie.child(node, text[end]) {
                node = next
                end += 1
                let id = trie.value(node)
                guard id >= 0 else { continue }
                let candidate = scores[Int(id)] + base
                if best[end].start < 0 || candidate > best[end].score {
                    best[end] = BestPathNode(score: candidate, start: Int32(position), id: id)
                }
                if end - position == characterLength { hasSingleNode = true }
            }
            if !hasSingleNode {
                let target = position + characterLength
                let candidate = unknownScore + base
                if best[target].start < 0 || candidate > best[target].score {
                    guard unknown >= 0 else { return false }
                    best[target] = BestPathNode(score: candidate, start: Int32(position), id: unknown)
                }
            }
            position += characterLength
        }
        return true
    }

    public func tokenize(_ text: [UInt8]) throws(TokenizationError) -> [Token] {
        try text.withUnsafeBufferPointer { text throws(TokenizationError) in
            let segments = try segment(text)
            var tokens: [Token] = []
            tokens.reserveCapacity(segments.count)
            for range in segments {
                let piece = UnsafeBufferPointer(rebasing: text[range])
                if let id = vocabulary.value(for: piece) {
                    tokens.append(Token(id: id, value: String(decoding: piece, as: UTF8.self), offsets: range))
                    continue
                }
                if byteFallback, piece.allSatisfy({ byteFallbackIDs[Int($0)] != nil }) {
                    for byte in piece {
                        tokens.append(Token(id: byteFallbackIDs[Int(byte)]!, value: byteFallbackPiece(byte), offsets: range))
                    }
                    continue
                }
                guard let unknownID else { throw .unknownTokenMissing("unk_id") }
                tokens.append(Token(id: unknownID, value: String(decoding: piece, as: UTF8.self), offsets: range))
            }
            return tokens
        }
    }
}

/// The byte-fallback piece of a byte: `<0x0A>`.
func byteFallbackPiece(_ byte: UInt8) -> String {
    let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F"]
    return "<0x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 15)]) + ">"
}

extension UnigramModel {
    /// A one-line description for `tokenkit info`.
    var summary: String {
        var parts = ["\(vocabularySize) pieces"]
        if let unknownID { parts.append("unk_id \(unknownID)") }
        if byteFallback { parts.append("byte_fallback") }
        return "Unigram(" + parts.joined(separator: ", ") + ")"
    }
}
