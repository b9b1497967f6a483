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
