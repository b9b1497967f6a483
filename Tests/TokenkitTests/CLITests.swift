import Foundation
import Testing
@testable import Tokenkit

/// End-to-end tests of the `tokenkit` executable: exact stdout and exit codes.
@Suite struct CLITests {
    static var executable: String {
        let sibling = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tokenkit").path
        if FileManager.default.isExecutableFile(atPath: sibling) { return sibling }
        return TestData.repositoryRoot.appendingPathComponent(".build/debug/tokenkit").path
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func run(_ arguments: [String], input: String = "") throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    @Test func encodeAndDecodeWithBuiltInEncoding() throws {
        let encoded = try run(["encode", "--encoding", "cl100k_base", "hello world"])
        #expect(encoded.status == 0)
        #expect(encoded.stdout == "15339 1917\n")
        let decoded = try run(["decode", "--encoding", "cl100k_base", "15339", "1917"])
        #expect(decoded.stdout == "hello world\n")
    }

    @Test func encodeJSONLines() throws {
        let tokenizer = TestData.fixture("tokenizers/llama-style.tokenizer.json")
        let result = try run(["encode", "--tokenizer", tokenizer, "--jsonl"],
                             input: #"{"text": "", "add_special_tokens": false}"# + "\n" + #"{"text": "a", "pair": "b"}"# + "\n")
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first == #"{"ids":[],"tokens":[],"offsets":[],"type_ids":[]}"#)
        #expect(lines.last?.contains(#""type_ids":[0,0,0,1,1]"#) == true)
    }

    @Test func decodeJSONLines() throws {
        let result = try run(["decode", "--encoding", "o200k_base", "--jsonl"], input: #"{"ids": [24912, 2375]}"# + "\n")
        #expect(result.stdout == #"{"text":"hello world"}"# + "\n")
    }

    @Test func badRequestsExitTwoButKeepLines() throws {
        let result = try run(["encode", "--encoding", "cl100k_base", "--jsonl"],
                             input: "{\"text\": \"ok\"}\nnot json\n{\"text\": \"<|endoftext|>\"}\n")
        #expect(result.status == 2)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0] == #"{"ids":[564],"tokens":["ok"],"offsets":[[0,2]],"type_ids":[0]}"#)
        #expect(lines[1].hasPrefix(#"{"error":"line 2: invalid JSON"#))
        #expect(lines[2].contains("disallowed special token"))
    }

    @Test func exitCodes() throws {
        #expect(try run(["encode", "--tokenizer", "/nonexistent.json", "x"]).status == 2)
        #expect(try run(["encode", "x"]).status == 2)                       // neither --tokenizer nor --encoding
        #expect(try run(["encode", "--encoding", "nope", "x"]).status == 2)
        #expect(try run(["frobnicate"]).status == 2)
        #expect(try run(["decode", "--encoding", "cl100k_base", "abc"]).status == 2)
        let unsupported = try run(["encode", "--tokenizer", TestData.fixture("unsupported.tokenizer.json"), "x"])
        #expect(unsupported.status == 3)
        #expect(unsupported.stderr.contains("back-references"))
        #expect(try run(["--help"]).status == 0)
    }

    @Test func benchReportsThroughput() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tokenkit-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("input.jsonl")
        try Data((#"{"text": "hello world"}"# + "\n" + #"{"text": "日本語"}"# + "\n").utf8).write(to: input)
        let result = try run(["bench", "--encoding", "cl100k_base", "--warmup", input.path, "--input", input.path, "--json"])
        #expect(result.status == 0)
        let root = try JSONDocument(string: result.stdout).root
        #expect(root["bytes"]?.int == 20)
        #expect(root["tokens"]?.int == 6)
        #expect((root["seconds"]?.double ?? -1) >= 0)
        #expect((root["load_seconds"]?.double ?? -1) > 0)
    }

    @Test func benchStagesAndSyntheticInputs() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tokenkit-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("input.jsonl")
        try Data((#"{"text": "hello world"}"# + "\n" + #"{"text": "日本語"}"# + "\n").utf8).write(to: input)
        for (stage, count) in [("decode", 6), ("pretokenize", 3)] {
            let result = try run(["bench", "--encoding", "cl100k_base", "--input", input.path, "--stage", stage])
            #expect(result.status == 0, "\(stage): \(result.stderr)")
            let root = try JSONDocument(string: result.stdout).root
            #expect(root["stage"]?.string == stage)
            #expect(root["tokens"]?.int == count, "\(stage)")
            #expect(root["bytes"]?.int == 20)
        }
        for (kind, tokens) in [("repeat:64", 8), ("digits:30", 10)] {
            let result = try run(["bench", "--encoding", "cl100k_base", "--synthetic", kind])
            #expect(result.status == 0, "\(kind): \(result.stderr)")
            let root = try JSONDocument(string: result.stdout).root
            #expect(root["bytes"]?.int == Int(kind.split(separator: ":")[1]))
            #expect(root["tokens"]?.int == tokens, "\(kind)")
            #expect((root["rss_mb"]?.double ?? 0) > 0)
        }
        let latin1 = try JSONDocument(string: try run(["bench", "--encoding", "cl100k_base", "--synthetic", "latin1:1K"]).stdout).root
        #expect((1024...1026).contains(latin1["bytes"]?.int ?? 0))
        #expect(try run(["bench", "--encoding", "cl100k_base", "--synthetic", "word"]).status == 2)
        #expect(try run(["bench", "--encoding", "cl100k_base", "--synthetic", "poem:1K"]).status == 2)
        #expect(try run(["bench", "--encoding", "cl100k_base", "--synthetic", "word:1K", "--input", input.path]).status == 2)
        #expect(try run(["bench", "--encoding", "cl100k_base"]).status == 2)
    }

    @Test func trainWritesALoadableTokenizer() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tokenkit-train-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("tokenizer.json").path
        let corpus = TestData.fixture("training/corpus.txt")
        let result = try run(["train", "bpe", "--quiet", "--vocab-size", "400", "--special-token", "<|endoftext|>", corpus, "-o", output])
        #expect(result.status == 0, "\(result.stderr)")
        let tokenizer = try Tokenizer(contentsOf: output)
        #expect(tokenizer.vocabularySize() == 400)
        let text = "The quick brown fox, naïve café 東京"
        #expect(try tokenizer.decode(tokenizer.encodeIDs(text)) == text)

        // JSON Lines input: the same words as the same text in a plain file.
        let jsonl = directory.appendingPathComponent("corpus.jsonl")
        let lines = try String(contentsOfFile: corpus, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        var body = ""
        for (index, line) in lines.enumerated() {
            let text = index == lines.count - 1 ? String(line) : line + "\n"
            if text.isEmpty { continue }
            var writer = JSONWriter()
            writer.beginObject(); writer.appendKey("text"); writer.appendString(text); writer.endObject()
            body += String(decoding: writer.bytes, as: UTF8.self) + "\n"
        }
        try Data(body.utf8).write(to: jsonl)
        let fromJSONL = directory.appendingPathComponent("jsonl.json").path
        #expect(try run(["train", "bpe", "--quiet", "--vocab-size", "400", "--special-token", "<|endoftext|>", "--jsonl-field", "text",
                         jsonl.path, "-o", fromJSONL]).status == 0)
        #expect(FileManager.default.contents(atPath: fromJSONL) == FileManager.default.contents(atPath: output))

        // Two threads write the same file.
        let twoThreads = directory.appendingPathComponent("threads.json").path
        #expect(try run(["train", "bpe", "--quiet", "--threads", "2", "--vocab-size", "400", "--special-token", "<|endoftext|>",
                         corpus, "-o", twoThreads]).status == 0)
        #expect(FileManager.default.contents(atPath: twoThreads) == FileManager.default.contents(atPath: output))

        // Scaffold-BPE and SuperBPE write tokenizers that round-trip; bad combinations exit 2.
        for extra in [["--scaffold"], ["--superword-transition", "300"]] {
            let trained = directory.appendingPathComponent("variant.json").path
            let result = try run(["train", "bpe", "--quiet", "--vocab-size", "400"] + extra + [corpus, "-o", trained])
            #expect(result.status == 0, "\(extra): \(result.stderr)")
            let variant = try Tokenizer(contentsOf: trained)
            #expect(try variant.decode(variant.encodeIDs(text)) == text)
        }
        #expect(try run(["train", "bpe", "--vocab-size", "400", "--superword-transition", "400", corpus, "-o", output]).status == 2)
        #expect(try run(["train", "bpe", "--vocab-size", "400", "--superword-pattern", "x", corpus, "-o", output]).status == 2)
        #expect(try run(["train", "bpe", "--vocab-size", "400", "--scaffold", corpus, "-o", directory.appendingPathComponent("s.tiktoken").path]).status == 2)

        // Multi-word n-grams: learned, then matched by encode and reversed by decode.
        let ngrams = directory.appendingPathComponent("ngrams.json").path
        #expect(try run(["train", "multiword", "--quiet", "--top-k", "50", corpus, "-o", ngrams]).status == 0)
        let learned = try MultiWordTokenizer.ngrams(fromFile: [UInt8](FileManager.default.contents(atPath: ngrams)!), name: ngrams)
        #expect(learned.count == 50)
        let phrase = "The quick brown fox" + learned[0] + " and" + learned[1]
        let encoded = try run(["encode", "--encoding", "cl100k_base", "--multi-word", ngrams, phrase])
        #expect(encoded.status == 0)
        let multiIDs = encoded.stdout.split(whereSeparator: \.isWhitespace).map(String.init)
        #expect(multiIDs.contains(String(try Tokenizer.encoding(named: "cl100k_base").vocabularySize())))
        let decoded = try run(["decode", "--encoding", "cl100k_base", "--multi-word", ngrams] + multiIDs)
        #expect(decoded.stdout == phrase + "\n")
        #expect(try run(["encode", "--encoding", "cl100k_base", "--multi-word", corpus, "x"]).status == 2)

        // A gzip-compressed corpus (when the system has gzip) trains the same tokenizer.
        let compressed = directory.appendingPathComponent("corpus.txt.gz")
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "-c", corpus]
        FileManager.default.createFile(atPath: compressed.path, contents: nil)
        gzip.standardOutput = try FileHandle(forWritingTo: compressed)
        if (try? gzip.run()) != nil {
            gzip.waitUntilExit()
            if gzip.terminationStatus == 0 {
                let fromGzip = directory.appendingPathComponent("gzip.json").path
                #expect(try run(["train", "bpe", "--quiet", "--vocab-size", "400", "--special-token", "<|endoftext|>",
                                 compressed.path, "-o", fromGzip]).status == 0)
                #expect(FileManager.default.contents(atPath: fromGzip) == FileManager.default.contents(atPath: output))
            }
        }

        // Bad input exits 2 and names what is wrong.
        let missing = try run(["train", "bpe", "--vocab-size", "300", directory.appendingPathComponent("nope.txt").path, "-o", output])
        #expect(missing.status == 2 && missing.stderr.contains("nope.txt"))
        let badField = try run(["train", "bpe", "--vocab-size", "300", "--jsonl-field", "content", jsonl.path, "-o", output])
        #expect(badField.status == 2 && badField.stderr.contains("line 1") && badField.stderr.contains("content"))
        #expect(try run(["train", "bpe", "--vocab-size", "300", "--preset", "gpt5", corpus, "-o", output]).status == 2)
        for coverage in ["0", "1.5", "-0.1"] {
            let bad = try run(["train", "bpe", "--vocab-size", "300", "--metaspace", "--character-coverage", coverage, corpus, "-o", output])
            #expect(bad.status == 2 && bad.stderr.contains("--character-coverage"), "\(coverage): \(bad.stderr)")
        }
        #expect(try run(["train", "bpe", "--vocab-size", "300", "--byte-fallback", corpus, "-o", output]).status == 2)
        #expect(try run(["train", "bpe", "--vocab-size", "300", "-o", output]).status == 2)
        let wordpiece = try run(["train", "wordpiece", "--quiet", "--vocab-size", "500", corpus, "-o", output])
        #expect(wordpiece.status == 0, "\(wordpiece.stderr)")
        #expect(try Tokenizer(contentsOf: output).encode("Hello").ids.first == 1)
    }

    @Test func trainUnigramWritesModelAndJSON() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tokenkit-unigram-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let corpus = directory.appendingPathComponent("corpus.txt").path
        let lines = try String(contentsOfFile: TestData.fixture("training/corpus.txt"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).prefix(800)
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: corpus))
        let model = directory.appendingPathComponent("m.model").path
        let json = directory.appendingPathComponent("m.json").path
        for output in [model, json] {
            let result = try run(["train", "unigram", "--quiet", "--vocab-size", "500", "--user-defined-symbol", "<mask>", corpus, "-o", output])
            #expect(result.status == 0, "\(result.stderr)")
        }
        let fromModel = try Tokenizer(contentsOf: model)
        let fromJSON = try Tokenizer(contentsOf: json)
        #expect(fromModel.vocabularySize() == 500 && fromJSON.vocabularySize() == 500)
        for text in ["The quick brown fox, naive cafe", "def f(x):  return x<mask>1"] {
            let ids = try fromModel.encodeIDs(text, addSpecialTokens: false)
            #expect(try fromJSON.encodeIDs(text, addSpecialTokens: false) == ids)
            let decoded = try fromModel.decode(ids)
            #expect(decoded == text.replacingOccurrences(of: "  ", with: " "), "\(decoded)")
        }
        let encoded = try run(["encode", "--tokenizer", model, "hello world"])
        #expect(encoded.status == 0 && !encoded.stdout.isEmpty)

        // Bad input exits 2 and says why.
        let missing = try run(["train", "unigram", "--vocab-size", "500", directory.appendingPathComponent("nope.txt").path, "-o", model])
        #expect(missing.status == 2 && missing.stderr.contains("nope.txt"))
        let tooSmall = try run(["train", "unigram", "--quiet", "--vocab-size", "20", corpus, "-o", model])
        #expect(tooSmall.status == 2 && tooSmall.stderr.contains("vocabulary size"))
        let tooLarge = try run(["train", "unigram", "--quiet", "--vocab-size", "90000", corpus, "-o", model])
        #expect(tooLarge.status == 2 && tooLarge.stderr.contains("too high"))
        #expect(try run(["train", "unigram", "--vocab-size", "500", "--character-coverage", "0.5", corpus, "-o", model]).status == 2)
        #expect(try run(["train", "unigram", "--vocab-size", "500", "--normalization", "nfc", corpus, "-o", model]).status == 2)
    }

    @Test func trainBPEWritesSentencePieceModel() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tokenkit-bpe-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let corpus = TestData.fixture("training/corpus.txt")
        let model = directory.appendingPathComponent("bpe.model").path
        let json = directory.appendingPathComponent("bpe.json").path
        for output in [model, json] {
            let result = try run(["train", "bpe", "--quiet", "--metaspace", "--vocab-size", "800", "--special-token", "<unk>",
                                  "--unk-token", "<unk>", corpus, "-o", output])
            #expect(result.status == 0, "\(result.stderr)")
        }
        let fromModel = try Tokenizer(contentsOf: model)
        #expect(fromModel.format == .sentencePiece)
        let text = "The quick brown fox jumps over the lazy dog."
        #expect(try fromModel.encodeIDs(text, addSpecialTokens: false) == Tokenizer(contentsOf: json).encodeIDs(text, addSpecialTokens: false))
        // A SentencePiece model needs SentencePiece-style BPE and an unknown piece in the vocabulary.
        #expect(try run(["train", "bpe", "--quiet", "--vocab-size", "400", corpus, "-o", model]).status == 2)
        #expect(try run(["train", "bpe", "--quiet", "--metaspace", "--vocab-size", "400", "--unk-token", "<unk>", corpus, "-o", model]).status == 2)
    }
}
