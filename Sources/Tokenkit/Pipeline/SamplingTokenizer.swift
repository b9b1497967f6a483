/// A stochastic segmentation mode for training-data augmentation.
public enum SegmentationSampling: Sendable, Equatable {
    /// BPE-dropout (Provilkov et al., 2020): each merge is skipped with this probability
    /// (0: the deterministic merges; 1: no merge). BPE models of tokenizer.json, tiktoken and
    /// GGUF files (skipped merges return after the next merge, `tokenizers`' rule) and
    /// SentencePiece BPE `.model` files (skipped for good, SentencePiece's rule).
    case bpeDropout(probability: Double)
    /// Subword regularization (Kudo, 2018) on the Unigram lattice, SentencePiece's
    /// `SampleEncode(nbest_size, alpha)`: `nbestSize` 0 or 1 is Viterbi, above 1 a draw among
    /// the n best (at most 512), below 0 a draw over all segmentations; probabilities
    /// ∝ exp(alpha · score).
    case subwordRegularization(alpha: Double, nbestSize: Int)
}

/// A tokenizer that samples its segmentations: BPE-dropout or Unigram subword regularization,
/// with the rest of the pipeline (normalization, pre-tokenization, added tokens,
/// post-processing) of the tokenizer it comes from (`Tokenizer.sampling(_:)`).
///
/// The randomness is an argument of every call, so a run is reproducible: the same generator
/// state (e.g. `SeededRandomGenerator(seed:)`) and the same inputs in the same order give the
/// same tokens. Pieces are sampled independently, left to right, one after the other; for a
/// SentencePiece `.model` (no pre-tokenizer) the piece is the whole normalized text, as in
/// SentencePiece, while a tokenizer.json Unigram samples each Metaspace word on its own, which
/// for n-best sampling draws among each word's n best rather than the sentence's.
public struct SamplingTokenizer: Sendable {
    public let tokenizer: Tokenizer
    public let sampling: SegmentationSampling
    /// The Unigram lattice (subword regularization only).
    let segmenter: InferenceSegmenter?

    init(tokenizer: Tokenizer, sampling: SegmentationSampling) throws(InferenceError) {
        switch sampling {
        case let .bpeDropout(p):
            guard p >= 0 && p <= 1 else { throw .invalidParameter("dropout must be a probability between 0 and 1, got \(p)") }
            switch tokenizer.model {
            case .bpe: break
            case let .sentencePiece(m) where m.kind == .bpe: break
            default: throw .unsupportedModel("BPE-dropout needs a BPE model, not \(Self.modelName(tokenizer.model))")
            }
            segmenter = nil
        case let .subwordRegularization(alpha, nbestSize):
            guard alpha.isFinite && alpha >= 0 else { throw .invalidParameter("alpha must be a finite number >= 0, got \(alpha)") }
            guard nbestSize <= 512 else { throw .invalidParameter("nbest must be at most 512 (SentencePiece's limit), got \(nbestSize)") }
            guard tokenizer.modelIsUnigram else {
                throw .unsupportedModel("subword regularization samples from a Unigram lattice; this tokenizer's model is \(Self.modelName(tokenizer.model))")
            }
            segmenter = try InferenceSegmenter(model: tokenizer.model, method: .unigram,
                                               excluding: Set(tokenizer.addedVocabulary.tokens.keys))
        }
        self.tokenizer = tokenizer
        self.sampling = sampling
    }

    static func modelName(_ model: ModelComponent) -> String {
        switch model {
        case .bpe: return "BPE"
        case .wordPiece: return "WordPiece"
        case .wordLevel: return "WordLevel"
        case .unigram: return "Unigram"
        case let .sentencePiece(m): return "SentencePiece \(m.kind.rawValue)"
        }
    }

    /// Encodes one text (or a pair) as `Tokenizer.encode` does, sampling each piece's
    /// segmentation with `generator`.
    public func encode<G: RandomNumberGenerator>(_ text: String, pair: String? = nil, addSpecialTokens: Bool = true,
                                                 allowedSpecial: Tokenizer.SpecialTokenSet = .none,
                                                 disallowedSpecial: Tokenizer.SpecialTokenSet = .all,
                                                 using generator: inout G) throws(TokenizationError) -> Encoding {
        switch sampling {
        case let .bpeDropout(p):
            if case let .sentencePiece(m) = tokenizer.model {
                return try tokenizer.encode(text, pair: pair, addSpecialTokens: addSpecialTokens, allowedSpecial: allowedSpecial,
                                            disallowedSpecial: disallowedSpecial) { bytes throws(TokenizationError) in
                    m.tokenize(bytes, dropout: Float(p), using: &generator)
                }
            }
            guard case let .bpe(bpe) = tokenizer.model else { preconditionFailure("checked when built") }
            return try tokenizer.encode(text, pair: pair, addSpecialTokens: addSpecialTokens, allowedSpecial: allowedSpecial,
                                        disallowedSpecial: disallowedSpecial) { bytes throws(TokenizationError) in
                try bpe.tokenize(bytes, dropout: Float(p), using: &generator)
            }
        case let .subwordRegularization(alpha, nbestSize):
            let segmenter = segmenter!
            return try tokenizer.encode(text, pair: pair, addSpecialTokens: addSpecialTokens, allowedSpecial: allowedSpecial,
                                        disallowedSpecial: disallowedSpecial) { bytes throws(TokenizationError) in
                try segmenter.sampleTokenize(bytes, alpha: alpha, nbestSize: nbestSize, using: &generator)
            }
        }
    }

    /// The ids of `encode`.
    public func encodeIDs<G: RandomNumberGenerator>(_ text: String, addSpecialTokens: Bool = true,
                                                    allowedSpecial: Tokenizer.SpecialTokenSet = .none,
                                                    disallowedSpecial: Tokenizer.SpecialTokenSet = .all,
                                                    using generator: inout G) throws(TokenizationError) -> [TokenID] {
        try encode(text, addSpecialTokens: addSpecialTokens, allowedSpecial: allowedSpecial,
                   disallowedSpecial: disallowedSpecial, using: &generator).ids
    }
}

extension Tokenizer {
    /// A tokenizer that samples segmentations with `sampling` (see `SamplingTokenizer`).
    ///
    /// - Throws: `InferenceError` when the model does not support the mode (dropout needs BPE,
    ///   subword regularization a Unigram model) or a parameter is out of range.
    public func sampling(_ sampling: SegmentationSampling) throws(InferenceError) -> SamplingTokenizer {
        try SamplingTokenizer(tokenizer: self, sampling: sampling)
    }
}
