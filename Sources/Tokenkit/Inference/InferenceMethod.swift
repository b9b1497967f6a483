/// How a vocabulary turns one pre-tokenized piece into tokens: the model's own algorithm or
/// one of the alternative inference methods compared by Uzan et al. (2024), "Greed is All You
/// Need: An Evaluation of Tokenizer Inference Methods".
///
/// The vocabulary stays the same; only the choice among its segmentations changes. Every
/// method except `merges` runs through `InferenceSegmenter` on the bytes of each piece, behind
/// the tokenizer's own normalizer, pre-tokenizer and added tokens, and before its
/// post-processor and decoder (see `Tokenizer.with(inference:)`).
public enum InferenceMethod: String, CaseIterable, Sendable {
    /// The model's own algorithm: merge-rule order for BPE, longest prefix for WordPiece,
    /// Viterbi for Unigram. Tokenizers built with it are the ordinary ones (fast paths included).
    case merges
    /// Greedy longest prefix, left to right (WordPiece's algorithm).
    case longestPrefix = "longest-prefix"
    /// Greedy longest suffix, right to left.
    case longestSuffix = "longest-suffix"
    /// The longest token anywhere in the piece (leftmost among equals), then the same on the
    /// remainders left and right of it (FLOTA, Hofmann et al. 2022; LBPE, arXiv 2411.05504).
    case longestToken = "longest-token"
    /// The fewest tokens (dynamic programming); among equally short segmentations the one whose
    /// first token is longest, then whose second token is longest, and so on.
    case leastTokens = "least-tokens"
    /// The segmentation of highest total log-probability (Viterbi): the model's scores for
    /// Unigram vocabularies, a Zipf prior over the vocabulary order for the others.
    case unigram
}

/// Why an inference method or a sampling mode cannot be used with a tokenizer.
public enum InferenceError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The model has no subword vocabulary to segment with (WordLevel, SentencePiece word/char).
    case unsupportedModel(String)
    /// A sampling parameter is out of range.
    case invalidParameter(String)

    public var description: String {
        switch self {
        case let .unsupportedModel(message), let .invalidParameter(message): return message
        }
    }
}
