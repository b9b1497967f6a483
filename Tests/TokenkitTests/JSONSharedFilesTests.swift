import Foundation
import Testing
import Tokenkit

/// Real tokenizer files in `../shared/tokenizers` next to the package root
/// (read-only; tests using them are skipped when the directory is absent).
enum JSONSharedFiles {
    static let directory: String = {
        // #filePath = <root>/Tests/TokenkitTests/<this file>
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/../shared/tokenizers"
    }()

    static func path(_ name: String) -> String { directory + "/" + name }

    static func available(_ name: String) -> Bool {
        FileManager.default.isReadableFile(atPath: path(name))
    }

    static func read(_ name: String) throws -> [UInt8] {
        try JSONDocument.readFile(path(name))
    }
}

@Suite struct JSONSharedFilesTests {
    static let tokenizerFiles = [
        "o200k_base", "cl100k_base", "llama3", "qwen3", "mistral-v1", "unigram8k", "minilm",
    ]

    @Test(.enabled(if: JSONSharedFiles.available("o200k_base.tokenizer.json")))
    func o200kVocabAndMerges() throws {
        let document = try JSONDocument(contentsOfFile: JSONSharedFiles.path("o200k_base.tokenizer.json"))
        let root = document.root
        let model = try root.require("model", path: "")
        #expect(try model.requireString("type", path: "model") == "BPE")
        let vocab = try model.require("vocab", path: "model").expectObject(path: "model.vocab")
        #expect(vocab.count == 199_998)
        var seen = 0
        var maxID = 0
        try vocab.forEachMember { (key, value) throws(JSONError) in
            let id = try value.expectInt(path: "model.vocab")
            maxID = max(maxID, id)
            #expect(key.isString)
            seen += 1
        }
        #expect(seen == 199_998)
        #expect(maxID == 199_997)
        #expect(vocab["!"]?.int == 0)
        #expect(vocab["\""]?.int == 1)
        let merges = try model.require("merges", path: "model").expectArray(path: "model.merges")
        #expect(merges.count == 446_189)
        let first = try #require(merges[0])
        #expect(first.count == 2)
        #expect(first[0]?.string == "Ġ")
        #expect(first[1]?.stringEquals("Ġ") == true)
        let added = try root.require("added_tokens", path: "").expectArray(path: "added_tokens")
        #expect(added[0]?["content"]?.string == "<|endoftext|>")
        #expect(added[0]?["special"]?.bool == true)
        #expect(root["truncation"]?.isNull == true)
    }

    /// Every shared tokenizer.json parses and agrees on basic structure.
    @Test(arguments: tokenizerFiles)
    func parsesTokenizerFile(name: String) throws {
        let file = "\(name).tokenizer.json"
        guard JSONSharedFiles.available(file) else { return }
        let document = try JSONDocument(contentsOfFile: JSONSharedFiles.path(file))
        let model = try #require(document.root["model"])
        #expect(model.isObject)
        #expect(model["vocab"] != nil)
        // Same result when parsing from memory.
        let bytes = try JSONSharedFiles.read(file)
        let fromMemory = try JSONDocument(bytes: bytes)
        #expect(fromMemory.nodeCount == document.nodeCount)
    }
}
