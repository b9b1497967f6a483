import Foundation
import Testing
@testable import Tokenkit

/// tokenizer.json `Unigram` models against `tokenizers`.
@Suite struct UnigramModelTests {
    /// Unigram + Precompiled tokenizers built by scripts/generate_sentencepiece_fixtures.py from
    /// trained SentencePiece models (nmt_nfkc, identity, small rule sets, byte fallback, symbols).
    static let fixtureNames = [
        "unigram-nmt.tokenizer.json", "unigram-bytes-symbols.tokenizer.json",
        "unigram-identity-raw.tokenizer.json", "unigram-suffix-rules.tokenizer.json",
    ]

    @Test(arguments: fixtureNames)
    func fixture(_ name: String) throws {
        let tokenizer = try Tokenizer(contentsOf: TestData.fixture("sentencepiece/\(name)"))
        guard case .unigram = tokenizer.model else {
            Issue.record("expected a Unigram model")
            return
        }
        let cases = try ReferenceCase.load(TestData.fixture("sentencepiece/\(name).cases.jsonl"))
        #expect(cases.count > 150)
        let problems = mismatches(of: tokenizer, against: cases)
        #expect(problems.isEmpty, Comment(rawValue: "\(name):\n" + problems.joined(separator: "\n")))
    }

    static func model(_ vocabulary: [(String, Double)], unknownID: Int? = 0, byteFallback: Bool = false) throws -> UnigramModel {
        try UnigramModel(vocabulary: vocabulary.map { (piece: $0.0, score: $0.1) }, unknownID: unknownID, byteFallback: byteFallback)
    }

    static func tokens(_ model: UnigramModel, _ text: String) throws -> [String] {
        try model.tokenize(Array(text.utf8)).map(\.value)
    }

    /// The example of tokenizers' documentation.
    @Test func bestSegmentation() throws {
        let m = try Self.model([("<unk>", 0), ("a", 0), ("b", 0), ("c", 0), ("d", 0), ("cd", 1), ("ab", 2), ("abc", 5), ("abcd", 10)])
        #expect(try Self.tokens(m, "abcdacdxx") == ["abcd", "a", "cd", "xx"])
        let tokens = try m.tokenize(Array("abcdacdxx".utf8))
        #expect(tokens.map(\.id) == [8, 1, 5, 0])
        #expect(tokens.map(\.offsets) == [0..<4, 4..<5, 5..<7, 7..<9])
    }

    @Test func tiesKeepTheFirstPathFound() throws {
        // "ab" + "c" and "a" + "bc" score the same: the first candidate to reach the end of the text
        // wins ("bc" from position 1, before "c" from position 2), as tokenizers gives.
        let m = try Self.model([("<unk>", 0), ("a", -1), ("b", -1), ("c", -1), ("ab", -1), ("bc", -1)])
        #expect(try Self.tokens(m, "abc") == ["a", "bc"])
    }

    @Test func unknownCharactersAreFusedAndKeepTheirText() throws {
        let m = try Self.model([("<unk>", 0), ("a", -1)])
        let tokens = try m.tokenize(Array("xéa日本".utf8))
        #expect(tokens.map(\.value) == ["xé", "a", "日本"])
        #expect(tokens.map(\.id) == [0, 1, 0])
    }

    @Test func theUnknownPieceItselfMatchesText() throws {
        // tokenizers keeps every piece in its trie, "<unk>" included.
        let m = try Self.model([("<unk>", 0), ("<", -1), ("u", -1)])
        #expect(try m.tokenize(Array("<unk>".utf8)).map(\.id) == [0])
    }

    @Test func byteFallback() throws {
        var vocabulary: [(String, Double)] = [("<unk>", 0), ("a", -1)]
        for b in 0..<256 { vocabulary.append((byteFallbackPiece(UInt8(b)), -2)) }
        let m = try Self.model(vocabulary, byteFallback: true)
        let tokens = try m.tokenize(Array("aé".utf8))
        #expect(tokens.map(\.value) == ["a", "<0xC3>", "<0xA9>"])
        #expect(tokens.map(\.offsets) == [0..<1, 1..<3, 1..<3])
        // Without all byte pieces, the unknown token is used.
        let partial = try Self.model([("<unk>", 0), ("a", -1), ("<0xC3>", -2)], byteFallback: true)
        #expect(try partial.tokenize(Array("é".utf8)).map(\.id) == [0])
    }

    @Test func missingUnknownTokenIsAnError() throws {
        let m = try Self.model([("a", -1)], unknownID: nil)
        #expect(try Self.tokens(m, "aa") == ["a", "a"])
        #expect(throws: TokenizationError.self) { try m.tokenize(Array("ab".utf8)) }
    }

    @Test func invalidVocabularies() {
        #expect(throws: UnigramModelError.emptyVocabulary) { try Self.model([], unknownID: 0) }
        #expect(throws: UnigramModelError.unknownIDOutOfRange(3, count: 1)) { try Self.model([("a", 0)], unknownID: 3) }
    }

    @Test func duplicatePiecesMapToTheLastID() throws {
        let m = try Self.model([("<unk>", 0), ("a", -1), ("a", -3)])
        #expect(m.id(forToken: "a") == 2)
        #expect(m.token(forID: 1) == "a")
        #expect(m.vocabularySize == 3)
    }

    /// serde_json's float parsing (two roundings) as observed through tokenizers: these strings,
    /// written by Python's repr of float32 scores, are read one unit in the last place off.
    @Test func scoresAreParsedLikeSerdeJSON() {
        func parse(_ s: String) -> Double? {
            Array(s.utf8).withUnsafeBufferPointer { serdeJSONDouble($0) }
        }
        #expect(parse("-15.382669448852539") == -15.38266944885254)
        #expect(parse("-14.204367637634277") == -14.204367637634276)
        #expect(parse("-19.570205688476562") == -19.57020568847656)
        #expect(parse("-1.5") == -1.5)
        #expect(parse("0") == 0)
        #expect(parse("-7") == -7)
        #expect(parse("1e-320") == 1e-320)
        #expect(parse("12345678901234567890123.5") == 1.2345678901234568e22)
        #expect(parse("1e400") == nil)
    }

    @Test func readingErrors() {
        func load(_ model: String) -> TokenizerLoadingError? {
            do {
                _ = try Tokenizer.load(Array(#"{"version": "1.0", "model": \#(model)}"#.utf8), format: .tokenizerJSON, name: "u.json")
                return nil
            } catch { return error }
        }
        #expect(load(#"{"type": "Unigram", "unk_id": 0, "vocab": [["a", -1]]}"#) == nil)
        // Inferred from the vocabulary being a list, as tokenizers does for old files.
        #expect(load(#"{"unk_id": 0, "vocab": [["a", -1]]}"#) == nil)
        #expect(load(#"{"type": "Unigram", "unk_id": 0, "vocab": [["a"]]}"#)?.description.contains("model.vocab[0]") == true)
        #expect(load(#"{"type": "Unigram", "unk_id": 0, "vocab": [["a", "x"]]}"#)?.kind == .malformed)
        #expect(load(#"{"type": "Unigram", "unk_id": 5, "vocab": [["a", -1]]}"#)?.description.contains("unk_id 5") == true)
        #expect(load(#"{"type": "Unigram", "unk_id": 0, "vocab": {"a": 1}}"#)?.kind == .malformed)
    }
}
