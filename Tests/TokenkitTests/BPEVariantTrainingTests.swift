import Foundation
import Testing
@testable import Tokenkit
@testable import TokenkitTraining

/// Scaffold-BPE (Lian et al., 2024): training on hand-checked word counts, the written
/// tokenizer.json, and encoding that never outputs a scaffold.
@Suite struct ScaffoldBPETests {
    /// "abc" ×10, "ab" ×1, "de" ×5 over the alphabet a–e:
    /// 1. (a, b) 11 → "ab"; its parts are characters, which never become scaffolds.
    /// 2. (ab, c) 10 → "abc"; "ab" is left once, below the next pair (d, e) 5: a scaffold.
    /// 3. the slot it frees goes to (d, e) 5 → "de".
    /// A vocabulary of 8 has room for "ab" again once no pair is left (its count 1 is then the
    /// highest).
    static func handWords() -> WordCounts { WordCounts(["abc": 10, "ab": 1, "de": 5]) }

    static func strings(_ vocabulary: BPEVocabulary) -> [String] { vocabulary.tokens.map { String(decoding: $0, as: UTF8.self) } }

    /// Cross-check with TkTkT's Scaffold-BPE (fixture by scripts/generate_scaffold_reference.py,
    /// on the same word counts, ties broken as here): the same merges in the same order, and the
    /// same merged tokens becoming scaffolds at the same merge. (TkTkT also makes characters
    /// scaffolds and never brings one back; both are left out, see the script.)
    @Test func agreesWithTkTkT() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: TestData.fixture("training/scaffold-tktkt.json")))
        let reference = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let counts = try #require(reference["word_counts"] as? [String: Int])
        let merges = try #require(reference["merges"] as? [[String]])
        let comparable = try #require(reference["comparable_merges"] as? Int)
        let scaffolds = try #require(reference["first_scaffolds"] as? [[Any]])
        #expect(comparable > 500)

        var trainer = BPETrainer(vocabularySize: 5000)
        trainer.scaffold = true
        let trained = trainer.train(WordCounts(counts))
        try #require(trained.merges.count >= comparable)
        let ours = trained.merges.prefix(comparable).map { [trained.token($0.0), trained.token($0.1)] }
        #expect(ours == Array(merges.prefix(comparable)))

        // Merge i (0-based) of the reference is the one after which our history counts i + 1 merges.
        var first: [String: Int] = [:]
        for event in trained.scaffoldHistory where event.becameScaffold && first[trained.token(event.token)] == nil {
            first[trained.token(event.token)] = event.merges - 1
        }
        let expected = Set(scaffolds.compactMap { entry -> String? in
            guard let step = entry[0] as? Int, let token = entry[1] as? String, step < comparable else { return nil }
            return "\(step) \(token)"
        })
        #expect(Set(first.filter { $0.value < comparable }.map { "\($0.value) \($0.key)" }) == expected)
    }

    @Test func handCheckedMerges() {
        let plain = BPETrainer(vocabularySize: 7).train(Self.handWords())
        #expect(Self.strings(plain) == ["a", "b", "c", "d", "e", "ab", "abc"])
        #expect(plain.scaffoldTokens.isEmpty)

        var trainer = BPETrainer(vocabularySize: 7)
        trainer.scaffold = true
        let scaffolded = trainer.train(Self.handWords())
        // The vocabulary proper first, the scaffold last.
        #expect(Self.strings(scaffolded) == ["a", "b", "c", "d", "e", "abc", "de", "ab"])
        #expect(scaffolded.scaffoldTokens == [7])
        #expect(scaffolded.merges.map { [$0.0, $0.1] } == [[0, 1], [7, 2], [3, 4]])

        trainer.vocabularySize = 8
        let restored = trainer.train(Self.handWords())
        #expect(Self.strings(restored) == ["a", "b", "c", "d", "e", "ab", "abc", "de"])
        #expect(restored.scaffoldTokens.isEmpty)
    }

    /// The written tokenizer.json marks the scaffold; Tokenkit splits it back into its parts.
    @Test func encodingSplitsScaffolds() throws {
        var trainer = BPETrainer(vocabularySize: 7)
        trainer.scaffold = true
        let vocabulary = trainer.train(Self.handWords())
        let pipeline = TrainingPipeline(preTokenizer: #"{"type":"WhitespaceSplit"}"#, decoder: nil, isByteLevel: false)
        let json = vocabulary.tokenizerJSON(pipeline: pipeline)
        let model = try JSONDocument(bytes: json).root["model"]!
        #expect(model["scaffold_tokens"]?.elements.map { $0.string! } == ["ab"])
        let tokenizer = try Tokenizer.load(json, format: .tokenizerJSON)
        let encoding = try tokenizer.encode("ab abc de")
        #expect(encoding.ids == [0, 1, 5, 6])
        #expect(encoding.tokens == ["a", "b", "abc", "de"])
        #expect(encoding.offsets.map { [$0.lowerBound, $0.upperBound] } == [[0, 1], [1, 2], [3, 6], [7, 9]])
        // A file naming a scaffold no merge makes is refused, naming the field.
        let broken = String(decoding: json, as: UTF8.self).replacingOccurrences(of: #""scaffold_tokens":["ab"]"#, with: #""scaffold_tokens":["c"]"#)
        #expect(throws: TokenizerLoadingError.self) { try Tokenizer.load(Array(broken.utf8), format: .tokenizerJSON) }
        do {
            _ = try Tokenizer.load(Array(broken.utf8), format: .tokenizerJSON)
        } catch {
            #expect(error.description.contains("scaffold_tokens"))
        }
    }

    /// On a real corpus: the vocabulary proper has exactly the requested size, scaffolds exist,
    /// and encoding (fast and full pipeline alike) never outputs one and is lossless on random
    /// Unicode.
    @Test func byteLevelCorpus() throws {
        let pipeline = TrainingPipeline.byteLevel()
        let splitter = try pipeline.wordSplitter()
        var words = WordCounts()
        let corpus = [UInt8](FileManager.default.contents(atPath: TestData.fixture("training/corpus.txt"))!)
        try TrainingCorpus.forEachSequence(in: corpus, source: "corpus.txt", format: .lines) { words.addWords(of: $0, splitter: splitter) }
        var trainer = BPETrainer(vocabularySize: 1000, initialAlphabet: BPETrainer.byteLevelAlphabet)
        trainer.scaffold = true
        let vocabulary = trainer.train(words)
        #expect(vocabulary.tokens.count - vocabulary.scaffoldTokens.count == 1000)
        #expect(vocabulary.scaffoldTokens.count > 5)
        #expect(vocabulary.scaffoldTokens == Array(UInt32(1000)..<UInt32(vocabulary.tokens.count)))

        let tokenizer = try Tokenizer.load(vocabulary.tokenizerJSON(pipeline: pipeline), format: .tokenizerJSON)
        var rng = SeededGenerator(seed: 5)
        var texts = try String(contentsOfFile: TestData.fixture("training/corpus.txt"), encoding: .utf8)
            .split(separator: "\n").prefix(200).map(String.init)
        for _ in 0..<200 { texts.append(randomText(&rng)) }
        var sawMergedToken = false
        for text in texts {
            let ids = try tokenizer.encodeIDs(text, addSpecialTokens: false)
            #expect(ids.allSatisfy { $0 < 1000 }, "a scaffold in the output of \(text.debugDescription)")
            // The fast encoder (ids) and the full pipeline (with offsets) split alike.
            #expect(try tokenizer.encode(text, addSpecialTokens: false).ids == ids)
            sawMergedToken = sawMergedToken || ids.contains { $0 >= 256 }
            #expect(try tokenizer.decode(ids) == text)
        }
        #expect(sawMergedToken)
    }
}

/// SuperBPE (Liu et al., 2025): the second stage keeps the first stage's vocabulary and merges
/// and learns tokens that span words.
@Suite struct SuperBPETests {
    static func count(_ text: String, pipeline: TrainingPipeline) throws -> WordCounts {
        let splitter = try pipeline.wordSplitter()
        var words = WordCounts()
        try TrainingCorpus.forEachSequence(in: Array(text.utf8), source: "corpus", format: .lines) { words.addWords(of: $0, splitter: splitter) }
        return words
    }

    /// "a b a b a b": the first stage (GPT-2 pieces "a" " b" " a" " b" " a" " b") merges
    /// (Ġ, b), seen 3 times, where plain BPE would next merge (Ġ, a), seen twice; the second
    /// stage sees one word, a Ġb Ġ a Ġb Ġ a Ġb, whose best pair is (a, Ġb), 3 times: "aĠb".
    @Test func handCheckedSuperword() throws {
        let text = "a b a b a b\n"
        let alphabet = BPETrainer.byteLevelAlphabet
        let stage1 = BPETrainer(vocabularySize: 257, initialAlphabet: alphabet).train(try Self.count(text, pipeline: .byteLevel()))
        #expect(stage1.token(256) == "Ġb")
        let plain = BPETrainer(vocabularySize: 258, initialAlphabet: alphabet).train(try Self.count(text, pipeline: .byteLevel()))
        #expect(plain.token(257) == "Ġa")
        let encoder = try Tokenizer.load(stage1.tokenizerJSON(pipeline: .byteLevelWholeWords), format: .tokenizerJSON)
        let words = try Self.count(text, pipeline: .byteLevel(pattern: TrainingPipeline.superwordPattern))
        let superBPE = BPETrainer(vocabularySize: 258, initialAlphabet: alphabet).train(words, continuing: stage1, stage1Encoder: encoder)
        #expect(superBPE.token(257) == "aĠb")
        #expect(superBPE.merges.count == 2)
    }

    @Test func secondStageLearnsSuperwords() throws {
        var text = try String(contentsOfFile: TestData.fixture("training/corpus.txt"), encoding: .utf8)
        text += String(repeating: "we think of the sea and of the sky\n", count: 200)
        let stage1Pipeline = TrainingPipeline.byteLevel()
        let stage1 = BPETrainer(vocabularySize: 600, initialAlphabet: BPETrainer.byteLevelAlphabet)
            .train(try Self.count(text, pipeline: stage1Pipeline))
        let stage2Pipeline = TrainingPipeline.byteLevel(pattern: TrainingPipeline.superwordPattern)
        let encoder = try Tokenizer.load(stage1.tokenizerJSON(pipeline: .byteLevelWholeWords), format: .tokenizerJSON)
        let trainer = BPETrainer(vocabularySize: 800, initialAlphabet: BPETrainer.byteLevelAlphabet)
        let final = trainer.train(try Self.count(text, pipeline: stage2Pipeline), continuing: stage1, stage1Encoder: encoder)

        // The first stage is kept as it was.
        #expect(final.tokens.count == 800)
        #expect(Array(final.tokens.prefix(600)) == stage1.tokens)
        #expect(final.merges.prefix(stage1.merges.count).map { [$0.0, $0.1] } == stage1.merges.map { [$0.0, $0.1] })
        // Later tokens span words: a letter, a space (Ġ), a letter.
        let superwords = final.tokens[600...].map { String(decoding: $0, as: UTF8.self) }.filter { token in
            let scalars = Array(token.unicodeScalars)
            return scalars.indices.dropFirst().dropLast().contains { scalars[$0] == "Ġ" && scalars[$0 - 1].properties.isAlphabetic && scalars[$0 + 1].properties.isAlphabetic }
        }
        #expect(superwords.count > 5, "\(superwords)")

        let before = try Tokenizer.load(stage1.tokenizerJSON(pipeline: stage1Pipeline), format: .tokenizerJSON)
        let after = try Tokenizer.load(final.tokenizerJSON(pipeline: stage2Pipeline), format: .tokenizerJSON)
        let sentence = "we think of the sea and of the sky"
        #expect(try after.encodeIDs(sentence).count < before.encodeIDs(sentence).count)
        var rng = SeededGenerator(seed: 9)
        for _ in 0..<200 {
            let random = randomText(&rng)
            #expect(try after.decode(after.encodeIDs(random)) == random)
        }
    }
}

/// Multi-Word Tokenization (Gee et al., 2023): n-grams learned from text, matched longest first
/// at word boundaries before the base tokenizer.
@Suite struct MultiWordTokenizationTests {
    @Test func learnsFrequentNgrams() {
        let trainer = MultiWordTrainer(topK: 3, maximumWords: 3, minimumCount: 2)
        var counter = ByteStringCounter()
        for _ in 0..<3 { trainer.count("we think of the sea and of the sky\n", into: &counter) }
        trainer.count("Of the people, by the people\n", into: &counter)
        // " of the" twice a line; then the three-word runs seen three times, by bytes.
        #expect(trainer.ngrams(from: counter) == [" of the", " and of", " and of the"])
        // "Of the" (once) is below the minimum count; words across punctuation never chain.
        var single = ByteStringCounter()
        trainer.count("Of the people, by the people", into: &single)
        var all: [String] = []
        single.forEach { bytes, _ in all.append(String(decoding: bytes, as: UTF8.self)) }
        #expect(all == ["Of the", "Of the people", " the people", " by the", " by the people"])
    }

    @Test func matchesLongestAtWordBoundaries() throws {
        let base = try Tokenizer.encoding(named: "cl100k_base")
        let multi = MultiWordTokenizer(base: base, ngrams: [" of the", " in order to", "in order"])
        let v = TokenID(base.vocabularySize())
        let text = "think of theory, of the sea in order to win"
        var expected = try base.encodeIDs("think of theory,", addSpecialTokens: false) + [v]
        expected += try base.encodeIDs(" sea", addSpecialTokens: false) + [v + 1]
        expected += try base.encodeIDs(" win", addSpecialTokens: false)
        #expect(try multi.encode(text) == expected)
        #expect(try multi.encode("in order") == [v + 2])
        #expect(try multi.decode(multi.encode(text)) == text)
        var rng = SeededGenerator(seed: 3)
        for _ in 0..<100 {
            let random = randomText(&rng) + " of the " + randomText(&rng)
            #expect(try multi.decode(multi.encode(random)) == random)
        }
        #expect(throws: TokenizerLoadingError.self) { try MultiWordTokenizer.ngrams(fromFile: Array(#"{"ngrams":[]}"#.utf8), name: "x.json") }
    }
}
