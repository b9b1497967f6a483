import Foundation
import Testing
@testable import Tokenkit

/// A line of `NAME.model.cases.jsonl` (scripts/generate_sentencepiece_fixtures.py).
struct SentencePieceCase {
    var line: Int
    /// nil for decode-only cases (random id sequences).
    var text: String?
    var ids: [TokenID]
    var pieces: [String]?
    /// `encode(out_type=str)` when it differs from `pieces` (unknown text as it was).
    var surfaces: [String]?
    var decoded: String

    static func load(_ path: String) throws -> [SentencePieceCase] {
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        var cases: [SentencePieceCase] = []
        var start = 0
        for i in 0...bytes.count where i == bytes.count || bytes[i] == 0x0A {
            defer { start = i + 1 }
            guard i > start else { continue }
            let root = try JSONDocument(bytes: Array(bytes[start..<i])).root
            cases.append(SentencePieceCase(
                line: cases.count + 1,
                text: root["text"]?.string,
                ids: root["ids"]!.elements.map { TokenID($0.int!) },
                pieces: root["pieces"].map { $0.elements.map { $0.string! } },
                surfaces: root["surfaces"].map { $0.elements.map { $0.string! } },
                decoded: root["decoded"]!.string!))
        }
        return cases
    }
}

/// SentencePiece `.model` files against the `sentencepiece` library.
@Suite struct SentencePieceTests {
    static let models = [
        "unigram-nmt", "unigram-bytes-symbols", "unigram-identity-raw", "unigram-suffix-rules",
        "bpe-rules", "bpe-bytes-symbols", "bpe-unused-nodummy", "bpe-denormalizer", "char-identity", "word-identity",
    ]

    /// What `encode(out_type=str)` gives: the pieces, with unknown pieces as the text they cover.
    static func surfaces(_ tokenizer: Tokenizer, _ text: String) -> [String] {
        guard case let .sentencePiece(model) = tokenizer.model else { return [] }
        var normalized = NormalizedString(text)
        tokenizer.normalizer?.normalize(&normalized)
        return normalized.normalized.withUnsafeBufferPointer { bytes in
            model.pieces(bytes).map { piece in
                piece.id == model.unknownID && !model.byteFallback
                    ? String(decoding: bytes[piece.range], as: UTF8.self)
                    : model.token(forID: piece.id)!
            }
        }
    }

    static func problems(_ tokenizer: Tokenizer, _ cases: [SentencePieceCase], limit: Int = 10) -> [String] {
        var problems: [String] = []
        for c in cases where problems.count < limit {
            if let text = c.text {
                do {
                    let encoding = try tokenizer.encode(text)
                    if encoding.ids != c.ids {
                        problems.append("line \(c.line) ids \(text.debugDescription): expected \(c.ids), got \(encoding.ids)")
                        continue
                    }
                    if try tokenizer.encodeIDs(text) != c.ids {
                        problems.append("line \(c.line) encodeIDs \(text.debugDescription)")
                    }
                    if let pieces = c.pieces, encoding.tokens != pieces {
                        problems.append("line \(c.line) pieces \(text.debugDescription): expected \(pieces), got \(encoding.tokens)")
                    }
                    let surfaces = Self.surfaces(tokenizer, text)
                    if let expected = c.surfaces ?? c.pieces, surfaces != expected {
                        problems.append("line \(c.line) surfaces \(text.debugDescription): expected \(expected), got \(surfaces)")
                    }
                    // Offsets: in the text, in order, never inverted.
                    let length = text.unicodeScalars.count
                    var previous = 0
                    for range in encoding.offsets {
                        if range.lowerBound < previous || range.upperBound > length {
                            problems.append("line \(c.line) offsets \(text.debugDescription): \(encoding.offsets)")
                            break
                        }
                        previous = range.lowerBound
                    }
                } catch {
                    problems.append("line \(c.line) \(text.debugDescription): error \(error)")
                }
            }
            do {
                let decoded = try tokenizer.decode(c.ids)
                if decoded != c.decoded {
                    problems.append("line \(c.line) decode \(c.ids): expected \(c.decoded.debugDescription), got \(decoded.debugDescription)")
                }
            } catch {
                problems.append("line \(c.line) decode \(c.ids): error \(error)")
            }
        }
        return problems
    }

    @Test(arguments: models)
    func fixture(_ name: String) throws {
        let tokenizer = try Tokenizer(contentsOf: TestData.fixture("sentencepiece/\(name).model"))
        #expect(tokenizer.format == .sentencePiece)
        let cases = try SentencePieceCase.load(TestData.fixture("sentencepiece/\(name).model.cases.jsonl"))
        #expect(cases.count > 200)
        let problems = Self.problems(tokenizer, cases)
        #expect(problems.isEmpty, Comment(rawValue: "\(name):\n" + problems.joined(separator: "\n")))
    }

    /// Texts of 20,000 to 40,000 characters (where SentencePiece rebases its path scores) and
    /// mixes of user-defined symbols (scripts/generate_sentencepiece_long_cases.py).
    @Test(arguments: ["unigram-nmt", "unigram-bytes-symbols", "unigram-identity-raw", "unigram-suffix-rules"])
    func longAndUserDefinedCases(_ name: String) throws {
        let tokenizer = try Tokenizer(contentsOf: TestData.fixture("sentencepiece/\(name).model"))
        let cases = try SentencePieceCase.load(TestData.fixture("sentencepiece/\(name).model.long-cases.jsonl"))
        #expect(cases.count > 400)
        #expect(cases.contains { ($0.text?.count ?? 0) > 20_000 })
        let problems = Self.problems(tokenizer, cases)
        #expect(problems.isEmpty, Comment(rawValue: "\(name):\n" + problems.joined(separator: "\n")))
    }

    /// The shared conformance cases (skipped without ../shared).
    @Test(arguments: ["unigram8k.model", "mistral-v1.model"])
    func shared(_ name: String) throws {
        guard let shared = TestData.shared else { return }
        let tokenizer = try Tokenizer(contentsOf: shared.appendingPathComponent("tokenizers/\(name)").path)
        let cases = try ReferenceCase.load(shared.appendingPathComponent("conformance/\(name).jsonl").path)
        let problems = mismatches(of: tokenizer, against: cases)
        #expect(problems.isEmpty, Comment(rawValue: "\(name):\n" + problems.joined(separator: "\n")))
    }

    @Test func loadsFromMemoryAndDescribesItself() throws {
        let bytes = [UInt8](FileManager.default.contents(atPath: TestData.fixture("sentencepiece/bpe-bytes-symbols.model"))!)
        let tokenizer = try Tokenizer.load(bytes, format: .sentencePiece, name: "x.model")
        #expect(tokenizer.vocabularySize() == 1000)
        #expect(tokenizer.id(forToken: "<unk>") == 0)
        #expect(tokenizer.token(forID: 0) == "<unk>")
        #expect(tokenizer.model.description.hasPrefix("SentencePiece bpe(1000 pieces"))
        #expect(tokenizer.normalizer?.description.contains("identity") == true)
        #expect(tokenizer.decoder?.description == "SentencePiece")
        // No BOS or EOS unless asked, as sentencepiece's defaults.
        #expect(try tokenizer.encode("hi").tokens.first != "<s>")
    }

    @Test func unknownIDIsAnError() throws {
        let tokenizer = try Tokenizer(contentsOf: TestData.fixture("sentencepiece/char-identity.model"))
        #expect(throws: TokenizationError.unknownTokenID(100_000)) { try tokenizer.decode([3, 100_000]) }
    }

    @Test func userDefinedSymbolsAreMatchedBeforeNormalization() throws {
        let tokenizer = try Tokenizer(contentsOf: TestData.fixture("sentencepiece/unigram-bytes-symbols.model"))
        let tokens = try tokenizer.encode("a<tool>b").tokens
        #expect(tokens.contains("<tool>"))
        // Control symbols are never produced from text.
        #expect(!(try tokenizer.encode("<ctrl>").tokens.contains("<ctrl>")))
    }

    @Test func normalizerAlignments() throws {
        let tokenizer = try Tokenizer(contentsOf: TestData.fixture("sentencepiece/unigram-nmt.model"))
        let text = "  Ｈｅｌｌｏ   wörld  "
        let encoding = try tokenizer.encode(text)
        let scalars = Array(text.unicodeScalars)
        // Every token maps back to the characters it came from; the dummy prefix to nothing.
        for (token, range) in zip(encoding.tokens, encoding.offsets) {
            let original = String(String.UnicodeScalarView(scalars[range]))
            let normalized = token.replacingOccurrences(of: "\u{2581}", with: " ")
            #expect(original.precomposedStringWithCompatibilityMapping.hasSuffix(normalized.trimmingCharacters(in: .whitespaces)),
                    "\(token) ← \(original.debugDescription)")
        }
    }

    @Test func loadingIsNotPathological() throws {
        guard let shared = TestData.shared else { return }
        let path = shared.appendingPathComponent("tokenizers/unigram8k.model").path
        let start = Date()
        let tokenizer = try Tokenizer(contentsOf: path)
        let text = String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 2000)
        let ids = try tokenizer.encodeIDs(text)
        #expect(ids.count > 10_000)
        // Also a long run without spaces (no word boundaries to help).
        _ = try tokenizer.encodeIDs(String(repeating: "abcdefghij", count: 5000))
        #expect(Date().timeIntervalSince(start) < 20)
    }
}
