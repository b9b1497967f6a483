import Foundation
import Testing
@testable import Tokenkit
@testable import TokenkitTraining

/// The trainer against `tokenizers`' BpeTrainer (fixtures from scripts/generate_training_fixtures.py)
/// and against hand-checked small cases.
@Suite struct BPETrainerTests {
    static let configurations = ["gpt2-bpe", "llama3-bpe", "o200k-bpe", "metaspace-bpe"]

    struct Options {
        var vocabularySize: Int
        var minimumFrequency: Int
        var specialTokens: [String]
        var maximumTokenLength: Int?
        var limitAlphabet: Int?
        var pattern: String?
        /// SentencePiece-style (NFKC, Metaspace, characters) instead of byte-level.
        var metaspace: Bool
        var unknownToken: String?

        init(_ path: String) throws {
            let root = try JSONDocument(bytes: [UInt8](FileManager.default.contents(atPath: path)!)).root
            vocabularySize = root["vocab_size"]!.int!
            minimumFrequency = root["min_frequency"]!.int!
            specialTokens = root["special_tokens"]!.elements.map { $0.string! }
            maximumTokenLength = root["max_token_length"]?.int
            limitAlphabet = root["limit_alphabet"]?.int
            pattern = root["pattern"]?.string
            metaspace = root["metaspace"]?.bool ?? false
            unknownToken = root["unk_token"]?.string
        }
    }

    /// The vocabulary (token → id) and merges of a tokenizer.json's model.
    /// Keys are UTF-8 bytes: Swift strings compare by canonical equivalence.
    static func model(_ bytes: [UInt8]) throws -> (vocabulary: [[UInt8]: Int], merges: [String]) {
        let model = try JSONDocument(bytes: bytes).root["model"]!
        var vocabulary: [[UInt8]: Int] = [:]
        for (key, value) in model["vocab"]!.members { vocabulary[key.stringBytes!] = value.int! }
        let merges = (model["merges"]?.elements.map { $0 } ?? []).map { merge in
            merge.string ?? merge.elements.map { $0.string! }.joined(separator: " ")
        }
        return (vocabulary, merges)
    }

    @Test(arguments: configurations)
    func sameModelAsTokenizers(_ name: String) throws {
        let options = try Options(TestData.fixture("training/\(name).options.json"))
        let pipeline = options.metaspace ? TrainingPipeline.metaspace() : TrainingPipeline.byteLevel(pattern: options.pattern)
        let splitter = try pipeline.wordSplitter()
        var words = WordCounts()
        let corpus = [UInt8](FileManager.default.contents(atPath: TestData.fixture("training/corpus.txt"))!)
        try TrainingCorpus.forEachSequence(in: corpus, source: "corpus.txt", format: .lines) { words.addWords(of: $0, splitter: splitter) }
        let trainer = BPETrainer(vocabularySize: options.vocabularySize, minimumFrequency: options.minimumFrequency,
                                 specialTokens: options.specialTokens, limitAlphabet: options.limitAlphabet,
                                 initialAlphabet: options.metaspace ? [] : BPETrainer.byteLevelAlphabet,
                                 maximumTokenLength: options.maximumTokenLength)
        var trained = trainer.train(words)
        trained.unknownToken = options.unknownToken
        let ours = try Self.model(trained.tokenizerJSON(pipeline: pipeline))
        let reference = try Self.model([UInt8](FileManager.default.contents(atPath: TestData.fixture("training/\(name).tokenizer.json"))!))
        #expect(ours.vocabulary.count == reference.vocabulary.count)
        #expect(ours.vocabulary == reference.vocabulary)
        #expect(ours.merges.count == reference.merges.count)
        if let first = zip(ours.merges, reference.merges).enumerated().first(where: { $0.element.0 != $0.element.1 }) {
            Issue.record("\(name): merge \(first.offset) is \(first.element.0.debugDescription), tokenizers has \(first.element.1.debugDescription)")
        }
        if let maximum = options.maximumTokenLength {
            for token in trained.tokens where !options.specialTokens.contains(String(decoding: token, as: UTF8.self)) {
                #expect(String(decoding: token, as: UTF8.self).unicodeScalars.count <= maximum)
            }
        }
        // The written file loads in Tokenkit and encodes like the reference file.
        let loaded = try Tokenizer.load(trained.tokenizerJSON(pipeline: pipeline), format: .tokenizerJSON)
        let referenceTokenizer = try Tokenizer(contentsOf: TestData.fixture("training/\(name).tokenizer.json"))
        let sample = String(decoding: corpus.prefix(20_000), as: UTF8.self)
        let referenceIDs = try referenceTokenizer.encodeIDs(sample)
        #expect(try loaded.encodeIDs(sample) == referenceIDs)

        // The same model as a tiktoken file with its sidecar encodes the same ids.
        guard !options.metaspace else {
            #expect(trained.tiktokenRanks() == nil, "a character-level model has no tiktoken form")
            // As a SentencePiece BPE model: the same ids for every line, except that
            // SentencePiece adds its "▁" prefix even before a leading space, and that its nmt_nfkc
            // rules also rewrite control characters (here "\r" in a few lines), which NFKC keeps.
            let unknown = try #require(options.unknownToken)
            let model = try Tokenizer.load(try #require(trained.sentencePieceModel(unknownToken: unknown)), format: .sentencePiece)
            #expect(model.format == .sentencePiece)
            var compared = 0
            for line in corpus.split(separator: 0x0A).map({ String(decoding: $0, as: UTF8.self) })
            where !(line.first?.isWhitespace ?? true) && !line.unicodeScalars.contains(where: { $0.value < 0x20 }) {
                #expect(try model.encodeIDs(line, addSpecialTokens: false) == referenceTokenizer.encodeIDs(line, addSpecialTokens: false), "\(line)")
                compared += 1
            }
            #expect(compared > 2000)
            #expect(trained.sentencePieceModel(unknownToken: "<nope>") == nil)
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tokenkit-tiktoken-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("\(name).tiktoken").path
        try Data(try #require(trained.tiktokenRanks())).write(to: URL(fileURLWithPath: path))
        let pattern = options.pattern ?? SplitPatterns.pattern(named: "gpt2")!
        try Data(trained.tiktokenSidecar(pattern: pattern)).write(to: URL(fileURLWithPath: path + ".json"))
        let tiktoken = try Tokenizer(contentsOf: path)
        #expect(tiktoken.format == .tiktoken)
        #expect(try tiktoken.encodeIDs(sample) == referenceIDs)
        for special in options.specialTokens {
            #expect(try tiktoken.encodeIDs(special, allowedSpecial: .all) == [trained.id(of: special)!])
        }
    }

    /// The SentencePiece-style configuration again with character coverage and byte fallback:
    /// the ids sentencepiece and tokenizers gave with the CLI's files for these settings
    /// (scripts/generate_training_fixtures.py checks that both agree and decode back).
    @Test func coverageAndByteFallbackEncodeAsSentencePiece() throws {
        let options = try Options(TestData.fixture("training/metaspace-bpe.options.json"))
        let recorded = try JSONDocument(bytes: [UInt8](FileManager.default.contents(atPath: TestData.fixture("training/metaspace-bpe.byte-fallback.json"))!)).root
        let lines = recorded["lines"]!.elements.map { $0.string! }
        let expected = recorded["ids"]!.elements.map { $0.elements.map { TokenID($0.int!) } }
        let pipeline = TrainingPipeline.metaspace(byteFallback: true)
        let splitter = try pipeline.wordSplitter()
        var words = WordCounts()
        let corpus = [UInt8](FileManager.default.contents(atPath: TestData.fixture("training/corpus.txt"))!)
        try TrainingCorpus.forEachSequence(in: corpus, source: "corpus.txt", format: .lines) { words.addWords(of: $0, splitter: splitter) }
        var trained = BPETrainer(vocabularySize: options.vocabularySize, minimumFrequency: options.minimumFrequency,
                                 specialTokens: options.specialTokens, characterCoverage: 0.999, byteFallback: true).train(words)
        let unknown = try #require(options.unknownToken)
        trained.unknownToken = unknown
        let json = try Tokenizer.load(trained.tokenizerJSON(pipeline: pipeline), format: .tokenizerJSON)
        let model = try Tokenizer.load(try #require(trained.sentencePieceModel(unknownToken: unknown)), format: .sentencePiece)
        #expect(lines.count > 100)
        for (line, ids) in zip(lines, expected) {
            #expect(try json.encodeIDs(line, addSpecialTokens: false) == ids, "\(line)")
            #expect(try model.encodeIDs(line, addSpecialTokens: false) == ids, "\(line)")
            #expect(try model.decode(ids) == line)
        }
    }

    /// tokenizers' own unit test (trainer.rs `test_train`): min_frequency 2 keeps three merges.
    @Test func referenceUnitCase() {
        let words = WordCounts(["roses": 1, "are": 2, "red": 1, "voilets": 1, "blue": 1, "BERT": 1, "is": 2, "big": 1,
                                "and": 1, "so": 1, "GPT-2": 1])
        let trained = BPETrainer(minimumFrequency: 2).train(words)
        let tokens = trained.tokens.map { String(decoding: $0, as: UTF8.self) }
        #expect(tokens == ["-", "2", "B", "E", "G", "P", "R", "T", "a", "b", "d", "e", "g", "i", "l", "n", "o", "r", "s",
                           "t", "u", "v", "re", "are", "is"])
        #expect(trained.merges.map { [$0.0, $0.1] } == [[17, 11], [8, 22], [13, 18]])
    }

    /// tokenizers' `bpe_test_max_token_length_direct_assert`, checked as a set (its ids for
    /// characters depend on the alphabet order, which is by code point in both).
    @Test func maximumTokenLength() {
        let words = WordCounts(["sin": 2, "Sin": 2, "Lon": 2, "Ano": 2, "짧은한": 2, "긴한글": 2, "短字符": 2, "长字符": 2,
                                "短い文": 2, "長い文": 2, "so": 2, "GP": 2])
        let trained = BPETrainer(maximumTokenLength: 2).train(words)
        let vocabulary = Dictionary(uniqueKeysWithValues: trained.tokens.enumerated().map { (String(decoding: $1, as: UTF8.self), $0) })
        let expected = ["短": 12, "n": 6, "i": 5, "s": 8, "字符": 23, "長": 14, "긴": 17, "い文": 22, "L": 2, "in": 21, "o": 7,
                        "은한": 29, "S": 4, "P": 3, "so": 27, "符": 13, "文": 11, "字": 10, "짧": 19, "GP": 25, "글": 16, "G": 1,
                        "An": 24, "长": 15, "A": 0, "Lo": 26, "긴한": 28, "い": 9, "한": 20, "은": 18]
        #expect(vocabulary == expected)
    }

    /// Tokens are compared as bytes: "é" precomposed and decomposed are two tokens.
    @Test func canonicallyEquivalentWordsStayDistinct() {
        // (Not a dictionary literal: its String keys would be equal.)
        var words = WordCounts()
        words.add(Array("caf\u{E9}".utf8), count: 3)
        words.add(Array("cafe\u{301}".utf8), count: 3)
        let trained = BPETrainer(vocabularySize: 100).train(words)
        let tokens = Set(trained.tokens.map { $0 })
        #expect(tokens.contains(Array("caf\u{E9}".utf8)))
        #expect(tokens.contains(Array("cafe\u{301}".utf8)))
    }

    /// Ids are stored in 16 bits up to 65,536 tokens and in 32 bits beyond (or when a character's
    /// id needs it): the merges are the same either way, those of a bigger vocabulary extending
    /// those of a smaller one.
    @Test func narrowAndWideIdsMergeAlike() {
        var words = WordCounts()
        var generator = SeededGenerator(seed: 3)
        for _ in 0..<3000 {
            let word = (0..<(2 + Int(generator.next() % 8))).map { _ in UInt8(ascii: "a") + UInt8(generator.next() % 6) }
            words.add(word, count: 1 + Int(generator.next() % 5))
        }
        // An alphabet of more than 65,536 characters forces wide ids from the start.
        var withWideCharacters = words
        withWideCharacters.add(Array("\u{10FFFD}\u{10FFFC}".utf8), count: 1)
        let narrow = BPETrainer(vocabularySize: 400).train(words)
        let wide = BPETrainer(vocabularySize: 70_000).train(words)
        let wideAlphabet = BPETrainer(vocabularySize: 80_000, initialAlphabet: (0..<70_000).compactMap { Unicode.Scalar(0x4E00 + $0) })
            .train(withWideCharacters)
        #expect(narrow.merges.count > 100)
        #expect(wide.merges.count > narrow.merges.count)
        #expect(Array(wide.merges.prefix(narrow.merges.count)).map { [$0.0, $0.1] } == narrow.merges.map { [$0.0, $0.1] })
        let narrowStrings = narrow.merges.map { narrow.tokens[Int($0.0)] + narrow.tokens[Int($0.1)] }
        let wideStrings = wideAlphabet.merges.prefix(narrow.merges.count).map { wideAlphabet.tokens[Int($0.0)] + wideAlphabet.tokens[Int($0.1)] }
        #expect(wideAlphabet.tokens.count > 65_536)
        #expect(Array(wideStrings.prefix(50)) == Array(narrowStrings.prefix(50)))
    }

    /// Character coverage (SentencePiece's rule): the rarest characters are left out, and a
    /// left-out character splits its word, so that no merge joins the letters around it.
    @Test func characterCoverageDropsRareCharactersAndMergesDoNotSpanThem() {
        // 'x' and 'y' make up all but 2 of 402 characters; "☃" is the rarest.
        let words = WordCounts(["xy": 100, "x☃y": 1, "yx": 0].filter { $0.value > 0 })
        let strings = { (trained: BPEVocabulary) in Set(trained.tokens.map { String(decoding: $0, as: UTF8.self) }) }
        let covered = BPETrainer(vocabularySize: 20, characterCoverage: 0.99).train(words)
        #expect(strings(covered) == ["x", "y", "xy"])
        // Without coverage "☃" is a character of the vocabulary; at coverage 1 too.
        #expect(strings(BPETrainer(vocabularySize: 20).train(words)).contains("☃"))
        #expect(strings(BPETrainer(vocabularySize: 20, characterCoverage: 1).train(words)).contains("☃"))
        // Dropped under limit_alphabet (tokenizers' rule), the letters around it do merge.
        var spanning = WordCounts()
        spanning.add(Array("y☃x".utf8), count: 50)
        spanning.add(Array("ab".utf8), count: 60)
        spanning.add(Array("xy".utf8), count: 10)
        let limited = BPETrainer(vocabularySize: 20, limitAlphabet: 4).train(spanning)
        #expect(strings(limited).contains("yx"))
        let coverageLimited = BPETrainer(vocabularySize: 20, characterCoverage: 0.7).train(spanning)
        #expect(!strings(coverageLimited).contains("yx") && !strings(coverageLimited).contains("☃"))
        #expect(strings(coverageLimited).isSuperset(of: ["ab", "xy"]))
    }

    /// Byte fallback: the 256 byte tokens follow the special tokens, and a tokenizer written
    /// from the vocabulary (tokenizer.json or .model) spells characters it never saw with them
    /// and decodes them back.
    @Test func byteFallbackSpellsUnseenCharacters() throws {
        let pipeline = TrainingPipeline.metaspace(byteFallback: true)
        let splitter = try pipeline.wordSplitter()
        var words = WordCounts()
        for line in ["the cat sat on the mat", "a hat for the cat", "the rat and the cat"] {
            for _ in 0..<5 { words.addWords(of: line, splitter: splitter) }
        }
        var trained = BPETrainer(vocabularySize: 320, specialTokens: ["<unk>", "<s>", "</s>"], byteFallback: true).train(words)
        trained.unknownToken = "<unk>"
        #expect(trained.token(3) == "<0x00>" && trained.token(258) == "<0xFF>" && trained.byteFallback)
        let json = try Tokenizer.load(trained.tokenizerJSON(pipeline: pipeline), format: .tokenizerJSON)
        let model = try Tokenizer.load(try #require(trained.sentencePieceModel(unknownToken: "<unk>")), format: .sentencePiece)
        let text = "the cat € the mat"
        let ids = try json.encodeIDs(text, addSpecialTokens: false)
        // "€" is E2 82 AC: three byte tokens, ids 3 + byte.
        #expect(ids.contains(3 + 0xE2) && ids.contains(3 + 0x82) && ids.contains(3 + 0xAC))
        #expect(try model.encodeIDs(text, addSpecialTokens: false) == ids)
        #expect(try json.decode(ids) == text)
        #expect(try model.decode(ids) == text)
    }

    @Test func specialTokensComeFirstAndTheVocabularyStopsAtItsSize() {
        let words = WordCounts(["hello": 5, "help": 4, "yellow": 3])
        let trained = BPETrainer(vocabularySize: 12, specialTokens: ["<s>", "</s>"]).train(words)
        #expect(trained.tokens.count == 12)
        #expect(trained.tokens[0] == Array("<s>".utf8) && trained.tokens[1] == Array("</s>".utf8))
        #expect(trained.token(2) == "e")
    }

    /// WordPiece against tokenizers' WordPieceTrainer. tokenizers is not deterministic here (the
    /// "##" characters get ids in hash-map order and ties between pairs follow ids; two of its
    /// runs on this corpus differ by about a dozen tokens), so the vocabularies must agree up to
    /// a small difference, with the special tokens and the alphabet identical.
    @Test func wordPieceAgreesWithTokenizersUpToTies() throws {
        let pipeline = TrainingPipeline.bert(lowercase: true)
        let splitter = try pipeline.wordSplitter()
        var words = WordCounts()
        let corpus = [UInt8](FileManager.default.contents(atPath: TestData.fixture("training/corpus.txt"))!)
        try TrainingCorpus.forEachSequence(in: corpus, source: "corpus.txt", format: .lines) { words.addWords(of: $0, splitter: splitter) }
        let specials = ["[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]"]
        let trained = BPETrainer(vocabularySize: 2500, specialTokens: specials, continuingSubwordPrefix: "##").train(words)
        let written = trained.wordPieceTokenizerJSON(pipeline: pipeline, unknownToken: "[UNK]")
        let ours = try Self.model(written).vocabulary
        let reference = try Self.model([UInt8](FileManager.default.contents(atPath: TestData.fixture("training/bert-wordpiece.tokenizer.json"))!)).vocabulary
        #expect(ours.count == reference.count)
        let difference = Set(ours.keys).symmetricDifference(Set(reference.keys))
        #expect(difference.count <= 40, "\(difference.count) tokens differ")
        for (id, token) in specials.enumerated() { #expect(ours[Array(token.utf8)] == id && reference[Array(token.utf8)] == id) }
        let singleCharacters = { (vocabulary: [[UInt8]: Int]) in
            Set(vocabulary.keys.filter { String(decoding: $0, as: UTF8.self).unicodeScalars.count == 1 })
        }
        #expect(singleCharacters(ours) == singleCharacters(reference))
        // The file loads and encodes BERT-style.
        let tokenizer = try Tokenizer.load(written, format: .tokenizerJSON)
        let encoding = try tokenizer.encode("Hello, world!")
        #expect(encoding.ids.first == 1 && encoding.ids.last == 2)
        #expect(try tokenizer.decode(encoding.ids, skipSpecialTokens: true) == "hello, world!")
    }

    /// Counting a corpus in two parts and merging in order gives the counts, and the order of
    /// first occurrences, of counting it whole (several input files rely on it).
    /// Counting on several threads gives the counts, and the first-seen order, of one pass, for
    /// text lines and JSON Lines; a bad line is reported as one pass reports it.
    @Test func parallelCountingEqualsOnePass() throws {
        var generator = SeededGenerator(seed: 11)
        let words = ["alpha", "beta", "gamma", "délta", "εψιλον", "1234", "x", "yy", "\t", "éé"]
        let lines = (0..<1500).map { i in
            (0..<(1 + Int(generator.next() % 9))).map { _ in words[Int(generator.next() % UInt64(words.count))] + "\(generator.next() % (UInt64(i) + 1))" }
                .joined(separator: " ")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tokenkit-counting-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = directory.appendingPathComponent("corpus.txt").path
        let jsonl = directory.appendingPathComponent("corpus.jsonl").path
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: text))
        try Data(lines.map { "{\"text\": \"\($0.replacingOccurrences(of: "\t", with: "\\t"))\"}" }.joined(separator: "\n").utf8)
            .write(to: URL(fileURLWithPath: jsonl))
        for pipeline in [TrainingPipeline.byteLevel(), TrainingPipeline.bert()] {
            let splitter = try pipeline.wordSplitter()
            for (file, format) in [(text, TrainingCorpusFormat.lines), (jsonl, .jsonLines(field: "text"))] {
                let one = try WordCounts.counting(files: [file, file], format: format, splitter: splitter, threads: 1).orderedEntries()
                for threads in [3] {
                    let many = try WordCounts.counting(files: [file, file], format: format, splitter: splitter, threads: threads).orderedEntries()
                    let sameWords = many.map(\.word) == one.map(\.word), sameCounts = many.map(\.count) == one.map(\.count)
                    #expect(sameWords && sameCounts, "\(threads) threads: the words or their order or counts differ")
                }
                #expect(one.count > 500)
            }
        }
        // Line 1200 is not JSON: the error names it whatever the thread count.
        var broken = lines.map { "{\"text\": \"\($0.replacingOccurrences(of: "\t", with: " "))\"}" }
        broken[1199] = "{not json"
        try Data(broken.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: jsonl))
        for threads in [1, 2] {
            #expect(throws: TrainingCorpusError.self) {
                try WordCounts.counting(files: [jsonl], format: .jsonLines(field: "text"), splitter: try TrainingPipeline.byteLevel().wordSplitter(), threads: threads)
            }
            do {
                _ = try WordCounts.counting(files: [jsonl], format: .jsonLines(field: "text"), splitter: try TrainingPipeline.byteLevel().wordSplitter(), threads: threads)
            } catch let error as TrainingCorpusError {
                #expect(error.description.contains("line 1200"), "\(error.description)")
            }
        }
    }

    @Test func mergingCountsKeepsTheOrderOfTheWholeCorpus() throws {
        let splitter = try TrainingPipeline.byteLevel().wordSplitter()
        let lines = ["hello world\n", "the world is big\n", "héllo again, world\n", "big hello\n"]
        var whole = WordCounts(), first = WordCounts(), second = WordCounts()
        for line in lines { whole.addWords(of: line, splitter: splitter) }
        for line in lines[..<2] { first.addWords(of: line, splitter: splitter) }
        for line in lines[2...] { second.addWords(of: line, splitter: splitter) }
        var merged = WordCounts()
        merged.merge(first)
        merged.merge(second)
        #expect(merged.orderedEntries().map(\.word) == whole.orderedEntries().map(\.word))
        #expect(merged.orderedEntries().map(\.count) == whole.orderedEntries().map(\.count))
        #expect(whole.orderedEntries().first?.word == Array("hello".utf8))
        #expect(whole.orderedEntries().first(where: { $0.word == Array("Ġworld".utf8) })?.count == 3)
    }
}

extension WordCounts {
    /// The entries of `forEachEntry` as values (for comparisons).
    func orderedEntries() -> [(word: [UInt8], count: Int)] {
        var result: [(word: [UInt8], count: Int)] = []
        forEachEntry { result.append((Array($0), $1)) }
        return result
    }
}

