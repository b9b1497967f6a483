import Foundation
import Testing
@testable import Tokenkit
@testable import TokenkitTraining

/// The Unigram trainer against SentencePiece (fixtures from scripts/generate_unigram_fixtures.py)
/// and against small cases checked by hand or by brute force.
@Suite struct UnigramTrainerTests {
    static let configurations = ["unigram-default", "unigram-bytes"]

    struct Options {
        var vocabularySize: Int
        var characterCoverage: Double
        var byteFallback: Bool
        var splitDigits: Bool
        var userDefinedSymbols: [String]
        var controlSymbols: [String]

        init(_ name: String) throws {
            let root = try JSONDocument(bytes: [UInt8](FileManager.default.contents(atPath: TestData.fixture("training/\(name).options.json"))!)).root
            vocabularySize = root["vocab_size"]!.int!
            characterCoverage = root["character_coverage"]!.double!
            byteFallback = root["byte_fallback"]!.bool!
            splitDigits = root["split_digits"]!.bool!
            userDefinedSymbols = root["user_defined_symbols"]!.elements.map { $0.string! }
            controlSymbols = root["control_symbols"]!.elements.map { $0.string! }
        }

        var trainer: UnigramTrainer {
            UnigramTrainer(vocabularySize: vocabularySize, characterCoverage: characterCoverage, splitDigits: splitDigits,
                           controlSymbols: controlSymbols, userDefinedSymbols: userDefinedSymbols, byteFallback: byteFallback)
        }
    }

    static func lines(_ fixture: String) -> [String] {
        let bytes = [UInt8](FileManager.default.contents(atPath: TestData.fixture(fixture))!)
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    static func train(_ trainer: UnigramTrainer, _ sentences: [String]) throws -> UnigramVocabulary {
        var corpus = UnigramCorpus(for: trainer)
        for sentence in sentences { corpus.add(sentence) }
        return try trainer.train(corpus)
    }

    static func tokenCount(_ tokenizer: Tokenizer, _ lines: [String]) throws -> Int {
        try lines.reduce(0) { $0 + (try tokenizer.encode($1, addSpecialTokens: false).ids.count) }
    }

    // MARK: - Against SentencePiece

    /// Tokens per byte on held-out text within 1% of SentencePiece's model trained on the same
    /// corpus with the same settings, and nearly the same pieces.
    @Test(arguments: configurations)
    func heldOutTokensPerByteMatchSentencePiece(_ name: String) throws {
        let options = try Options(name)
        let reference = try JSONDocument(bytes: [UInt8](FileManager.default.contents(atPath: TestData.fixture("training/\(name).reference.json"))!)).root
        let vocabulary = try Self.train(options.trainer, Self.lines("training/corpus.txt"))
        #expect(vocabulary.pieces.count == options.vocabularySize)
        let tokenizer = try Tokenizer.load(vocabulary.sentencePieceModel(), format: .sentencePiece, name: name)
        let heldOut = Self.lines("training/heldout.txt")
        let bytes = heldOut.reduce(0) { $0 + $1.utf8.count }
        #expect(bytes == reference["heldout_bytes"]!.int!)
        let ours = Double(try Self.tokenCount(tokenizer, heldOut)) / Double(bytes)
        let theirs = Double(reference["heldout_tokens"]!.int!) / Double(bytes)
        #expect(abs(ours / theirs - 1) <= 0.01, "tokens per byte \(ours) vs SentencePiece's \(theirs)")
        let referencePieces = Set(reference["pieces"]!.elements.map { $0.stringBytes! })
        let shared = vocabulary.pieces.filter { referencePieces.contains(Array($0.piece.utf8)) }.count
        #expect(Double(shared) >= 0.95 * Double(options.vocabularySize), "only \(shared) pieces shared with SentencePiece")
        // Special pieces where SentencePiece puts them.
        let referenceList = reference["pieces"]!.elements.map { $0.string! }
        let specials = 3 + options.controlSymbols.count + options.userDefinedSymbols.count + (options.byteFallback ? 256 : 0)
        #expect(vocabulary.pieces.prefix(specials).map(\.piece) == Array(referenceList.prefix(specials)))
    }

    /// The written `.model` and `tokenizer.json` load in Tokenkit and encode as the trained model
    /// itself does (a SentencePiece model built from the pieces in memory).
    @Test(arguments: configurations)
    func writtenFilesEncodeLikeTheTrainedModel(_ name: String) throws {
        let options = try Options(name)
        let vocabulary = try Self.train(options.trainer, Self.lines("training/corpus.txt"))
        let model = try SentencePieceModel(kind: .unigram, pieces: vocabulary.pieces.map { ($0.piece, $0.score, $0.type) },
                                           byteFallback: options.byteFallback)
        let fromModel = try Tokenizer.load(vocabulary.sentencePieceModel(), format: .sentencePiece, name: "trained.model")
        let fromJSON = try Tokenizer.load(vocabulary.tokenizerJSON(), format: .tokenizerJSON, name: "trained.json")
        let normalizer = options.trainer.normalizer
        var differences = 0
        for line in Self.lines("training/heldout.txt") {
            let normalized = normalizer.normalizedBytes(line)
            let direct = model.encodeIDs(normalized: normalized)
            let ids = try fromModel.encode(line, addSpecialTokens: false).ids
            #expect(ids == direct, "\(line)")
            if try fromJSON.encode(line, addSpecialTokens: false).ids != ids { differences += 1 }
        }
        // Both files hold the same vocabulary; the JSON model sums scores in double precision, so
        // a near tie may rarely resolve otherwise. None does on this text.
        #expect(differences == 0)
    }

    @Test func sameInputGivesIdenticalFilesWhateverTheThreads() throws {
        let lines = Array(Self.lines("training/corpus.txt").prefix(1200))
        var trainer = UnigramTrainer(vocabularySize: 800, threads: 1)
        let one = try Self.train(trainer, lines)
        trainer.threads = 3
        let three = try Self.train(trainer, lines)
        let again = try Self.train(trainer, lines)
        #expect(one.pieces == three.pieces)
        #expect(one.sentencePieceModel() == three.sentencePieceModel())
        #expect(three.sentencePieceModel() == again.sentencePieceModel())
        #expect(three.tokenizerJSON() == again.tokenizerJSON())
    }

    // MARK: - Suffix array and seeds

    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 11 | state << 53
        }
    }

    @Test func suffixArrayMatchesBruteForce() {
        var random = Generator(state: 7)
        for round in 0..<200 {
            let length = Int.random(in: 1...60, using: &random)
            let alphabet = round % 3 == 0 ? 2 : round % 3 == 1 ? 3 : 12
            let text = (0..<length).map { _ in Int32.random(in: 1...Int32(alphabet), using: &random) }
            let array = SuffixArray(text: text, alphabetSize: alphabet + 1)
            let expected = (0..<length).sorted { text[$0...].lexicographicallyPrecedes(text[$1...]) }
            #expect(array.suffixes.map(Int.init) == expected, "\(text)")
            let lcp = array.cappedLCP(5)
            for i in 1..<length {
                let a = text[expected[i - 1]...], b = text[expected[i]...]
                let common = zip(a, b).prefix { $0 == $1 }.count
                #expect(Int(lcp[i]) == min(common, 5))
            }
        }
    }

    /// Internal nodes of the suffix tree with their weighted counts, against every substring
    /// counted by hand: those occurring twice with two different next symbols (or the end).
    @Test func repeatedSubstringsMatchBruteForce() {
        var random = Generator(state: 11)
        for _ in 0..<100 {
            let length = Int.random(in: 2...50, using: &random)
            let text = (0..<length).map { _ in Int32.random(in: 1...3, using: &random) }
            let weights = (0..<length).map { _ in Int64.random(in: 1...4, using: &random) }
            let array = SuffixArray(text: text, alphabetSize: 4)
            var found: [[Int32]: Int64] = [:]
            array.forEachRepeat(maximumDepth: 6, weight: { weights[Int($0)] }) { start, depth, weight in
                let key = Array(text[Int(start)..<(Int(start) + depth)])
                #expect(found[key] == nil)
                found[key] = weight
            }
            var expected: [[Int32]: Int64] = [:]
            var followers: [[Int32]: Set<Int32>] = [:]
            var occurrences: [[Int32]: Int] = [:]
            for start in 0..<length {
                for end in (start + 1)...min(length, start + 6) {
                    let key = Array(text[start..<end])
                    expected[key, default: 0] += weights[start]
                    occurrences[key, default: 0] += 1
                    followers[key, default: []].insert(end < length ? text[end] : 0)
                }
            }
            expected = expected.filter { occurrences[$0.key]! >= 2 && followers[$0.key]!.count >= 2 }
            #expect(found == expected, "\(text)")
        }
    }

    /// The seed pieces of a tiny corpus, worked out by hand: characters by count, then the
    /// internal nodes of the suffix tree of "▁ab▁ab▁ab" by frequency × length.
    @Test func seedsOfATinyCorpus() throws {
        let trainer = UnigramTrainer(vocabularySize: 10, beginningPiece: nil, endPiece: nil)
        var corpus = UnigramCorpus(for: trainer)
        corpus.add("ab ab ab\n")
        let text = try trainer.prepare(corpus, progress: nil)
        let seeds = (0..<text.seeds.count).map { String(decoding: text.utf8(text.seeds[$0]), as: UTF8.self) }
        // "▁a" is always followed by "b", so it is no node; "▁ab" (3 × 3) and "ab" (3 × 2) are.
        #expect(seeds == ["a", "b", "▁", "▁ab", "ab"])
        let counts: [Float] = [3, 3, 3, 9, 6]
        let logTotal = log(Double(counts.reduce(0, +)))
        for (score, count) in zip(text.seedScores, counts) { #expect(abs(Double(score) - (log(Double(count)) - logTotal)) < 1e-6) }
    }

    /// Seeds from distinct words weighted by their counts equal those SentencePiece finds in the
    /// whole corpus, brute-forced here over random sentences of a small alphabet.
    @Test func seedsEqualTheWholeCorpusSubstrings() throws {
        var random = Generator(state: 5)
        let letters = ["a", "b", "c"]
        for _ in 0..<30 {
            let sentences = (0..<Int.random(in: 1...12, using: &random)).map { _ in
                (0..<Int.random(in: 1...4, using: &random)).map { _ in
                    (0..<Int.random(in: 1...4, using: &random)).map { _ in letters.randomElement(using: &random)! }.joined()
                }.joined(separator: " ")
            }
            let trainer = UnigramTrainer(vocabularySize: 50, maximumPieceLength: 5, beginningPiece: nil, endPiece: nil)
            var corpus = UnigramCorpus(for: trainer)
            for sentence in sentences { corpus.add(sentence) }
            let text = try trainer.prepare(corpus, progress: nil)
            var seeds: [String: Float] = [:]
            for index in 0..<text.seeds.count where text.seeds.length(index) > 1 {
                seeds[String(decoding: text.utf8(text.seeds[index]), as: UTF8.self)] = Float(index)
            }
            // The whole corpus as SentencePiece lays it out: sentences with "▁" for spaces, each
            // followed by a boundary "|".
            let whole = Array(sentences.map { "▁" + $0.replacingOccurrences(of: " ", with: "▁") + "|" }.joined())
            var occurrences: [String: Int] = [:]
            var followers: [String: Set<Character>] = [:]
            for start in whole.indices {
                for end in stride(from: start + 2, through: min(whole.count, start + 5), by: 1) {
                    let piece = whole[start..<end]
                    // Valid pieces: no boundary, "▁" only in front.
                    if piece.contains("|") || piece.dropFirst().contains("▁") { continue }
                    occurrences[String(piece), default: 0] += 1
                    followers[String(piece), default: []].insert(end < whole.count ? whole[end] : "|")
                }
            }
            let expected = Set(occurrences.keys.filter { occurrences[$0]! >= 2 && followers[$0]!.count >= 2 })
            #expect(Set(seeds.keys) == expected, "\(sentences)")
        }
    }

    // MARK: - EM

    @Test func digammaMatchesKnownValues() {
        // ψ(1) = −γ, ψ(1/2) = −γ − 2 ln 2, ψ(10) = H₉ − γ.
        let gamma = 0.5772156649015329
        #expect(abs(digamma(1) + gamma) < 1e-9)
        #expect(abs(digamma(0.5) - (-gamma - 2 * log(2.0))) < 1e-9)
        #expect(abs(digamma(10) - ((1...9).reduce(0.0) { $0 + 1 / Double($1) } - gamma)) < 1e-9)
        // ψ(x + 1) = ψ(x) + 1/x.
        #expect(abs(digamma(3.7) - digamma(2.7) - 1 / 2.7) < 1e-9)
    }

    /// Forward-backward on "ab" with pieces a, b, ab: the two segmentations' probabilities are
    /// proportional to exp(score(a) + score(b)) and exp(score(ab)).
    @Test func marginalsOfATinyLattice() {
        var pieces = PieceList()
        pieces.append([2])
        pieces.append([3])
        pieces.append([2, 3])
        let scores: [Float] = [log(0.3), log(0.2), log(0.5)]
        let model = UnigramTrainingModel(pieces: pieces, scores: scores, alphabetSize: 4)
        var lattice = UnigramLattice()
        let word: [UInt32] = [2, 3]
        word.withUnsafeBufferPointer { lattice.populate($0, model: model) }
        var expected = [Double](repeating: 0, count: 3)
        lattice.forEachMarginal(frequency: 10) { id, value in expected[Int(id)] += value }
        let split = 0.3 * 0.2, whole = 0.5
        #expect(abs(expected[2] - 10 * whole / (split + whole)) < 1e-4)
        #expect(abs(expected[0] - 10 * split / (split + whole)) < 1e-4)
        #expect(abs(expected[0] - expected[1]) < 1e-6)
        #expect(word.withUnsafeBufferPointer { lattice.populate($0, model: model); return lattice.viterbi() } == [1])
        // Without the whole piece, the next best segmentation is a + b.
        let second = lattice.viterbi(excluding: lattice.wholeWordNode!)
        #expect(second.map { $0.map { lattice.ids[$0] } } == [0, 1])
    }

    /// One EM step on two words, "ab" ×10 and "a" ×2, with pieces a, b, ab: the expected counts
    /// are the marginals times the counts, and the M step scores each piece digamma(count) −
    /// digamma(total), dropping pieces expected fewer than 0.5 times.
    @Test func oneEMStepOnATinyExample() {
        var text = UnigramTrainingText()
        text.alphabet = [0x61, 0x62]
        text.words.append([2, 3])
        text.words.append([2])
        text.wordCounts = [10, 2]
        var pieces = PieceList()
        pieces.append([2])
        pieces.append([3])
        pieces.append([2, 3])
        let model = UnigramTrainingModel(pieces: pieces, scores: [log(0.3), log(0.2), log(0.5)], alphabetSize: 4)
        let trainer = UnigramTrainer(threads: 1)
        let expected = trainer.expectedCounts(model, text: text)
        let whole = 0.5 / (0.5 + 0.3 * 0.2)
        #expect(abs(Double(expected[2]) - 10 * whole) < 1e-4)
        #expect(abs(Double(expected[0]) - (10 * (1 - whole) + 2)) < 1e-4)
        #expect(abs(Double(expected[1]) - 10 * (1 - whole)) < 1e-4)
        let next = trainer.maximize(model, expected: expected, alphabetSize: 4)
        // b is expected about 1.07 times: kept; with 0.4 it would go.
        #expect(next.count == 3)
        let total = Double(expected.reduce(0, +))
        for index in 0..<3 {
            #expect(abs(Double(next.scores[index]) - (digamma(Double(expected[index])) - digamma(total))) < 1e-5)
        }
        let pruned = trainer.maximize(model, expected: [10, 0.4, 5], alphabetSize: 4)
        #expect(pruned.count == 2 && Array(pruned.pieces[1]) == [2, 3])
        #expect(abs(Double(pruned.scores[0]) - (digamma(10) - digamma(15))) < 1e-5)
    }

    /// Characters of `requiredCharacters` and every kept character are in the vocabulary, even
    /// when pruning or the vocabulary size would drop them.
    @Test func requiredCharactersAreKept() throws {
        let lines = Array(Self.lines("training/corpus.txt").prefix(600))
        let trainer = UnigramTrainer(vocabularySize: 300, requiredCharacters: "ζ☃")
        let vocabulary = try Self.train(trainer, lines)
        let pieces = Set(vocabulary.pieces.map(\.piece))
        #expect(pieces.contains("ζ") && pieces.contains("☃"))
        var corpus = UnigramCorpus(for: trainer)
        for line in lines { corpus.add(line) }
        let text = try trainer.prepare(corpus, progress: nil)
        for (scalar, _) in text.requiredCharacters { #expect(pieces.contains(String(Unicode.Scalar(scalar)!))) }
    }

    @Test func specialPiecesTakeTheFirstIDs() throws {
        let trainer = UnigramTrainer(vocabularySize: 600, controlSymbols: ["<sep>"], userDefinedSymbols: ["<mask>"], byteFallback: true)
        let vocabulary = try Self.train(trainer, Array(Self.lines("training/corpus.txt").prefix(300)))
        #expect(vocabulary.pieces.prefix(6).map(\.piece) == ["<unk>", "<s>", "</s>", "<sep>", "<mask>", "<0x00>"])
        #expect(vocabulary.pieces[4].type == .userDefined && vocabulary.pieces[3].type == .control)
        #expect(vocabulary.pieces[5 + 255].piece == "<0xFF>")
        // A user-defined piece in the text is never split, and never learned from.
        let tokenizer = try Tokenizer.load(vocabulary.sentencePieceModel(), format: .sentencePiece, name: "m")
        #expect(try tokenizer.encode("a<mask>b", addSpecialTokens: false).ids.contains(4))
        // An unknown character falls back to its bytes.
        let ids = try tokenizer.encode("\u{1F9A5}", addSpecialTokens: false).ids
        #expect(ids.suffix(4) == [0xF0, 0x9F, 0xA6, 0xA5].map { TokenID(5 + $0) })
    }

    // MARK: - Bad input

    @Test func badSettingsAndInputAreRefused() throws {
        let lines = Array(Self.lines("training/corpus.txt").prefix(200))
        #expect(throws: UnigramTrainer.Failure.self) { try Self.train(UnigramTrainer(vocabularySize: 3), lines) }
        #expect(throws: UnigramTrainer.Failure.self) { try Self.train(UnigramTrainer(vocabularySize: 10), lines) }
        #expect(throws: UnigramTrainer.Failure.self) { try Self.train(UnigramTrainer(vocabularySize: 100_000), lines) }
        #expect(throws: UnigramTrainer.Failure.self) { try Self.train(UnigramTrainer(vocabularySize: 500), []) }
        #expect(throws: UnigramTrainer.Failure.self) { try Self.train(UnigramTrainer(vocabularySize: 500), ["", "\n"]) }
        #expect(throws: UnigramTrainer.Failure.self) { try Self.train(UnigramTrainer(vocabularySize: 500, characterCoverage: 0.5), lines) }
        #expect(throws: UnigramTrainer.Failure.self) {
            try Self.train(UnigramTrainer(vocabularySize: 500, userDefinedSymbols: ["<x>", "<x>"]), lines)
        }
        #expect(throws: UnigramTrainer.Failure.self) { try Self.train(UnigramTrainer(vocabularySize: 500, controlSymbols: ["<unk>"]), lines) }
        // Sentences SentencePiece skips: too long, or holding its unknown mark.
        var corpus = UnigramCorpus(for: UnigramTrainer(maximumSentenceLength: 10))
        corpus.add("short")
        corpus.add("far too long for the limit")
        corpus.add("has ▅")
        #expect(corpus.sentenceCount == 1 && corpus.tooLongSentenceCount == 1)
    }
}
