import Foundation
import Testing
@testable import Tokenkit

@Suite struct DecodingTests {
    /// Invalid UTF-8 is replaced like Python's bytes.decode("utf-8", "replace") and Rust's from_utf8_lossy.
    @Test func lossyUTF8MatchesPython() throws {
        let text = String(decoding: FileManager.default.contents(atPath: TestData.fixture("utf8-lossy-cases.jsonl"))!, as: UTF8.self)
        var count = 0
        for line in text.split(separator: "\n") {
            let root = try JSONDocument(string: String(line)).root
            let bytes = root["bytes"]!.elements.map { UInt8($0.int!) }
            let expected = root["text"]!.string!
            #expect(decodeUTF8Lossy(bytes) == expected, "bytes \(bytes)")
            count += 1
        }
        #expect(count > 400)
    }

    @Test func partialCharactersDecodeToReplacement() throws {
        // Reference values from tiktoken (cl100k_base): "𝔘🙂" is five byte-level tokens.
        let tokenizer = try Tokenizer.encoding(named: "cl100k_base")
        let ids = try tokenizer.encodeIDs("𝔘🙂")
        #expect(ids == [57352, 242, 246, 9468, 19044])
        #expect(try ids.map { try tokenizer.decode([$0]) } == ["\u{FFFD}", "\u{FFFD}", "\u{FFFD}", "\u{FFFD}", "\u{FFFD}\u{FFFD}"])
        #expect(try tokenizer.decode(Array(ids.dropLast())) == "𝔘\u{FFFD}")
        #expect(try tokenizer.decode(ids) == "𝔘🙂")
        #expect(throws: TokenizationError.unknownTokenID(999_999_999)) { try tokenizer.decode([999_999_999]) }
    }

    @Test func skipSpecialTokens() throws {
        let tokenizer = try Tokenizer.encoding(named: "cl100k_base")
        let ids = try tokenizer.encodeIDs("hi<|endoftext|>", allowedSpecial: .all)
        #expect(ids == [6151, 100257])
        #expect(try tokenizer.decode(ids) == "hi<|endoftext|>")
        #expect(try tokenizer.decode(ids, skipSpecialTokens: true) == "hi")
    }
}

/// The fast byte-level decoder must give what decoding through token strings and the decoder
/// component gives, for any ids: model tokens, added and special tokens, unknown ids.
@Suite struct FastDecoderTests {
    static var tokenizerPaths: [String] {
        var paths = ["tokenizers/gpt2-style.tokenizer.json", "tokenizers/llama-style.tokenizer.json",
                     "tokenizers/deepseek-style.tokenizer.json", "tokenizers/bytelevel-normalizer.tokenizer.json",
                     "gguf/gpt-2.gguf", "gguf/qwen2.gguf", "gguf/llama-bpe.gguf"].map(TestData.fixture)
        if let shared = TestData.shared?.appendingPathComponent("tokenizers") {
            for name in ["cl100k_base.tiktoken", "o200k_base.tokenizer.json", "llama3.tokenizer.json", "qwen3.tiktoken"] {
                paths.append(shared.appendingPathComponent(name).path)
            }
        }
        return paths
    }

    @Test(arguments: tokenizerPaths)
    func agreesWithThePipeline(_ path: String) throws {
        let tokenizer = try Tokenizer(contentsOf: path)
        let fast = try #require(tokenizer.fastDecoder, "\(path) should decode on the fast path")
        let upper = tokenizer.vocabularySize() + 8
        let added = Array(tokenizer.addedVocabulary.tokens.keys)
        var random = SystemRandomNumberGenerator()
        for round in 0..<300 {
            var ids: [TokenID] = []
            for _ in 0..<Int.random(in: 0...40, using: &random) {
                switch Int.random(in: 0..<10, using: &random) {
                case 0 where !added.isEmpty: ids.append(added.randomElement(using: &random)!)
                case 1: ids.append(TokenID(Int.random(in: 0..<upper, using: &random)))  // unknown ids now and then
                case 2: ids.append(TokenID(Int.random(in: 0..<256, using: &random)))  // single bytes: broken UTF-8
                default: ids.append(TokenID(Int.random(in: 0..<tokenizer.model.vocabularySize, using: &random)))
                }
            }
            for skip in [false, true] {
                let expected = Result { () throws(TokenizationError) in try tokenizer.decodeThroughPipeline(ids, skipSpecialTokens: skip) }
                let actual = Result { () throws(TokenizationError) in try fast.decode(ids, skipSpecialTokens: skip) }
                #expect(actual == expected, "\(path) round \(round) skip \(skip) ids \(ids)")
                if fast.unknownIDsThrow {
                    let bytes = Result { () throws(TokenizationError) in try fast.decodeBytes(ids, skipSpecialTokens: skip) }
                    let reference = Result { () throws(TokenizationError) in try tokenizer.decodeBytesThroughPipeline(ids, skipSpecialTokens: skip) }
                    #expect(bytes == reference, "\(path) bytes, ids \(ids)")
                }
            }
        }
    }

    /// The decoder's UTF-8 check agrees with the standard library's on mostly-ASCII bytes with
    /// characters, truncated characters, overlongs, surrogates and stray bytes mixed in (at every
    /// offset from the eight-byte ASCII steps).
    @Test func wellFormedCheckAgreesWithTheStandardLibrary() {
        var rng = SeededGenerator(seed: 8)
        let pieces: [[UInt8]] = [[0x61], Array("hello world ".utf8), Array("é".utf8), Array("中".utf8), Array("😀".utf8),
                                 [0xC3], [0xE4, 0xB8], [0xF0, 0x9F, 0x98], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80],
                                 [0xF4, 0x90, 0x80, 0x80], [0x80], [0xFF], [0xF5, 0x80, 0x80, 0x80]]
        for _ in 0..<5000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...12, using: &rng) {
                bytes += Int.random(in: 0..<3, using: &rng) == 0 ? pieces.randomElement(using: &rng)! : pieces[1]
            }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            #expect(bytes.withUnsafeBufferPointer(isWellFormedUTF8) == expected, "\(bytes)")
        }
    }
}

