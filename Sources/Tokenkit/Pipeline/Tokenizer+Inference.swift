import Foundation

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
    ///
    /// - Parameter unigramScores: for `unigram`, log-probabilities to use instead of the model's
    ///   scores or the Zipf prior (e.g. `unigramScores(estimatedFrom:)`).
    public func with(inference method: InferenceMethod, unigramScores: [TokenID: Double]? = nil) throws(InferenceError) -> Tokenizer {
        var segmenter: InferenceSegmenter?
        if method != .merges && !(method == .unigram && modelIsUnigram && unigramScores == nil) {
            segmenter = try InferenceSegmenter(model: model, method: method, excluding: Set(addedVocabulary.tokens.keys),
                                               scores: method == .unigram ? unigramScores : nil)
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

extension Tokenizer {
    /// Unigram log-probabilities of the model's tokens estimated from `texts`: the texts are
    /// encoded with the model's own algorithm (no special tokens) and each token's count c
    /// becomes log((c + 1) / (N + V)), N the number of tokens counted and V the vocabulary
    /// size (add-one smoothing, so that tokens the texts do not use keep a finite score). One
    /// counting pass, not EM: the probabilities of the segmentation the model makes.
    public func unigramScores(estimatedFrom texts: [String]) -> [TokenID: Double] {
        var counts: [TokenID: Int] = [:]
        var total = 0
        for text in texts {
            guard let ids = try? encodeIDs(text, addSpecialTokens: false, disallowedSpecial: .none) else { continue }
            for id in ids { counts[id, default: 0] += 1 }
            total += ids.count
        }
        let denominator = Double(total + model.vocabularySize)
        var scores: [TokenID: Double] = [:]
        for id in 0..<TokenID(model.vocabularySize) {
            scores[id] = log(Double((counts[id] ?? 0) + 1) / denominator)
        }
        for (id, c) in counts where scores[id] == nil { scores[id] = log(Double(c + 1) / denominator) }
        return scores
    }
}
