import Foundation
import Testing
@testable import Tokenkit

@Suite struct TiktokenTests {
    @Test func builtInEncodingsGiveTiktokensIDs() throws {
        // Reference values from tiktoken.get_encoding(...).encode(...).
        let cl100k = try Tokenizer.encoding(named: "cl100k_base")
        #expect(try cl100k.encodeIDs("hello world") == [15339, 1917])
        #expect(try cl100k.encodeIDs("1234567890") == [4513, 10961, 16474, 15])
        let o200k = try Tokenizer.encoding(named: "o200k_base")
        #expect(try o200k.encodeIDs("hello world") == [24912, 2375])
        #expect(throws: TokenizerLoadingError.self) { try Tokenizer.encoding(named: "no_such_encoding") }
    }

    @Test func disallowedSpecialTokensAreRefused() throws {
        let tokenizer = try Tokenizer.encoding(named: "cl100k_base")
        #expect(throws: TokenizationError.disallowedSpecialToken("<|endoftext|>")) {
            try tokenizer.encodeIDs("a <|endoftext|>")
        }
        // Allowed: one id. Not disallowed: encoded as text.
        #expect(try tokenizer.encodeIDs("<|endoftext|>", allowedSpecial: .all) == [100257])
        #expect(try tokenizer.encodeIDs("<|endoftext|>", disallowedSpecial: .none) == [27, 91, 8862, 728, 428, 91, 29])
        #expect(try tokenizer.encodeIDs("<|fim_prefix|><|endoftext|>", allowedSpecial: .only(["<|endoftext|>"]), disallowedSpecial: .none).last == 100257)
        #expect(tokenizer.encodeOrdinary("<|endoftext|>") == [27, 91, 8862, 728, 428, 91, 29])
    }

    @Test func sharedFilesMatchBuiltIns() throws {
        guard let shared = TestData.shared else { return }
        let file = try Tokenizer(contentsOf: shared.appendingPathComponent("tokenizers/o200k_base.tiktoken").path)
        let builtIn = try Tokenizer.encoding(named: "o200k_base")
        let text = "Tokenkit: exact tokenization, 123 456 — déjà vu 日本語"
        #expect(try file.encodeIDs(text) == builtIn.encodeIDs(text))
    }

    @Test func knownEncodingRecognisedByHash() throws {
        guard let shared = TestData.shared else { return }
        // Without the sidecar the file is recognised by its SHA-256 and uses tiktoken's own pattern.
        let bytes = [UInt8](FileManager.default.contents(atPath: shared.appendingPathComponent("tokenizers/cl100k_base.tiktoken").path)!)
        let tokenizer = try Tokenizer.loadTiktoken(path: "cl100k_base.tiktoken", bytes: bytes, pattern: nil, specialTokens: nil, sidecar: false)
        #expect(try tokenizer.encodeIDs("hello world<|endoftext|>", allowedSpecial: .all) == [15339, 1917, 100257])
    }

    @Test func unknownFileWithoutPatternAsksForOne() throws {
        let file = "YWI= 0\nYQ== 1\nYg== 2\n"
        do {
            _ = try Tokenizer.load(Array(file.utf8), format: .tiktoken, name: "mini.tiktoken")
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .malformed)
            #expect(error.description.contains("--pattern"))
        }
        let tokenizer = try Tokenizer.load(Array(file.utf8), format: .tiktoken, name: "mini.tiktoken", pattern: #"\w+|\s"#)
        #expect(try tokenizer.encodeIDs("abba") == [0, 2, 1])
    }
}
