// BPE-dropout with a generator chosen by the caller. The model's own `dropout` option (from a
// tokenizer.json) draws from the system generator, as `tokenizers` does, so it cannot be
// replayed; this entry point takes the randomness as an argument so that a seeded
// `SeededRandomGenerator` makes a run reproducible. At probability 0 it is the model's own
// `tokenize`; above, every word goes through the heap algorithm (`mergeWithDropout`) without
// the direct vocabulary hit of `ignore_merges` (and of tiktoken files): `tokenizers` makes that
// hit only on its deterministic, cached path, so with dropout a word that is itself a token
// can still come out split.

extension BPEModel {
    /// Tokenizes one piece with BPE-dropout (Provilkov et al., 2020): every candidate merge,
    /// when it comes up as the best one, is skipped with `probability`; skipped candidates return
    /// to the queue after the next merge that happens (`tokenizers`' rule), so at 0 this is the
    /// ordinary encoding and at 1 no merge is made.
    ///
    /// - Complexity: O(n log n) in the length of the piece, plus the skipped draws.
    public func tokenize<G: RandomNumberGenerator>(_ text: [UInt8], dropout probability: Float,
                                                   using generator: inout G) throws(TokenizationError) -> [Token] {
        if text.isEmpty { return [] }
        if probability <= 0 { return try tokenize(text) }
        switch alphabet {
        case .byteLevel:
            var raw: [UInt8] = []
            raw.reserveCapacity(text.count)
            let ok = text.withUnsafeBufferPointer { ByteLevelAlphabet.decode(utf8: $0, into: &raw) }
            if !ok { return try tokenizeUnknownScalars(text) }
            var symbols = byteSymbols(raw)
            if symbols.count > 1 { mergeWithDropout(&symbols, probability: probability, using: &generator) }
            if !options.scaffoldSplits.isEmpty { splitScaffolds(&symbols) }
            return byteLevelTokens(symbols.map(\.id))
        case .unicode:
            var symbols = try initialSymbols(text)
            if symbols.count > 1 { mergeWithDropout(&symbols, probability: probability, using: &generator) }
            if !options.scaffoldSplits.isEmpty { splitScaffolds(&symbols) }
            return unicodeTokens(symbols)
        }
    }
}
