import Foundation
import Testing
@testable import Tokenkit

/// GGUF vocabularies against the ids of the tokenizers they were converted from
/// (scripts/generate_gguf_fixtures.py).
@Suite struct GGUFTokenizerTests {
    struct Case {
        var line: Int
        var text: String
        var ids: [TokenID]
        var plain: [TokenID]
        /// The source tokenizer's `decode(ids, skip_special_tokens=False)` (files generated before
        /// decoding was recorded have none).
        var decoded: String?
    }

    /// The JSON objects of the lines of a JSONL file, with their line numbers.
    static func jsonLines(_ path: String) throws -> [(line: Int, value: JSONValue)] {
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        var result: [(Int, JSONValue)] = []
        var start = 0
        var line = 0
        for i in 0...bytes.count where i == bytes.count || bytes[i] == 0x0A {
            defer { start = i + 1 }
            guard i > start else { continue }
            line += 1
            result.append((line, try JSONDocument(bytes: Array(bytes[start..<i])).root))
        }
        return result
    }

    static func loadCases(_ path: String) throws -> [Case] {
        try jsonLines(path).map { line, root in
            Case(line: line, text: root["text"]!.string!,
                 ids: root["ids"]!.elements.map { TokenID($0.int!) },
                 plain: root["ids_plain"]!.elements.map { TokenID($0.int!) },
                 decoded: root["decoded"]?.string)
        }
    }

    /// Decoding of NAME.decode.jsonl (cut-off encodings, random ids, invalid UTF-8 byte pieces);
    /// returns the number of lines and descriptions of mismatches.
    static func checkDecoding(_ path: String, limit: Int = 8) throws -> (checked: Int, problems: [String]) {
        guard FileManager.default.fileExists(atPath: path + ".decode.jsonl") else { return (0, []) }
        let tokenizer = try Tokenizer(contentsOf: path)
        let lines = try jsonLines(path + ".decode.jsonl")
        var problems: [String] = []
        for (line, root) in lines {
            let ids = root["ids"]!.elements.map { TokenID($0.int!) }
            let expected = root["text"]!.string!
            let decoded = try tokenizer.decode(ids)
            if decoded != expected {
                problems.append("decode line \(line) \(ids): expected \(expected.debugDescription), got \(decoded.debugDescription)")
                if problems.count >= limit { break }
            }
        }
        return (lines.count, problems)
    }

    /// Every way of encoding gives the recorded ids; returns descriptions of mismatches.
    static func check(_ path: String, limit: Int = 8) throws -> (checked: Int, problems: [String]) {
        let tokenizer = try Tokenizer(contentsOf: path)
        let cases = try loadCases(path + ".cases.jsonl")
        var problems: [String] = []
        for c in cases {
            let fast = try tokenizer.encodeIDs(c.text)
            let full = try tokenizer.encode(c.text).ids
            let plain = try tokenizer.encodeIDs(c.text, addSpecialTokens: false)
            if fast != c.ids || full != c.ids || plain != c.plain {
                problems.append("line \(c.line) \(c.text.debugDescription): expected \(c.ids), fast \(fast), full \(full), plain \(plain)")
                if problems.count >= limit { break }
            }
            if let expected = c.decoded, case let decoded = try tokenizer.decode(c.ids), decoded != expected {
                problems.append("line \(c.line) decode \(c.ids): expected \(expected.debugDescription), got \(decoded.debugDescription)")
                if problems.count >= limit { break }
            }
        }
        return (cases.count, problems)
    }

    static let fixtures = ["llama-bpe.gguf", "gpt-2.gguf", "qwen2.gguf", "spm-bpe.gguf", "spm-unigram.gguf", "wordpiece.gguf"]

    @Test(arguments: fixtures)
    func matchesSourceTokenizer(_ name: String) throws {
        let result = try Self.check(TestData.fixture("gguf/" + name))
        #expect(result.checked > 200)
        #expect(result.problems.isEmpty, Comment(rawValue: "\(name):\n" + result.problems.joined(separator: "\n")))
    }

    @Test(arguments: fixtures)
    func decodesAsSourceTokenizer(_ name: String) throws {
        let path = TestData.fixture("gguf/" + name)
        #expect(try Self.loadCases(path + ".cases.jsonl").allSatisfy { $0.decoded != nil })
        let result = try Self.checkDecoding(path)
        #expect(result.checked > 400)
        #expect(result.problems.isEmpty, Comment(rawValue: "\(name):\n" + result.problems.joined(separator: "\n")))
    }

    /// GGUF files converted from the shared tokenizers by `scripts/generate_gguf_fixtures.py`
    /// (written to /tmp/tokenkit-gguf, or TOKENKIT_GGUF_DIR): checked when they exist.
    @Test func sharedConversionsWhenGenerated() throws {
        let directory = ProcessInfo.processInfo.environment["TOKENKIT_GGUF_DIR"] ?? "/tmp/tokenkit-gguf"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names.sorted() where name.hasSuffix(".gguf") {
            let path = directory + "/" + name
            guard FileManager.default.fileExists(atPath: path + ".cases.jsonl") else { continue }
            let result = try Self.check(path)
            #expect(result.problems.isEmpty, Comment(rawValue: "\(name):\n" + result.problems.joined(separator: "\n")))
            let decoding = try Self.checkDecoding(path)
            #expect(decoding.problems.isEmpty, Comment(rawValue: "\(name):\n" + decoding.problems.joined(separator: "\n")))
        }
    }

    @Test func modelTypesAndSummary() throws {
        let bpe = try Tokenizer(contentsOf: TestData.fixture("gguf/llama-bpe.gguf"))
        guard case .bpe = bpe.model else { Issue.record("gpt2 should map to BPE"); return }
        #expect(bpe.fastEncoder != nil)
        #expect(bpe.format == .gguf)
        let spm = try Tokenizer(contentsOf: TestData.fixture("gguf/spm-bpe.gguf"))
        guard case .bpe = spm.model, case .metaspace = spm.preTokenizer else { Issue.record("llama should map to Metaspace + BPE"); return }
        // The shared components, not GGUF-specific ones.
        let wordPiece = try Tokenizer(contentsOf: TestData.fixture("gguf/wordpiece.gguf"))
        guard case let .wordPiece(m) = wordPiece.model, case .bert = wordPiece.normalizer, case .bert = wordPiece.preTokenizer else {
            Issue.record("bert should map to BertNormalizer + BertPreTokenizer + WordPiece"); return
        }
        #expect(m.continuingSubwordPrefix == "##" && m.unknownToken == "[UNK]")
        // Tokens are spelled as the source tokenizer spells them, not in llama.cpp's phantom-space form.
        let encoding = try wordPiece.encode("hello world", addSpecialTokens: false)
        #expect(encoding.tokens.first?.hasPrefix("\u{2581}") == false)
        #expect(encoding.tokens.dropFirst().contains { $0.hasPrefix("##") })
        let unigram = try Tokenizer(contentsOf: TestData.fixture("gguf/spm-unigram.gguf"))
        guard case .unigram = unigram.model, case .sequence = unigram.normalizer, case .metaspace = unigram.decoder else {
            Issue.record("t5 should map to Precompiled + Unigram + Metaspace"); return
        }
    }

    @Test func infoNamesTheFormat() throws {
        let result = try CLITests().run(["info", "--tokenizer", TestData.fixture("gguf/wordpiece.gguf")])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("format: gguf\n"))
        #expect(result.stdout.contains("decoder: WordPiece"))
    }

    @Test func loadsFromMemoryAndDecodesByteLevel() throws {
        let path = TestData.fixture("gguf/llama-bpe.gguf")
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        let tokenizer = try Tokenizer.load(bytes, format: .gguf, name: "x.gguf")
        let ids = try tokenizer.encodeIDs("Hello <tool> world", addSpecialTokens: false)
        #expect(try tokenizer.decode(ids) == "Hello <tool> world")
        // Format detection by magic, whatever the name.
        #expect(Tokenizer.detectFormat(path: "vocab.bin", bytes: bytes) == .gguf)
    }

    @Test func cliEncodesGGUF() throws {
        let path = TestData.fixture("gguf/llama-bpe.gguf")
        let tokenizer = try Tokenizer(contentsOf: path)
        let expected = try tokenizer.encodeIDs("Hello world").map(String.init).joined(separator: " ")
        let result = try CLITests().run(["encode", "--tokenizer", path, "Hello world"])
        #expect(result.status == 0)
        #expect(result.stdout == expected + "\n")
    }

    /// A synthetic byte-level vocabulary whose merges defeat every shortcut of the gpt2 loader
    /// (merged tokens out of merge order, pairs listed twice, parts missing from the vocabulary
    /// or outside the byte-level alphabet, long parts, tokens with the same bytes, a control
    /// token repeating a normal one): the pair table must be the one a plain construction gives.
    @Test(arguments: [3_000, 50_000])
    func byteLevelMergesMatchPlainConstruction(_ mergeCount: Int) throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func random(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        var tokens = (0..<256).map { ByteLevelAlphabet.encode([UInt8($0)]) }
        var known = Set(tokens)
        var merges: [String] = []
        while merges.count < mergeCount {
            switch random(20) {
            case 0 where !merges.isEmpty:
                merges.append(merges[random(merges.count)])  // a pair again, at a worse rank
            case 1:
                merges.append(tokens[random(tokens.count)] + " \u{20AC}x")  // not byte-level
            case 2:
                merges.append(tokens[random(tokens.count)] + " " + tokens[random(256)] + "zzq")  // unknown part
            default:
                let a = tokens[random(tokens.count)], b = tokens[random(tokens.count)]
                guard (a + b).unicodeScalars.count <= 24 else { continue }
                merges.append(a + " " + b)
                if known.insert(a + b).inserted { tokens.append(a + b) }
            }
        }
        // Tokens out of merge order, one repeated (the later id wins), one outside the alphabet.
        for _ in 0..<(tokens.count / 50) { tokens.swapAt(256 + random(tokens.count - 256), 256 + random(tokens.count - 256)) }
        tokens.append(tokens[300])
        tokens.append("<|\u{20AC}|>")
        tokens.append(tokens[400])  // control: stays out of the byte-level vocabulary
        var types = [Int32](repeating: 1, count: tokens.count)
        types[types.count - 1] = 3

        var writer = GGUFTestWriter()
        writer.add("tokenizer.ggml.model", .string(Array("gpt2".utf8)))
        writer.add("tokenizer.ggml.pre", .string(Array("gpt-2".utf8)))
        writer.addStrings("tokenizer.ggml.tokens", tokens)
        writer.addInt32s("tokenizer.ggml.token_type", types)
        writer.addStrings("tokenizer.ggml.merges", merges)
        let tokenizer = try Tokenizer.load(writer.bytes(), format: .gguf, name: "synthetic.gguf")
        guard case let .bpe(model) = tokenizer.model else { Issue.record("expected BPE"); return }

        // The plain construction: decode, look up, keep the first rank of a pair.
        var ids: [[UInt8]: TokenID] = [:]
        for (i, token) in tokens.enumerated() {
            guard let raw = ByteLevelAlphabet.decode(token), !(types[i] == 3 && ids[raw] != nil) else { continue }
            ids[raw] = TokenID(i)
        }
        var expected: [UInt64: UInt64] = [:]
        for (rank, line) in merges.enumerated() {
            let bytes = Array(line.utf8)
            guard let space = bytes[1...].firstIndex(of: 0x20),
                  let left = ByteLevelAlphabet.decode(String(decoding: bytes[..<space], as: UTF8.self)),
                  let right = ByteLevelAlphabet.decode(String(decoding: bytes[(space + 1)...], as: UTF8.self)),
                  let l = ids[left], let r = ids[right], let m = ids[left + right] else { continue }
            let key = UInt64(l) << 32 | UInt64(r)
            if expected[key] == nil { expected[key] = UInt64(rank) << 32 | UInt64(m) }
        }
        #expect(model.merges.count == expected.count)
        let wrong = expected.filter { key, value in model.merges.lookup(left: UInt32(key >> 32), right: UInt32(key & 0xFFFF_FFFF)) != value }
        #expect(wrong.isEmpty, "\(wrong.count) of \(expected.count) pairs differ")
        #expect(model.vocabularySize == ids.count + 2)
    }

    @Test func largeVocabularyLoads() throws {
        // The largest committed vocabulary is small; a synthetic 150k-token one exercises the
        // array reader and the vocabulary build at the size of real models (speed is measured
        // by the benchmarks, not here).
        var writer = GGUFTestWriter()
        writer.add("tokenizer.ggml.model", .string(Array("gpt2".utf8)))
        writer.add("tokenizer.ggml.pre", .string(Array("llama-bpe".utf8)))
        let tokens = (0..<150_000).map { i -> String in i < 256 ? ByteLevelAlphabet.encode([UInt8(i)]) : "tok\(i)" }
        writer.addStrings("tokenizer.ggml.tokens", tokens)
        writer.addInt32s("tokenizer.ggml.token_type", [Int32](repeating: 1, count: tokens.count))
        writer.addStrings("tokenizer.ggml.merges", ["t o", "to k"])
        let tokenizer = try Tokenizer.load(writer.bytes(), format: .gguf, name: "synthetic.gguf")
        #expect(tokenizer.vocabularySize(includingAddedTokens: false) == tokens.count)
        #expect(tokenizer.model.id(forToken: "tok149999") == 149_999)
        #expect(tokenizer.model.token(forID: 123_456) == "tok123456")
    }
}
