import ArgumentParser
import Foundation
import Tokenkit

/// `encode`'s choice of inference method and stochastic segmentation.
struct InferenceOptions: ParsableArguments {
    @Option(name: .long, help: "How pieces are segmented: merges (the model's own algorithm, default), longest-prefix, longest-suffix, longest-token, least-tokens or unigram.")
    var inference: String?

    @Option(name: .long, help: "With --inference unigram: estimate the token log-probabilities from this text file (the model's own tokens counted, add-one smoothing).")
    var unigramScoresFrom: String?

    @Option(name: .long, help: "BPE-dropout: skip each merge with probability P (BPE models; seeded by --seed).")
    var dropout: Double?

    @Flag(name: .long, help: "Subword regularization: sample segmentations from the Unigram lattice (Unigram models; see --alpha, --nbest, --seed).")
    var sample = false

    @Option(name: .long, help: "With --sample: the smoothing exponent on the scores (default 0.1).")
    var alpha: Double?

    // `.unconditional`: "-1" is a value here, not an option.
    @Option(name: .long, parsing: .unconditional, help: "With --sample: -1 samples over all segmentations (default), 0 or 1 is Viterbi, N > 1 samples among the N best (at most 512).")
    var nbest: Int?

    @Option(name: .long, help: "The seed of --dropout and --sample (default 0); alone, it seeds the dropout of the tokenizer file.")
    var seed: UInt64?

    /// What the options ask for, checked against the tokenizer.
    func encoder(for tokenizer: Tokenizer) throws -> SegmentingEncoder {
        if (alpha != nil || nbest != nil) && !sample {
            throw CLIError.badInput("--alpha and --nbest need --sample")
        }
        if sample && dropout != nil {
            throw CLIError.badInput("--dropout and --sample are two different samplers; choose one")
        }
        var method = InferenceMethod.merges
        if let inference {
            guard let m = InferenceMethod(rawValue: inference) else {
                let names = InferenceMethod.allCases.map(\.rawValue).joined(separator: ", ")
                throw CLIError.badInput("--inference: expected one of \(names), got \(inference)")
            }
            method = m
        }
        if unigramScoresFrom != nil && method != .unigram {
            throw CLIError.badInput("--unigram-scores-from needs --inference unigram")
        }
        var sampling: SegmentationSampling?
        if let dropout {
            sampling = .bpeDropout(probability: dropout)
        } else if sample {
            sampling = .subwordRegularization(alpha: alpha ?? 0.1, nbestSize: nbest ?? -1)
        } else if seed != nil {
            guard let p = tokenizer.modelDropout else {
                throw CLIError.badInput("--seed needs --dropout or --sample (or a tokenizer file with a BPE dropout)")
            }
            sampling = .bpeDropout(probability: p)
        }
        do {
            if let sampling {
                if method != .merges {
                    throw CLIError.badInput("--inference \(method.rawValue) cannot be combined with --dropout or --sample, which sample the model's own segmentations")
                }
                return SegmentingEncoder(tokenizer: tokenizer, sampler: try tokenizer.sampling(sampling),
                                         generator: SeededRandomGenerator(seed: seed ?? 0))
            }
            let scores = try unigramScoresFrom.map { try Self.unigramScores(from: $0, tokenizer) }
            return SegmentingEncoder(tokenizer: try tokenizer.with(inference: method, unigramScores: scores), sampler: nil,
                                     generator: SeededRandomGenerator(seed: 0))
        } catch let error as InferenceError {
            throw CLIError.badInput(error.description)
        }
    }
}

extension InferenceOptions {
    /// `Tokenizer.unigramScores(estimatedFrom:)` on the lines of a text file.
    static func unigramScores(from path: String, _ tokenizer: Tokenizer) throws -> [TokenID: Double] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError.badInput("--unigram-scores-from: cannot read \(path)")
        }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        return tokenizer.unigramScores(estimatedFrom: lines)
    }
}

/// Encodes with a tokenizer, or with its sampler and one generator for the whole run, so that
/// the requests of a run are sampled in order from one seeded sequence.
final class SegmentingEncoder {
    let tokenizer: Tokenizer
    let sampler: SamplingTokenizer?
    var generator: SeededRandomGenerator

    init(tokenizer: Tokenizer, sampler: SamplingTokenizer?, generator: SeededRandomGenerator) {
        self.tokenizer = tokenizer
        self.sampler = sampler
        self.generator = generator
    }

    /// The same encoder for a tokenizer without padding (batches pad afterwards).
    func unpadded() throws -> SegmentingEncoder {
        let base = tokenizer.with(truncation: tokenizer.truncation, padding: nil)
        if let sampler {
            return SegmentingEncoder(tokenizer: base, sampler: try base.sampling(sampler.sampling), generator: generator)
        }
        return SegmentingEncoder(tokenizer: base, sampler: nil, generator: generator)
    }

    func encode(_ text: String, pair: String? = nil, addSpecialTokens: Bool, allowedSpecial: Tokenizer.SpecialTokenSet,
                disallowedSpecial: Tokenizer.SpecialTokenSet) throws(TokenizationError) -> Encoding {
        if let sampler {
            return try sampler.encode(text, pair: pair, addSpecialTokens: addSpecialTokens, allowedSpecial: allowedSpecial,
                                      disallowedSpecial: disallowedSpecial, using: &generator)
        }
        return try tokenizer.encode(text, pair: pair, addSpecialTokens: addSpecialTokens, allowedSpecial: allowedSpecial,
                                    disallowedSpecial: disallowedSpecial)
    }

    func encodeIDs(_ text: String, addSpecialTokens: Bool, allowedSpecial: Tokenizer.SpecialTokenSet,
                   disallowedSpecial: Tokenizer.SpecialTokenSet) throws(TokenizationError) -> [TokenID] {
        if let sampler {
            return try sampler.encodeIDs(text, addSpecialTokens: addSpecialTokens, allowedSpecial: allowedSpecial,
                                         disallowedSpecial: disallowedSpecial, using: &generator)
        }
        return try tokenizer.encodeIDs(text, addSpecialTokens: addSpecialTokens, allowedSpecial: allowedSpecial,
                                       disallowedSpecial: disallowedSpecial)
    }
}
