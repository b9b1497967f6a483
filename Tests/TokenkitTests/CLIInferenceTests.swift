import Foundation
import Testing
@testable import Tokenkit

/// `tokenkit encode --inference`, `--dropout`, `--sample` end to end: exact stdout against the
/// library, reproducible seeds, and exit status 2 for invalid requests.
@Suite struct CLIInferenceTests {
    let cli = CLITests()
    let text = "antidisestablishmentarianism internationalization"

    @Test func inferenceMethodsMatchTheLibrary() throws {
        let tokenizer = try Tokenizer.encoding(named: "cl100k_base")
        for method in InferenceMethod.allCases {
            let result = try cli.run(["encode", "--encoding", "cl100k_base", "--inference", method.rawValue, text])
            #expect(result.status == 0, "\(method): \(result.stderr)")
            let ids = try tokenizer.with(inference: method).encodeIDs(text)
            #expect(result.stdout == ids.map(String.init).joined(separator: " ") + "\n", "\(method)")
        }
        // The default is the merges.
        #expect(try cli.run(["encode", "--encoding", "cl100k_base", text]).stdout
                == cli.run(["encode", "--encoding", "cl100k_base", "--inference", "merges", text]).stdout)
        let json = try cli.run(["encode", "--encoding", "cl100k_base", "--inference", "longest-token", "--json", text])
        #expect(json.status == 0)
        let ids = try Tokenizer.encoding(named: "cl100k_base").with(inference: .longestToken).encodeIDs(text)
        #expect(json.stdout.hasPrefix(#"{"ids":["# + ids.map(String.init).joined(separator: ",") + "]"))
    }

    @Test func samplingIsReproducibleUnderASeed() throws {
        let long = String(repeating: "Reproducible BPE-dropout for data augmentation. ", count: 5)
        let a = try cli.run(["encode", "--encoding", "cl100k_base", "--dropout", "0.5", "--seed", "7", long])
        let b = try cli.run(["encode", "--encoding", "cl100k_base", "--dropout", "0.5", "--seed", "7", long])
        let c = try cli.run(["encode", "--encoding", "cl100k_base", "--dropout", "0.5", "--seed", "8", long])
        #expect(a.status == 0 && a.stdout == b.stdout && a.stdout != c.stdout)
        let zero = try cli.run(["encode", "--encoding", "cl100k_base", "--dropout", "0", "--seed", "7", long])
        #expect(zero.stdout == (try cli.run(["encode", "--encoding", "cl100k_base", long])).stdout)
        // Requests of a --jsonl run are sampled in order from one seeded sequence.
        let model = TestData.fixture("sentencepiece/unigram-nmt.model")
        let input = String(repeating: #"{"text": "subword regularization samples segmentations"}"# + "\n", count: 4)
        let s1 = try cli.run(["encode", "--tokenizer", model, "--sample", "--alpha", "0.1", "--nbest", "-1", "--seed", "3", "--jsonl"], input: input)
        let s2 = try cli.run(["encode", "--tokenizer", model, "--sample", "--alpha", "0.1", "--nbest", "-1", "--seed", "3", "--jsonl"], input: input)
        #expect(s1.status == 0 && s1.stdout == s2.stdout)
        #expect(Set(s1.stdout.split(separator: "\n")).count > 1)
        let viterbi = try cli.run(["encode", "--tokenizer", model, "--sample", "--nbest", "1", "--seed", "3", "subword regularization"])
        #expect(viterbi.stdout == (try cli.run(["encode", "--tokenizer", model, "subword regularization"])).stdout)
    }

    /// `bench --inference` counts the tokens of that method.
    @Test func benchWithAnInferenceMethod() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tokenkit-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("input.jsonl")
        try Data((#"{"text": "\#(text)"}"# + "\n").utf8).write(to: input)
        let tokenizer = try Tokenizer.encoding(named: "cl100k_base")
        for method in [InferenceMethod.merges, .longestToken] {
            let result = try cli.run(["bench", "--encoding", "cl100k_base", "--inference", method.rawValue, "--input", input.path])
            #expect(result.status == 0, "\(result.stderr)")
            let root = try JSONDocument(string: result.stdout).root
            #expect(root["tokens"]?.int == (try tokenizer.with(inference: method).encodeIDs(text, addSpecialTokens: false).count))
        }
        #expect(try cli.run(["bench", "--encoding", "cl100k_base", "--inference", "nope", "--input", input.path]).status == 2)
    }

    @Test func unigramScoresFromAFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tokenkit-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let corpus = directory.appendingPathComponent("corpus.txt")
        let lines = ["the establishment of tokenization", "antidisestablishmentarianism is a word", "the the the"]
        try Data(lines.joined(separator: "\n").utf8).write(to: corpus)
        let tokenizer = try Tokenizer.encoding(named: "cl100k_base")
        let ids = try tokenizer.with(inference: .unigram, unigramScores: tokenizer.unigramScores(estimatedFrom: lines)).encodeIDs(text)
        let result = try cli.run(["encode", "--encoding", "cl100k_base", "--inference", "unigram", "--unigram-scores-from", corpus.path, text])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == ids.map(String.init).joined(separator: " ") + "\n")
        #expect(try cli.run(["encode", "--encoding", "cl100k_base", "--inference", "least-tokens", "--unigram-scores-from", corpus.path, text]).status == 2)
        #expect(try cli.run(["encode", "--encoding", "cl100k_base", "--inference", "unigram", "--unigram-scores-from", "/nonexistent", text]).status == 2)
    }

    @Test func invalidRequestsExitTwo() throws {
        let unigram = TestData.fixture("sentencepiece/unigram-nmt.model")
        let wordLevel = TestData.fixture("tokenizers/wordlevel.tokenizer.json")
        let cases: [[String]] = [
            ["--encoding", "cl100k_base", "--inference", "greedy"],
            ["--encoding", "cl100k_base", "--dropout", "1.5"],
            ["--encoding", "cl100k_base", "--dropout", "-0.1"],
            ["--encoding", "cl100k_base", "--sample"],
            ["--tokenizer", unigram, "--dropout", "0.1"],
            ["--tokenizer", TestData.fixture("sentencepiece/bpe-rules.model"), "--sample"],
            ["--tokenizer", unigram, "--sample", "--nbest", "1000"],
            ["--tokenizer", unigram, "--sample", "--dropout", "0.1"],
            ["--encoding", "cl100k_base", "--alpha", "0.1"],
            ["--encoding", "cl100k_base", "--seed", "1"],
            ["--encoding", "cl100k_base", "--inference", "least-tokens", "--dropout", "0.1"],
            ["--tokenizer", wordLevel, "--inference", "longest-token"],
        ]
        for arguments in cases {
            let result = try cli.run(["encode"] + arguments + ["hello"])
            #expect(result.status == 2, "\(arguments): \(result.stdout) \(result.stderr)")
            #expect(result.stderr.hasPrefix("tokenkit: ") || result.stderr.contains("Error"), "\(arguments)")
        }
    }
}
