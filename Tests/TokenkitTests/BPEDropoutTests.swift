import Testing
@testable import Tokenkit

/// Seeded BPE-dropout on the tiny vocabulary of `BPEModelTests` and on a byte-level fixture.
@Suite struct BPEDropoutTests {
    /// Vocabulary a b c d ab bc abc cd, merges (a,b) (b,c) (ab,c) (c,d) in that order.
    func model() -> BPEModel {
        var vocab = ByteStringTable()
        for (i, t) in ["a", "b", "c", "d", "ab", "bc", "abc", "cd"].enumerated() { vocab.set(Array(t.utf8), UInt32(i)) }
        var merges = PairTable(expectedCount: 8)
        merges.set(left: 0, right: 1, rank: 0, result: 4)
        merges.set(left: 1, right: 2, rank: 1, result: 5)
        merges.set(left: 4, right: 2, rank: 2, result: 6)
        merges.set(left: 2, right: 3, rank: 3, result: 7)
        return BPEModel(alphabet: .unicode, vocabulary: vocab, merges: merges, options: .init())
    }

    func ids(_ m: BPEModel, _ text: String, _ p: Float, _ g: inout SeededRandomGenerator) throws -> [TokenID] {
        try m.tokenize(Array(text.utf8), dropout: p, using: &g).map(\.id)
    }

    /// The generator's first outputs, computed independently from the published xoshiro256** and
    /// SplitMix64 definitions (a Python transcription): a change of the sequence would silently
    /// change every seeded run.
    @Test func generatorSequenceIsFixed() {
        var g = SeededRandomGenerator(seed: 42)
        #expect([g.next(), g.next(), g.next()] == [0x1578_0b2e_0c2e_c716, 0x6104_d986_6d11_3a7e, 0xae17_5332_39e4_99a1])
        var zero = SeededRandomGenerator(seed: 0)
        #expect([zero.next(), zero.next()] == [0x99ec_5f36_cb75_f2b4, 0xbf6e_1f78_4956_452a])
    }

    @Test func zeroProbabilityIsTheDeterministicMerge() throws {
        let m = model()
        var g = SeededRandomGenerator(seed: 1)
        for text in ["abc", "bcd", "abcd", "dabcabc", String(repeating: "abcd", count: 30)] {
            #expect(try ids(m, text, 0, &g) == m.tokenize(Array(text.utf8)).map(\.id), "\(text)")
        }
    }

    @Test func probabilityOneMakesNoMerge() throws {
        var g = SeededRandomGenerator(seed: 7)
        #expect(try ids(model(), "abcdabc", 1, &g) == [0, 1, 2, 3, 0, 1, 2])
    }

    /// On "abc" the possible outcomes are hand-enumerable: abc (no skip), a|bc (skip a+b, then
    /// b+c merges and ab+c is impossible), a|b|c and ab|c (the later merge skipped).
    @Test func outcomesAreTheHandEnumeratedOnes() throws {
        let m = model()
        var g = SeededRandomGenerator(seed: 3)
        var seen = Set<[TokenID]>()
        for _ in 0..<400 { seen.insert(try ids(m, "abc", 0.5, &g)) }
        #expect(seen == [[6], [0, 5], [0, 1, 2], [4, 2]])
    }

    /// SentencePiece BPE `.model` files: p = 0 is the model's encoding, p = 1 one piece per
    /// character, a seed replays a run, and every sample decodes to the same text.
    @Test(arguments: ["bpe-rules.model", "bpe-bytes-symbols.model"])
    func sentencePieceDropout(_ name: String) throws {
        let tokenizer = try Tokenizer(contentsOf: TestData.fixture("sentencepiece/" + name))
        let texts = try SentencePieceCase.load(TestData.fixture("sentencepiece/" + name + ".cases.jsonl")).compactMap(\.text)
            + [String(repeating: "Dropout makes segmentations vary between epochs. ", count: 6)]
        var g = SeededRandomGenerator(seed: 4)
        let zero = try tokenizer.sampling(.bpeDropout(probability: 0))
        let one = try tokenizer.sampling(.bpeDropout(probability: 1))
        let half = try tokenizer.sampling(.bpeDropout(probability: 0.5))
        guard case let .sentencePiece(model) = tokenizer.model else { Issue.record("not SentencePiece"); return }
        var differs = false
        for text in texts {
            let expected = try tokenizer.encodeIDs(text)
            #expect(try zero.encodeIDs(text, using: &g) == expected, "\(text.debugDescription)")
            // At 1 nothing merges: every piece is one character (or a user-defined symbol, or
            // the byte pieces of an unknown character).
            for token in try one.encode(text, using: &g).tokens where model.type(ofID: model.id(forToken: token) ?? 0) == .normal {
                #expect(token.unicodeScalars.count == 1, "\(token.debugDescription) in \(text.debugDescription)")
            }
            let sampled = try half.encodeIDs(text, using: &g)
            #expect(try tokenizer.decode(sampled) == tokenizer.decode(expected), "\(text.debugDescription)")
            if sampled != expected { differs = true }
        }
        #expect(differs)
        func run(_ seed: UInt64) throws -> [[TokenID]] {
            var g = SeededRandomGenerator(seed: seed)
            return try texts.map { try half.encodeIDs($0, using: &g) }
        }
        #expect(try run(1) == run(1))
        #expect(try run(1) != run(2))
    }

    /// As in `tokenizers`, the direct vocabulary hit of `ignore_merges` (and of tiktoken files)
    /// is not made under dropout: a word that is a token can come out split, at 0 it cannot.
    @Test func wholeWordTokensAreDroppedToo() throws {
        let tokenizer = try Tokenizer.encoding(named: "cl100k_base")
        let text = String(repeating: " hello", count: 50)
        var g = SeededRandomGenerator(seed: 21)
        #expect(try tokenizer.sampling(.bpeDropout(probability: 0)).encodeIDs(text, using: &g) == Array(repeating: 24748, count: 50))
        let sampled = try tokenizer.sampling(.bpeDropout(probability: 0.3)).encodeIDs(text, using: &g)
        #expect(sampled.count > 50)
        #expect(try tokenizer.decode(sampled) == text)
    }

    @Test func sameSeedSameOutputDifferentSeedsDiffer() throws {
        let tokenizer = try Tokenizer(contentsOf: TestData.fixture("tokenizers/gpt2-style.tokenizer.json"))
        guard case let .bpe(bpe) = tokenizer.model else { Issue.record("not BPE"); return }
        let words = "the quick brown fox jumps over the lazy dog while tokenization experiments continue".split(separator: " ")
        func run(seed: UInt64, p: Float) throws -> [TokenID] {
            var g = SeededRandomGenerator(seed: seed)
            var out: [TokenID] = []
            for _ in 0..<5 {
                for w in words {
                    let piece = Array(ByteLevelAlphabet.encode(Array(w.utf8)).utf8)
                    out += try bpe.tokenize(piece, dropout: p, using: &g).map(\.id)
                }
            }
            return out
        }
        #expect(try run(seed: 11, p: 0.5) == run(seed: 11, p: 0.5))
        #expect(try run(seed: 11, p: 0.5) != run(seed: 12, p: 0.5))
        var deterministic: [TokenID] = []
        for _ in 0..<5 {
            for w in words {
                deterministic += try bpe.tokenize(Array(ByteLevelAlphabet.encode(Array(w.utf8)).utf8)).map(\.id)
            }
        }
        #expect(try run(seed: 99, p: 0) == deterministic)
        #expect(try run(seed: 11, p: 0.5).count > deterministic.count)
    }
}
