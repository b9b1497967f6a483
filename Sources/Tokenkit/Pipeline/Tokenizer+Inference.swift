extension Tokenizer {
    /// The inference method the model step uses (`merges`: the model's own algorithm).
    public var inferenceMethod: InferenceMethod { segmenter?.method ?? .merges }

    /// Returns a copy whose model step segments each piece with `method` (see
    /// `InferenceMethod`): normalization, pre-tokenization, added tokens, truncation,
    /// post-processing, padding and decoding stay those of this tokenizer. `merges` (and
    /// `unigram` for a Unigram model, which is its own algorithm) give back the ordinary
    /// tokenizer, fast paths included.
    ///
    /// - Throws: `InferenceError.unsupportedModel` when the model has no subword vocabulary.
    public func with(inference method: InferenceMethod) throws(InferenceError) -> Tokenizer {
        var segmenter: InferenceSegmenter?
        if method != .merges && !(method == .unigram && modelIsUnigram) {
            segmenter = try InferenceSegmenter(model: model, method: method, excluding: Set(addedVocabulary.tokens.keys))
        }
        return Tokenizer(format: format, normalizer: normalizer, preTokenizer: preTokenizer, model: model,
                         postProcessor: postProcessor, decoder: decoder, addedVocabulary: addedVocabulary,
                         truncation: truncation, padding: padding, segmenter: segmenter)
    }

    /// Whether the model is a Unigram language model (Viterbi is its own algorithm).
    var modelIsUnigram: Bool {
        switch model {
        case .unigram: return true
        case let .sentencePiece(m): return m.kind == .unigram
        default: return false
        }
    }
}

extension Tokenizer {
    /// The BPE-dropout probability the tokenizer file sets for its model (nil when none), which
    /// plain `encode` applies with the system's generator as `tokenizers` does.
    public var modelDropout: Double? {
        guard case let .bpe(m) = model, let p = m.options.dropout, p > 0 else { return nil }
        return Double(p)
    }
}
