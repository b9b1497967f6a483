import Foundation
import Testing
@testable import Tokenkit

/// The inference methods of `InferenceSegmenter` on tiny vocabularies whose results are checked
/// by hand, against brute force, and on real tokenizers against the models' own algorithms.
@Suite struct InferenceMethodTests {
    /// A BPE model over `tokens` (ids in order) with no merges: the segmenter only reads the
    /// vocabulary.
    func bpe(_ tokens: [String], options: BPEModel.Options = .init()) -> ModelComponent {
        var vocab = ByteStringTable()
        for (i, t) in tokens.enumerated() { vocab.set(Array(t.utf8), UInt32(i)) }
        return .bpe(BPEModel(alphabet: .unicode, vocabulary: vocab, merges: PairTable(expectedCount: 0), options: options))
    }

    func pieces(_ model: ModelComponent, _ method: InferenceMethod, _ text: String) throws -> [String] {
        let segmenter = try InferenceSegmenter(model: model, method: method)
        return try segmenter.tokenize(Array(text.utf8)).map(\.value)
    }

    /// "abcd" over {a, b, c, d, ab, bc, cd, abc, bcd}: every method by hand.
    @Test func abcdByHand() throws {
        let m = bpe(["a", "b", "c", "d", "ab", "bc", "cd", "abc", "bcd"])
        #expect(try pieces(m, .longestPrefix, "abcd") == ["abc", "d"])
        #expect(try pieces(m, .longestSuffix, "abcd") == ["a", "bcd"])
        // abc and bcd are both 3 long: the leftmost wins, then "d" remains.
        #expect(try pieces(m, .longestToken, "abcd") == ["abc", "d"])
        // Three 2-token segmentations (abc|d, a|bcd, ab|cd): the longest first token wins.
        #expect(try pieces(m, .leastTokens, "abcd") == ["abc", "d"])
    }

    /// "abcde" over {a…e, ab, abc, cde}: greedy prefix needs 3 tokens where 2 suffice.
    @Test func greedyIsNotOptimal() throws {
        let m = bpe(["a", "b", "c", "d", "e", "ab", "abc", "cde"])
        #expect(try pieces(m, .longestPrefix, "abcde") == ["abc", "d", "e"])
        #expect(try pieces(m, .longestSuffix, "abcde") == ["ab", "cde"])
        #expect(try pieces(m, .longestToken, "abcde") == ["abc", "d", "e"])
        #expect(try pieces(m, .leastTokens, "abcde") == ["ab", "cde"])
        // "xabcdex": the longest token is found in the middle, then both sides are segmented.
        let n = bpe(["a", "b", "c", "d", "e", "x", "xa", "ex", "bcd"])
        #expect(try pieces(n, .longestToken, "xabcdex") == ["xa", "bcd", "ex"])
        #expect(try pieces(n, .longestPrefix, "xabcdex") == ["xa", "bcd", "ex"])
        #expect(try pieces(n, .longestSuffix, "xabcdex") == ["xa", "bcd", "ex"])
        let o = bpe(["a", "b", "x", "xa", "ab"])
        #expect(try pieces(o, .longestSuffix, "xab") == ["x", "ab"])
        #expect(try pieces(o, .longestPrefix, "xab") == ["xa", "b"])
    }

    /// A hand-made WordPiece vocabulary with BERT's split of "undesirable" (und ##es ##ira
    /// ##ble, which `InferencePipelineTests.sharedTokenizers` checks on MiniLM's real BERT
    /// vocabulary) plus a whole "##desirable", the kind of word FLOTA (Hofmann et al., 2022) is
    /// about: the longest token first keeps "desirable" whole.
    @Test func undesirable() throws {
        var vocab = ByteStringTable()
        let tokens = ["[UNK]", "un", "und", "##es", "##ira", "##ble", "##desirable", "##d", "##e", "##s", "##i", "##r", "##a", "##b", "##l", "u", "##n"]
        for (i, t) in tokens.enumerated() { vocab.set(Array(t.utf8), UInt32(i)) }
        let m = ModelComponent.wordPiece(WordPieceModel(vocabulary: vocab, unknownToken: "[UNK]", continuingSubwordPrefix: "##",
                                                        maximumInputCharactersPerWord: 100))
        #expect(try m.tokenize(Array("undesirable".utf8)).map(\.value) == ["und", "##es", "##ira", "##ble"])
        #expect(try pieces(m, .longestPrefix, "undesirable") == ["und", "##es", "##ira", "##ble"])
        #expect(try pieces(m, .longestToken, "undesirable") == ["un", "##desirable"])
        #expect(try pieces(m, .leastTokens, "undesirable") == ["un", "##desirable"])
        #expect(try pieces(m, .longestSuffix, "undesirable") == ["un", "##desirable"])
        // A word with a character the vocabulary lacks is the unknown token, for every method.
        for method in InferenceMethod.allCases where method != .merges {
            #expect(try pieces(m, method, "unxdesirable") == ["[UNK]"], "\(method)")
        }
        // A continuation key is not usable at the start of a word, nor an initial key after it.
        #expect(try pieces(m, .leastTokens, "desirable") == ["[UNK]"])
        #expect(try pieces(m, .longestSuffix, "uun") == ["[UNK]"])
        #expect(try pieces(m, .longestSuffix, "un") == ["un"])
    }

    /// An end-of-word suffix: keys with "</w>" only end a piece, the others never do.
    @Test func endOfWordSuffix() throws {
        var options = BPEModel.Options()
        options.endOfWordSuffix = "</w>"
        let m = bpe(["a", "b", "c", "ab", "a</w>", "b</w>", "c</w>", "bc</w>"], options: options)
        #expect(try pieces(m, .longestPrefix, "abc") == ["ab", "c</w>"])
        #expect(try pieces(m, .longestSuffix, "abc") == ["a", "bc</w>"])
        #expect(try pieces(m, .longestToken, "abc") == ["ab", "c</w>"])
        #expect(try pieces(m, .leastTokens, "abc") == ["ab", "c</w>"])
        // "ab" is a key but cannot end the word; "b</w>" must.
        for method in InferenceMethod.allCases where method != .merges {
            #expect(try pieces(m, method, "ab") == ["a", "b</w>"], "\(method)")
            #expect(try pieces(m, method, "a") == ["a</w>"], "\(method)")
        }
        #expect(try InferenceSegmenter(model: m, method: .leastTokens).tokenize(Array("abc".utf8)).map(\.offsets) == [0..<2, 2..<3])
    }

    /// Fallback rules: byte fallback spells a missing character as bytes, else the unknown token
    /// (fused when the model fuses unknowns).
    @Test func fallbackRules() throws {
        var options = BPEModel.Options()
        options.byteFallback = true
        let hex = (0..<256).map { byteFallbackPiece(UInt8($0)) }
        let m = bpe(["a", "b", "ab"] + hex, options: options)
        for method in InferenceMethod.allCases where method != .merges {
            let ids = try InferenceSegmenter(model: m, method: method).tokenize(Array("abé".utf8)).map(\.id)
            #expect(ids == [2, 3 + 0xC3, 3 + 0xA9], "\(method)")
        }
        // The text "<0x41>" is not the byte token: byte pieces are not segmentation keys.
        #expect(try InferenceSegmenter(model: m, method: .longestToken).tokenize(Array("<0x41>".utf8)).count == 6)
        options = BPEModel.Options()
        options.unknownToken = "<unk>"
        options.fuseUnknown = true
        let u = bpe(["<unk>", "a", "b", "ab"], options: options)
        for method in InferenceMethod.allCases where method != .merges {
            let tokens = try InferenceSegmenter(model: u, method: method).tokenize(Array("xyab".utf8))
            #expect(tokens.map(\.id) == [0, 3], "\(method)")
            #expect(tokens.map(\.offsets) == [0..<2, 2..<4], "\(method)")
        }
    }

    /// Viterbi with a Unigram model's scores, by hand: a+b (−2) beats ab (−3), abc (−2.5)
    /// beats a+b+c (−3) and ab+c (−4).
    @Test func unigramScoresByHand() throws {
        let model = try UnigramModel(vocabulary: [("<unk>", 0), ("a", -1), ("b", -1), ("c", -1), ("ab", -3), ("abc", -2.5)],
                                     unknownID: 0, byteFallback: false)
        let m = ModelComponent.unigram(model)
        #expect(try pieces(m, .unigram, "ab") == ["a", "b"])
        #expect(try pieces(m, .unigram, "abc") == ["abc"])
        #expect(try pieces(m, .unigram, "abcab") == ["abc", "a", "b"])
        #expect(try pieces(m, .longestPrefix, "abab") == ["ab", "ab"])
        for text in ["ab", "abc", "abcab", "cabx", "xxa"] {
            #expect(try InferenceSegmenter(model: m, method: .unigram).tokenize(Array(text.utf8)) == model.tokenize(Array(text.utf8)), "\(text)")
        }
    }

    /// For BPE vocabularies `unigram` scores the token of rank r with −log((r + 1)·H). With
    /// a, b, ab, abc, H = 25/12: a −0.73, b −1.43, ab −1.83, abc −2.12, so "ab" is ab (a+b is
    /// −2.16), and "abcab" is abc+ab (−3.95; "c" alone is not a token).
    @Test func zipfScoresByHand() throws {
        let m = bpe(["a", "b", "ab", "abc"])
        let s = try InferenceSegmenter(model: m, method: .unigram)
        let h = 1 + 1 / 2.0 + 1 / 3.0 + 1 / 4.0
        #expect(abs(s.scores[2] - -log(3 * h)) < 1e-12)
        #expect(try pieces(m, .unigram, "ab") == ["ab"])
        #expect(try pieces(m, .unigram, "abab") == ["ab", "ab"])
        #expect(try pieces(m, .unigram, "abcab") == ["abc", "ab"])
    }

    /// Scores given to the segmenter replace the Zipf prior; `unigramScores(estimatedFrom:)`
    /// is log((c + 1) / (N + V)) of the model's own tokens.
    @Test func explicitAndEstimatedScores() throws {
        let m = bpe(["a", "b", "ab"])
        let split = try InferenceSegmenter(model: m, method: .unigram, scores: [0: -1, 1: -1, 2: -3])
        #expect(try split.tokenize(Array("ab".utf8)).map(\.value) == ["a", "b"])
        let whole = try InferenceSegmenter(model: m, method: .unigram, scores: [0: -1, 1: -1, 2: -1.5])
        #expect(try whole.tokenize(Array("ab".utf8)).map(\.value) == ["ab"])
        // A token the scores leave out gets their lowest score.
        let partial = try InferenceSegmenter(model: m, method: .unigram, scores: [0: -1, 1: -4])
        #expect(partial.scores == [-1, -4, -4])

        let tokenizer = try Tokenizer.encoding(named: "cl100k_base")
        let texts = ["the cat", "the dog", "a cat"]
        let scores = tokenizer.unigramScores(estimatedFrom: texts)
        let ids = try texts.flatMap { try tokenizer.encodeIDs($0) }
        let n = Double(ids.count + tokenizer.model.vocabularySize)
        let the = try tokenizer.encodeIDs("the")[0]
        #expect(abs(scores[the]! - log(Double(ids.filter { $0 == the }.count + 1) / n)) < 1e-12)
        #expect(abs(scores[0]! - log(1 / n)) < 1e-12 || ids.contains(0))
        let estimated = try tokenizer.with(inference: .unigram, unigramScores: scores)
        #expect(try estimated.decode(estimated.encodeIDs("the cat sat")) == "the cat sat")
    }

    /// Every segmentation of `text` over `vocabulary`, by plain recursion.
    func allSegmentations(_ text: [Character], _ vocabulary: Set<String>) -> [[String]] {
        if text.isEmpty { return [[]] }
        var result: [[String]] = []
        for length in 1...text.count {
            let head = String(text[0..<length])
            guard vocabulary.contains(head) else { continue }
            for rest in allSegmentations(Array(text[length...]), vocabulary) { result.append([head] + rest) }
        }
        return result
    }

    /// The same with an end-of-word suffix: the last token from the "</w>" keys, the others not.
    @Test func leastTokensWithASuffixMatchesBruteForce() throws {
        var rng = SeededGenerator(seed: 99)
        let alphabet: [Character] = ["a", "b"]
        var options = BPEModel.Options()
        options.endOfWordSuffix = "</w>"
        func random(_ lengths: ClosedRange<Int>) -> String {
            String((0..<Int.random(in: lengths, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
        }
        for _ in 0..<100 {
            var regular: Set<String> = ["a", "b"]
            var finals: Set<String> = ["a", "b"]
            for _ in 0..<Int.random(in: 0...6, using: &rng) { regular.insert(random(2...3)) }
            for _ in 0..<Int.random(in: 0...6, using: &rng) { finals.insert(random(2...4)) }
            let model = bpe(regular.sorted() + finals.sorted().map { $0 + "</w>" }, options: options)
            let segmenter = try InferenceSegmenter(model: model, method: .leastTokens)
            for _ in 0..<8 {
                let text = Array(random(1...9))
                var all: [[String]] = []
                for length in 1...text.count where finals.contains(String(text.suffix(length))) {
                    for head in allSegmentations(Array(text.dropLast(length)), regular) { all.append(head + [String(text.suffix(length)) + "</w>"]) }
                }
                let fewest = all.map(\.count).min()!
                let expected = all.filter { $0.count == fewest }.max { a, b in
                    a.map { $0.replacingOccurrences(of: "</w>", with: "").count }
                        .lexicographicallyPrecedes(b.map { $0.replacingOccurrences(of: "</w>", with: "").count })
                }!
                let got = try segmenter.tokenize(Array(String(text).utf8)).map(\.value)
                #expect(got == expected, "\(String(text)): \(regular.sorted()) / \(finals.sorted())")
                for method in [InferenceMethod.longestPrefix, .longestSuffix, .longestToken, .unigram] {
                    let other = try InferenceSegmenter(model: model, method: method).tokenize(Array(String(text).utf8)).map(\.value)
                    #expect(other.count >= fewest && other.last?.hasSuffix("</w>") == true)
                    #expect(other.dropLast().allSatisfy { !$0.hasSuffix("</w>") })
                    #expect(other.joined().replacingOccurrences(of: "</w>", with: "") == String(text))
                }
            }
        }
    }

    /// Least tokens is optimal: on random short strings over {a, b, c} and random vocabularies,
    /// it has as few tokens as the best of all segmentations, and it is the one the documented
    /// tie rule picks (lexicographically longest token lengths).
    @Test func leastTokensMatchesBruteForce() throws {
        var rng = SeededGenerator(seed: 2024)
        let alphabet: [Character] = ["a", "b", "c"]
        for _ in 0..<150 {
            var vocabulary: Set<String> = ["a", "b", "c"]
            for _ in 0..<Int.random(in: 0...12, using: &rng) {
                let length = Int.random(in: 2...4, using: &rng)
                vocabulary.insert(String((0..<length).map { _ in alphabet.randomElement(using: &rng)! }))
            }
            let model = bpe(vocabulary.sorted())
            let segmenter = try InferenceSegmenter(model: model, method: .leastTokens)
            for _ in 0..<10 {
                let text = (0..<Int.random(in: 1...10, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
                let all = allSegmentations(text, vocabulary)
                let fewest = all.map(\.count).min()!
                let expected = all.filter { $0.count == fewest }.max { a, b in
                    a.map(\.count).lexicographicallyPrecedes(b.map(\.count))
                }!
                let got = try segmenter.tokenize(Array(String(text).utf8)).map(\.value)
                #expect(got.count == fewest, "\(String(text)) over \(vocabulary.sorted())")
                #expect(got == expected, "\(String(text)) over \(vocabulary.sorted())")
                // No greedy method can beat the optimum.
                for method in [InferenceMethod.longestPrefix, .longestSuffix, .longestToken, .unigram] {
                    let other = try InferenceSegmenter(model: model, method: method).tokenize(Array(String(text).utf8))
                    #expect(other.count >= fewest)
                    #expect(other.map(\.value).joined() == String(text))
                }
            }
        }
    }
}
