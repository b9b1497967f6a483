import Foundation
import Testing
@testable import Tokenkit

/// Tokenkit against outputs recorded from the reference libraries.
@Suite struct ReferenceConformanceTests {
    /// Small tokenizers built by scripts/generate_fixtures.py (GPT-2, Llama 3, DeepSeek styles, odd splits,
    /// tiktoken files with other patterns), with outputs from `tokenizers` and tiktoken.
    static let fixtureNames = [
        "gpt2-style.tokenizer.json", "llama-style.tokenizer.json", "deepseek-style.tokenizer.json",
        "odd-splits.tokenizer.json", "inverted-split.tokenizer.json",
        "bert-cased.tokenizer.json", "bert-uncased.tokenizer.json", "wordlevel.tokenizer.json", "pretokenizers-mix.tokenizer.json",
        "llama2-style.tokenizer.json", "metaspace.tokenizer.json", "classic-bpe.tokenizer.json", "roberta-style.tokenizer.json",
        "sequence-processor.tokenizer.json", "bytelevel-normalizer.tokenizer.json",
        "small-r50k.tiktoken", "small-llama.tiktoken", "small-odd.tiktoken",
    ]

    @Test(arguments: fixtureNames)
    func fixture(_ name: String) throws {
        let tokenizer = try Tokenizer(contentsOf: TestData.fixture("tokenizers/\(name)"))
        let cases = try ReferenceCase.load(TestData.fixture("tokenizers/\(name).cases.jsonl"))
        #expect(cases.count > 100)
        let problems = mismatches(of: tokenizer, against: cases)
        #expect(problems.isEmpty, Comment(rawValue: "\(name):\n" + problems.joined(separator: "\n")))
    }

    /// The shared conformance cases, for the formats supported so far (skipped without ../shared).
    static let sharedNames = [
        "cl100k_base.tiktoken", "o200k_base.tiktoken", "llama3.tiktoken", "qwen3.tiktoken",
        "cl100k_base.tokenizer.json", "o200k_base.tokenizer.json", "llama3.tokenizer.json", "qwen3.tokenizer.json",
        "minilm.tokenizer.json", "mistral-v1.tokenizer.json", "unigram8k.tokenizer.json",
        "mistral-v1.model", "unigram8k.model",
    ]

    @Test(arguments: sharedNames)
    func shared(_ name: String) throws {
        guard let shared = TestData.shared else { return }
        let tokenizer = try Tokenizer(contentsOf: shared.appendingPathComponent("tokenizers/\(name)").path)
        let cases = try ReferenceCase.load(shared.appendingPathComponent("conformance/\(name).jsonl").path)
        let problems = mismatches(of: tokenizer, against: cases)
        #expect(problems.isEmpty, Comment(rawValue: "\(name):\n" + problems.joined(separator: "\n")))
    }
}
