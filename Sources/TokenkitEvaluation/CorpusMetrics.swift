import Foundation

/// What one tokenizer does to one corpus file: counts, the ratios people compare tokenizers by,
/// and the distributions behind them.
///
/// Every line of the file is one document, encoded alone without the post-processor's special
/// tokens (`add_special_tokens=False`; tiktoken files treat special-token text as ordinary text,
/// as `encode(text, disallowed_special=())`). Bytes are the UTF-8 bytes of the lines and
/// characters their Unicode scalars, both without the "\n". Ratios whose denominator is zero
/// are 0.
public struct CorpusMetrics: Sendable, Equatable {
    /// The tokenizer's label in the report.
    public var tokenizer: String
    /// The corpus's label (its file name without `.txt`).
    public var corpus: String
    public var lines = 0
    public var bytes = 0
    public var characters = 0
    public var tokens = 0
    /// Whitespace-separated words (Python `str.split()`, see `WordSegmentation`).
    public var whitespaceWords = 0
    /// Words of the Unicode segmentation (see `WordSegmentation`).
    public var segmentedWords = 0
    /// Whitespace words that the tokenizer encodes, alone, as more than one token.
    public var continuedWords = 0
    /// Tokens equal to the model's unknown token.
    public var unknownTokens = 0
    /// Byte-fallback tokens (`<0xNN>`).
    public var byteFallbackTokens = 0
    /// Distinct token ids seen.
    public var distinctTokens = 0
    /// The vocabulary size, added tokens included (`get_vocab_size(with_added_tokens=True)`).
    public var vocabularySize = 0
    /// Lines for which `decode(encode(line))` gives the line back byte for byte.
    public var roundTripLines = 0
    /// Lines that were not valid UTF-8 (read with U+FFFD replacements).
    public var invalidUTF8Lines = 0
    /// Rényi efficiency of the unigram token distribution (α = `EvaluationOptions.renyiAlpha`).
    public var renyiEfficiency = 0.0
    /// Shannon entropy of the unigram token distribution, in bits per token.
    public var entropyBits = 0.0
    /// `tokenLengthHistogram[n]`: tokens of n bytes (n < 16); the last bin counts 16 bytes or more.
    public var tokenLengthHistogram: [Int] = Array(repeating: 0, count: CorpusMetrics.histogramBins)
    /// The sum of the byte lengths of the tokens (for the mean).
    public var tokenBytes = 0

    /// Bins of `tokenLengthHistogram`: 0…15 bytes, then 16 or more.
    public static let histogramBins = 17

    public init(tokenizer: String, corpus: String) {
        self.tokenizer = tokenizer
        self.corpus = corpus
    }

    static func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }

    public var bytesPerToken: Double { Self.ratio(bytes, tokens) }
    public var tokensPerByte: Double { Self.ratio(tokens, bytes) }
    public var charactersPerToken: Double { Self.ratio(characters, tokens) }
    /// Tokens per whitespace word.
    public var fertility: Double { Self.ratio(tokens, whitespaceWords) }
    /// Tokens per segmented word.
    public var segmentedFertility: Double { Self.ratio(tokens, segmentedWords) }
    /// Share of whitespace words encoded as more than one token.
    public var continuedWordRate: Double { Self.ratio(continuedWords, whitespaceWords) }
    public var unknownRate: Double { Self.ratio(unknownTokens, tokens) }
    public var byteFallbackRate: Double { Self.ratio(byteFallbackTokens, tokens) }
    /// Share of the vocabulary seen in the corpus.
    public var utilisation: Double { Self.ratio(distinctTokens, vocabularySize) }
    /// Share of lines that round-trip exactly.
    public var roundTripRate: Double { Self.ratio(roundTripLines, lines) }
    /// Mean decoded byte length of a token.
    public var meanTokenBytes: Double { Self.ratio(tokenBytes, tokens) }
}

/// Rényi entropy and efficiency of a unigram distribution (Zouhar et al., 2023, "Tokenization
/// and the Noiseless Channel"): `H_α(p) = 1/(1-α) · log Σ p_i^α`, efficiency `H_α(p) / log |V|`.
///
/// The logarithms' base cancels in the efficiency. `|V|` is the whole vocabulary, added tokens
/// included, not only the tokens seen: a tokenizer that leaves most of its vocabulary unused on
/// a corpus is less efficient on it.
public enum RenyiEfficiency {
    /// `H_α` in nats of the distribution given by `counts` (zeros are ignored). α = 1 is Shannon.
    public static func entropy<C: Collection>(counts: C, alpha: Double) -> Double where C.Element == Int {
        var total = 0
        for c in counts { total += c }
        guard total > 0 else { return 0 }
        let n = Double(total)
        if alpha == 1 {
            var h = 0.0
            for c in counts where c > 0 {
                let p = Double(c) / n
                h -= p * log(p)
            }
            return h
        }
        var sum = 0.0
        for c in counts where c > 0 { sum += pow(Double(c) / n, alpha) }
        return log(sum) / (1 - alpha)
    }

    /// `H_α / log |V|` (0 when the vocabulary has fewer than two tokens).
    public static func efficiency<C: Collection>(counts: C, alpha: Double, vocabularySize: Int) -> Double where C.Element == Int {
        guard vocabularySize > 1 else { return 0 }
        return entropy(counts: counts, alpha: alpha) / log(Double(vocabularySize))
    }
}
