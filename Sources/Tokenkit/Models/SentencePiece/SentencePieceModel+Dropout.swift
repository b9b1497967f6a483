// BPE-dropout of SentencePiece BPE models, as `bpe::Model::SampleEncode` does it: a candidate
// merge that is still valid when it comes up is skipped with the dropout probability and, unlike
// `tokenizers`' dropout, never comes back. At probability 0 no draw is made: the deterministic
// `BPEMerger.mergeAll()` is this loop at 0.

extension SentencePieceModel.BPEMerger {
    mutating func mergeAll<G: RandomNumberGenerator>(dropout: Float, using generator: inout G) {
        if symbols.count > 1 {
            for i in 1..<symbols.count { addCandidate(Int32(i - 1), Int32(i)) }
        }
        while !heap.isEmpty {
            let top = pop()
            let left = Int(top.left), right = Int(top.right)
            if symbols[left].length == 0 || symbols[right].length == 0
                || symbols[left].length + symbols[right].length != top.size {
                continue
            }
            // SentencePiece's `skip_merge`: no draw at 0, always skipped at 1.
            if dropout >= 1 || (dropout > 0 && generator.nextUnitFloat() < dropout) { continue }
            symbols[left].length += symbols[right].length
            symbols[left].next = symbols[right].next
            if symbols[right].next >= 0 { symbols[Int(symbols[right].next)].prev = top.left }
            symbols[right].length = 0
            addCandidate(symbols[left].prev, top.left)
            addCandidate(top.left, symbols[left].next)
        }
    }
}

extension SentencePieceModel {
    /// Tokenizes with BPE-dropout (BPE models; SentencePiece's `SampleEncode` with alpha as the
    /// dropout probability): at 0 the ordinary merges, at 1 single characters. The unknown and
    /// byte-fallback post-processing is that of `tokenize`.
    public func tokenize<G: RandomNumberGenerator>(_ text: [UInt8], dropout: Float, using generator: inout G) -> [Token] {
        precondition(kind == .bpe, "BPE-dropout needs a BPE model")
        if text.isEmpty { return [] }
        return text.withUnsafeBufferPointer { text in
            var merger = BPEMerger(model: self, text: text)
            merger.mergeAll(dropout: dropout, using: &generator)
            return populate(merger.segments(), text).map { Token(id: $0.id, value: token(forID: $0.id) ?? "", offsets: $0.range) }
        }
    }
}
