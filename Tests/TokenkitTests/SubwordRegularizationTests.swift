import Foundation
import Testing
@testable import Tokenkit

/// Subword regularization and seeded BPE-dropout through `SamplingTokenizer`: n-best against
/// brute force, sampled frequencies against exp(alpha · score), the limits (alpha large,
/// nbest 1, p = 0) and reproducibility under a seed.
@Suite struct SubwordRegularizationTests {
    /// A Unigram model over a, b and random longer pieces of {a, b} with random scores.
    func randomModel(_ rng: inout SeededGenerator) throws -> (UnigramModel, [String: Double]) {
        var pieces: [String: Double] = ["a": -Double.random(in: 1...4, using: &rng), "b": -Double.random(in: 1...4, using: &rng)]
        for _ in 0..<6 {
            let piece = String((0..<Int.random(in: 2...3, using: &rng)).map { _ in ["a", "b"].randomElement(using: &rng)! })
            pieces[piece] = -Double.random(in: 1...8, using: &rng)
        }
        let vocabulary = [("<unk>", 0.0)] + pieces.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return (try UnigramModel(vocabulary: vocabulary, unknownID: 0, byteFallback: false), pieces)
    }

    /// Every segmentation with its total score.
    func allSegmentations(_ text: Substring, _ scores: [String: Double]) -> [([String], Double)] {
        if text.isEmpty { return [([], 0)] }
        var result: [([String], Double)] = []
        for length in 1...text.count {
            let head = String(text.prefix(length))
            guard let s = scores[head] else { continue }
            for (rest, r) in allSegmentations(text.dropFirst(length), scores) { result.append(([head] + rest, s + r)) }
        }
        return result
    }

    func strings(_ segmenter: InferenceSegmenter, _ text: String, _ segments: [InferenceSegmenter.Segment]) -> [String] {
        segments.map { String(text.utf8[text.utf8.index(text.utf8.startIndex, offsetBy: $0.range.lowerBound)..<text.utf8.index(text.utf8.startIndex, offsetBy: $0.range.upperBound)])! }
    }

    @Test func nBestMatchesBruteForce() throws {
        var rng = SeededGenerator(seed: 31)
        for _ in 0..<40 {
            let (model, scores) = try randomModel(&rng)
            let segmenter = try InferenceSegmenter(model: .unigram(model), method: .unigram)
            for _ in 0..<5 {
                let text = String((0..<Int.random(in: 1...7, using: &rng)).map { _ in ["a", "b"].randomElement(using: &rng)! })
                let expected = allSegmentations(text[...], scores).sorted { $0.1 > $1.1 }
                for n in [1, 3, expected.count, expected.count + 5] {
                    let got = Array(text.utf8).withUnsafeBufferPointer { segmenter.nBest($0, n) }
                    #expect(got.count == min(n, expected.count))
                    for (g, e) in zip(got, expected) {
                        #expect(abs(g.score - e.1) < 1e-9, "\(text)")
                    }
                    // Scores are random reals: the paths are those of brute force.
                    for (g, e) in zip(got, expected) where expected.filter({ abs($0.1 - e.1) < 1e-9 }).count == 1 {
                        #expect(strings(segmenter, text, g.segments) == e.0, "\(text)")
                    }
                }
            }
        }
    }

    /// Pearson's chi-square of `counts` against `probabilities`.
    func chiSquare(_ counts: [[String]: Int], _ probabilities: [[String]: Double], draws: Int) -> Double {
        probabilities.reduce(0) { sum, entry in
            let expected = entry.value * Double(draws)
            let observed = Double(counts[entry.key] ?? 0)
            return sum + (observed - expected) * (observed - expected) / expected
        }
    }

    /// Sampled segmentations follow exp(alpha · score) normalised, over all segmentations
    /// (nbest -1) and over the n best (nbest 3): the chi-square statistic stays below the 0.1%
    /// critical value with a fixed seed.
    @Test func samplesFollowTheDistribution() throws {
        let model = try UnigramModel(vocabulary: [("<unk>", 0), ("a", -1.0), ("b", -1.5), ("ab", -2.0), ("ba", -2.2), ("aba", -3.1), ("bab", -3.0)],
                                     unknownID: 0, byteFallback: false)
        let scores = ["a": -1.0, "b": -1.5, "ab": -2.0, "ba": -2.2, "aba": -3.1, "bab": -3.0]
        let segmenter = try InferenceSegmenter(model: .unigram(model), method: .unigram)
        let text = "ababa"
        let all = allSegmentations(text[...], scores)
        #expect(all.count == 13)
        let alpha = 0.5
        var generator = SeededRandomGenerator(seed: 2018)
        for nbest in [-1, 3] {
            let support = nbest < 0 ? all : Array(all.sorted { $0.1 > $1.1 }.prefix(nbest))
            let z = support.reduce(0) { $0 + exp(alpha * $1.1) }
            var probabilities: [[String]: Double] = [:]
            for (s, score) in support { probabilities[s] = exp(alpha * score) / z }
            var counts: [[String]: Int] = [:]
            let draws = 20_000
            for _ in 0..<draws {
                let tokens = try segmenter.sampleTokenize(Array(text.utf8), alpha: alpha, nbestSize: nbest, using: &generator)
                counts[tokens.map(\.value), default: 0] += 1
            }
            #expect(Set(counts.keys).isSubset(of: Set(probabilities.keys)))
            // Critical values of chi-square at 0.1%: 12 degrees of freedom 32.9, 2 degrees 13.8.
            let critical = nbest < 0 ? 32.9 : 13.8
            #expect(chiSquare(counts, probabilities, draws: draws) < critical, "nbest \(nbest): \(counts)")
        }
    }

    /// Kudo (2018), Table 1: five of the segmentations of "Hello world" that one vocabulary
    /// allows (the table's own rows, `_` for the space: `_Hell/o/_world`, `_H/ello/_world`,
    /// `_He/llo/_world`, `_/He/l/l/o/_world`, `_H/el/l/o/_/world`). With a vocabulary of the
    /// table's pieces and the text's characters (the lattice always has those), n-best lists every
    /// segmentation (brute force), those five among them, and sampling over all of them (nbest
    /// -1) draws each of the five.
    @Test func kudoTableOneSegmentations() throws {
        let pieces = ["▁Hell", "o", "▁world", "▁H", "ello", "▁He", "llo", "▁", "He", "l", "el", "world",
                      "H", "e", "w", "r", "d"]
        // Equal scores: a segmentation's probability then depends on its length alone.
        let scores = Dictionary(uniqueKeysWithValues: pieces.map { ($0, -2.0) })
        let model = try UnigramModel(vocabulary: [("<unk>", 0)] + pieces.map { ($0, -2.0) }, unknownID: 0, byteFallback: false)
        let segmenter = try InferenceSegmenter(model: .unigram(model), method: .unigram)
        let text = "▁Hello▁world"
        let table: Set<[String]> = [["▁Hell", "o", "▁world"], ["▁H", "ello", "▁world"], ["▁He", "llo", "▁world"],
                                    ["▁", "He", "l", "l", "o", "▁world"], ["▁H", "el", "l", "o", "▁", "world"]]
        let all = Set(allSegmentations(text[...], scores).map(\.0))
        #expect(table.isSubset(of: all))
        let listed = Array(text.utf8).withUnsafeBufferPointer { segmenter.nBest($0, all.count + 10) }
        #expect(Set(listed.map { strings(segmenter, text, $0.segments) }) == all)
        var generator = SeededRandomGenerator(seed: 1804)
        var drawn: Set<[String]> = []
        for _ in 0..<20_000 {
            drawn.insert(try segmenter.sampleTokenize(Array(text.utf8), alpha: 0.1, nbestSize: -1, using: &generator).map(\.value))
        }
        #expect(table.isSubset(of: drawn), "missing \(table.subtracting(drawn))")
        #expect(drawn.isSubset(of: all))
    }

    func unigramTokenizer() throws -> Tokenizer {
        try Tokenizer(contentsOf: TestData.fixture("sentencepiece/unigram-nmt.tokenizer.json"))
    }

    func texts() throws -> [String] {
        try ReferenceCase.load(TestData.fixture("sentencepiece/unigram-nmt.tokenizer.json.cases.jsonl")).map(\.text)
            .filter { !$0.contains("<unk>") && !$0.contains("<0x") } + [String(repeating: "tokenization of sentences ", count: 8)]
    }

    /// nbest 0 and 1 are Viterbi; a large alpha concentrates the samples on the Viterbi path.
    @Test func limitsAreViterbi() throws {
        let tokenizer = try unigramTokenizer()
        var generator = SeededRandomGenerator(seed: 1)
        for nbest in [0, 1] {
            let sampler = try tokenizer.sampling(.subwordRegularization(alpha: 0.1, nbestSize: nbest))
            for text in try texts() { #expect(try sampler.encodeIDs(text, using: &generator) == tokenizer.encodeIDs(text), "\(text)") }
        }
        for nbest in [-1, 8] {
            let sampler = try tokenizer.sampling(.subwordRegularization(alpha: 1000, nbestSize: nbest))
            let texts = try texts()
            var same = 0
            for text in texts where try sampler.encodeIDs(text, using: &generator) == tokenizer.encodeIDs(text) { same += 1 }
            #expect(same * 100 >= texts.count * 95, "nbest \(nbest): \(same) of \(texts.count)")
        }
    }

    @Test func seededSamplingIsReproducible() throws {
        let tokenizer = try unigramTokenizer()
        let text = String(repeating: "subword regularization samples segmentations ", count: 20)
        for nbest in [-1, 16] {
            let sampler = try tokenizer.sampling(.subwordRegularization(alpha: 0.2, nbestSize: nbest))
            func run(_ seed: UInt64) throws -> [TokenID] {
                var g = SeededRandomGenerator(seed: seed)
                return try sampler.encodeIDs(text, using: &g) + sampler.encodeIDs(text, using: &g)
            }
            #expect(try run(5) == run(5))
            #expect(try run(5) != run(6))
            // Every sample spells the same text as Viterbi (this fixture's decoder joins tokens
            // with spaces, so the pieces are compared).
            var g = SeededRandomGenerator(seed: 9)
            #expect(try sampler.encode(text, using: &g).tokens.joined() == tokenizer.encode(text).tokens.joined())
        }
        // A SentencePiece .model samples the whole normalized text.
        let model = try Tokenizer(contentsOf: TestData.fixture("sentencepiece/unigram-nmt.model"))
        let sampler = try model.sampling(.subwordRegularization(alpha: 0.1, nbestSize: -1))
        var g = SeededRandomGenerator(seed: 3)
        let ids = try sampler.encodeIDs(text, using: &g)
        #expect(ids != (try model.encodeIDs(text)))
        #expect(try model.decode(ids) == model.decode(model.encodeIDs(text)))
    }

    /// Dropout through the pipeline: p = 0 is the ordinary encoding; a seed replays a run.
    @Test func dropoutThroughThePipeline() throws {
        let tokenizer = try Tokenizer.encoding(named: "cl100k_base")
        let text = String(repeating: "Reproducible BPE-dropout for data augmentation. ", count: 10)
        var g = SeededRandomGenerator(seed: 0)
        #expect(try tokenizer.sampling(.bpeDropout(probability: 0)).encodeIDs(text, using: &g) == tokenizer.encodeIDs(text))
        let sampler = try tokenizer.sampling(.bpeDropout(probability: 0.5))
        func run(_ seed: UInt64) throws -> [TokenID] {
            var g = SeededRandomGenerator(seed: seed)
            return try sampler.encodeIDs(text, using: &g)
        }
        #expect(try run(42) == run(42))
        #expect(try run(42) != run(43))
        #expect(try tokenizer.decode(run(42)) == text)
    }

    @Test func unsupportedModesAreRefused() throws {
        let bpe = try Tokenizer.encoding(named: "cl100k_base")
        let unigram = try unigramTokenizer()
        #expect(throws: InferenceError.self) { try bpe.sampling(.bpeDropout(probability: 1.5)) }
        #expect(throws: InferenceError.self) { try bpe.sampling(.subwordRegularization(alpha: 0.1, nbestSize: -1)) }
        #expect(throws: InferenceError.self) { try unigram.sampling(.bpeDropout(probability: 0.1)) }
        #expect(throws: InferenceError.self) { try unigram.sampling(.subwordRegularization(alpha: 0.1, nbestSize: 513)) }
        #expect(throws: InferenceError.self) { try unigram.sampling(.subwordRegularization(alpha: -1, nbestSize: -1)) }
    }
}
