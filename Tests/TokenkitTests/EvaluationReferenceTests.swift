import Foundation
import Testing
import Tokenkit
@testable import TokenkitEvaluation

/// TokenkitEvaluation against an independent computation with the Python reference libraries
/// (scripts/evaluate_reference.py: tiktoken for cl100k_base, `tokenizers` for mistral-v1) on
/// the first lines of the shared corpora: token, byte, character and word counts exactly,
/// tokens per byte, fertility and every language's parity premium to 1e-9; and the same
/// unreachable and invalid-UTF-8 token ids for cl100k_base, mistral-v1 and qwen3.
@Suite struct EvaluationReferenceTests {
    static let referencePath = TestData.fixture("evaluation/reference.json")

    static var available: Bool {
        TestData.shared != nil && FileManager.default.fileExists(atPath: referencePath)
    }

    @Test(.enabled(if: available)) func agreesWithThePythonReference() throws {
        let shared = try #require(TestData.shared)
        let root = try JSONDocument(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.referencePath)))).root
        let corpusLines = try #require(root["corpus_lines"]?.int)
        let parallelLines = try #require(root["parallel_lines"]?.int)
        let tokenizers = shared.appendingPathComponent("tokenizers")
        let evaluated = [
            EvaluatedTokenizer(label: "cl100k_base", source: "", tokenizer: try Tokenizer(contentsOf: tokenizers.appendingPathComponent("cl100k_base.tiktoken").path)),
            EvaluatedTokenizer(label: "mistral-v1", source: "", tokenizer: try Tokenizer(contentsOf: tokenizers.appendingPathComponent("mistral-v1.tokenizer.json").path)),
        ]
        let corpus = shared.appendingPathComponent("corpus")
        func run(maxLines: Int) -> TokenizerEvaluation {
            TokenizerEvaluation(tokenizers: evaluated, options: EvaluationOptions(maxLines: maxLines, checkVocabulary: false, progress: false))
        }
        let report = try run(maxLines: corpusLines).run(corpora: ["en", "code", "multi"].map { corpus.appendingPathComponent($0 + ".txt").path })
        let expectedMetrics = Array(try #require(root["metrics"]?.elements))
        #expect(expectedMetrics.count == 6)
        for expected in expectedMetrics {
            let name = try #require(expected["tokenizer"]?.string), corpusName = try #require(expected["corpus"]?.string)
            let m = try #require(report.metrics(tokenizer: name, corpus: corpusName))
            for (key, value) in [("lines", m.lines), ("bytes", m.bytes), ("characters", m.characters), ("tokens", m.tokens),
                                 ("whitespace_words", m.whitespaceWords), ("segmented_words", m.segmentedWords)] {
                #expect(expected[key]?.int == value, "\(name) \(corpusName) \(key)")
            }
            #expect(abs(try #require(expected["tokens_per_byte"]?.double) - m.tokensPerByte) < 1e-9, "\(name) \(corpusName)")
            #expect(abs(try #require(expected["fertility"]?.double) - m.fertility) < 1e-9, "\(name) \(corpusName)")
        }

        let parity = try run(maxLines: parallelLines).parity(directory: corpus.appendingPathComponent("parallel").path)
        let expectedParity = Array(try #require(root["parity"]?.elements))
        #expect(expectedParity.count == parity.entries.count)
        #expect(expectedParity.count > 200)
        for expected in expectedParity {
            let name = try #require(expected["tokenizer"]?.string), language = try #require(expected["language"]?.string)
            let entry = try #require(parity.entry(tokenizer: name, language: language), "\(name) \(language)")
            #expect(expected["aligned_lines"]?.int == entry.alignedLines, "\(name) \(language)")
            #expect(expected["tokens"]?.int == entry.tokens, "\(name) \(language)")
            #expect(expected["reference_tokens"]?.int == entry.referenceTokens, "\(name) \(language)")
            #expect(abs(try #require(expected["premium"]?.double) - entry.premium) < 1e-9, "\(name) \(language)")
        }
    
    }

    @Test(.enabled(if: available && FileManager.default.fileExists(atPath: TestData.shared?.appendingPathComponent("tokenizers/qwen3.tiktoken").path ?? "")))
    func vocabularyHealthAgreesWithThePythonReference() throws {
        let shared = try #require(TestData.shared)
        let root = try JSONDocument(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.referencePath)))).root
        let files = ["cl100k_base": "cl100k_base.tiktoken", "mistral-v1": "mistral-v1.tokenizer.json", "qwen3": "qwen3.tiktoken"]
        let expected = Array(try #require(root["vocabulary"]?.elements))
        #expect(expected.count == 3)
        for entry in expected {
            let name = try #require(entry["tokenizer"]?.string)
            let path = shared.appendingPathComponent("tokenizers").appendingPathComponent(try #require(files[name])).path
            let health = VocabularyHealthChecker().check(EvaluatedTokenizer(label: name, source: path, tokenizer: try Tokenizer(contentsOf: path)))
            let unreachable = Array(try #require(entry["unreachable"]?.elements)).map { TokenID($0.int!) }
            let invalid = Array(try #require(entry["invalid_utf8"]?.elements)).map { TokenID($0.int!) }
            #expect(health.unreachableIDs == unreachable, "\(name)")
            #expect(health.invalidUTF8IDs == invalid, "\(name)")
            #expect(health.unreachable == unreachable.count && health.invalidUTF8 == invalid.count)
        }
    }
}
