import Foundation
import Testing
@testable import Tokenkit

/// `Tokenizer.with(inference:)` on real tokenizers: the rest of the pipeline still applies,
/// byte-level tokenizers stay lossless, and where a method is the model's own algorithm the
/// segmenter gives exactly the model's output.
@Suite struct InferencePipelineTests {
    static let alternatives = InferenceMethod.allCases.filter { $0 != .merges }

    func texts(_ fixture: String) throws -> [String] {
        var texts = try ReferenceCase.load(TestData.fixture(fixture + ".cases.jsonl")).map(\.text)
        var rng = SeededGenerator(seed: 5)
        for _ in 0..<100 { texts.append(randomText(&rng)) }
        return texts
    }

    /// Longest prefix is WordPiece's own algorithm: the same encodings (ids, tokens, offsets,
    /// special tokens of the post-processor) as the model.
    @Test func longestPrefixIsWordPiece() throws {
        let name = "tokenizers/bert-uncased.tokenizer.json"
        let tokenizer = try Tokenizer(contentsOf: TestData.fixture(name)).with(truncation: nil, padding: nil)
        let prefix = try tokenizer.with(inference: .longestPrefix)
        #expect(prefix.inferenceMethod == .longestPrefix)
        for text in try texts(name) {
            let a = try tokenizer.encode(text), b = try prefix.encode(text)
            #expect(a.ids == b.ids, "\(text.debugDescription)")
            #expect(a.tokens == b.tokens && a.offsets == b.offsets, "\(text.debugDescription)")
        }
    }

    /// Viterbi with the model's scores is the Unigram model itself (tokenizers' format, double
    /// precision like `UnigramModel`).
    @Test func unigramSegmenterIsTheUnigramModel() throws {
        for name in ["sentencepiece/unigram-nmt.tokenizer.json", "sentencepiece/unigram-bytes-symbols.tokenizer.json"] {
            let tokenizer = try Tokenizer(contentsOf: TestData.fixture(name))
            let segmenter = try InferenceSegmenter(model: tokenizer.model, method: .unigram, excluding: Set(tokenizer.addedVocabulary.tokens.keys))
            let viaSegmenter = Tokenizer(format: tokenizer.format, normalizer: tokenizer.normalizer, preTokenizer: tokenizer.preTokenizer,
                                         model: tokenizer.model, postProcessor: tokenizer.postProcessor, decoder: tokenizer.decoder,
                                         addedVocabulary: tokenizer.addedVocabulary, truncation: nil, padding: nil, segmenter: segmenter)
            // The segmenter leaves the unknown piece and the byte pieces out of its keys (they
            // stand for unknown text and for bytes), where `tokenizers` also matches their
            // spelling as text: texts spelling them are the documented difference.
            for text in try texts(name) where !text.contains("<unk>") && !text.contains("<0x") {
                #expect(try viaSegmenter.encode(text).ids == tokenizer.encode(text).ids, "\(name): \(text.debugDescription)")
            }
            // For a Unigram model `unigram` is its own algorithm: the ordinary tokenizer.
            #expect(try tokenizer.with(inference: .unigram).segmenter == nil)
        }
    }

    /// Byte-level BPE is lossless with every method: decode(encode(x)) == x on random Unicode
    /// (the GPT-2 style fixture adds a prefix space, so there it is what the merges decode to),
    /// through `encode` and `encodeIDs` alike.
    @Test(arguments: alternatives)
    func byteLevelRoundTrip(_ method: InferenceMethod) throws {
        for tokenizer in [try Tokenizer.encoding(named: "cl100k_base"),
                          try Tokenizer(contentsOf: TestData.fixture("tokenizers/gpt2-style.tokenizer.json"))] {
            let other = try tokenizer.with(inference: method)
            var rng = SeededGenerator(seed: 77)
            for _ in 0..<100 {
                let text = randomText(&rng)
                let ids = try other.encodeIDs(text, disallowedSpecial: .none)
                let expected = try tokenizer.decode(tokenizer.encodeIDs(text, disallowedSpecial: .none))
                #expect(try other.decode(ids) == expected, "\(method): \(text.debugDescription)")
                if tokenizer.format == .tiktoken { #expect(expected == text) }
                #expect(try other.encode(text, disallowedSpecial: .none).ids == ids)
            }
        }
    }

    /// The ids-only route (byte-level pipelines) gives the ids of the full pipeline, with added
    /// tokens, NFC normalizers and non-NFC text, on every tokenizer fixture.
    @Test(arguments: alternatives)
    func idsOnlyRouteAgreesWithThePipeline(_ method: InferenceMethod) throws {
        let directory = TestData.fixture("tokenizers")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { ($0.hasSuffix(".tokenizer.json") || $0.hasSuffix(".tiktoken")) && !$0.hasPrefix("wordlevel") }.sorted()
        let decomposed = ["e\u{301}", "A\u{30A}", "\u{1100}\u{1161}", "<|endoftext|>", "<s>", "</s>"]
        for name in names {
            let base = try Tokenizer(contentsOf: directory + "/" + name).with(truncation: nil, padding: nil)
            // WordLevel (pretokenizers-mix) is refused, as documented.
            guard let tokenizer = try? base.with(inference: method) else {
                #expect(name.hasPrefix("pretokenizers-mix"), "\(name) refused")
                continue
            }
            var rng = SeededGenerator(seed: 8)
            for round in 0..<40 {
                var text = randomText(&rng, maxLength: 30)
                if round % 2 == 0 { text += decomposed.randomElement(using: &rng)! + randomText(&rng, maxLength: 10) }
                for allowed in [Tokenizer.SpecialTokenSet.none, .all] {
                    let ids = try tokenizer.encodeIDs(text, allowedSpecial: allowed, disallowedSpecial: .none)
                    #expect(ids == (try tokenizer.encode(text, allowedSpecial: allowed, disallowedSpecial: .none).ids), "\(name) \(method): \(text.debugDescription)")
                }
            }
        }
    }

    /// Every method decodes to what the merges decode to (the text itself for lossless
    /// tokenizers) on SentencePiece-style vocabularies with byte fallback, GGUF files and
    /// SentencePiece models, and `encodeIDs` agrees with `encode`.
    @Test(arguments: alternatives)
    func otherFormatsRoundTrip(_ method: InferenceMethod) throws {
        var paths = ["tokenizers/llama-style.tokenizer.json", "tokenizers/llama2-style.tokenizer.json",
                     "tokenizers/classic-bpe.tokenizer.json", "gguf/gpt-2.gguf",
                     "gguf/llama-bpe.gguf", "gguf/spm-bpe.gguf", "gguf/spm-unigram.gguf", "gguf/qwen2.gguf",
                     "sentencepiece/bpe-bytes-symbols.model", "sentencepiece/unigram-bytes-symbols.model"].map(TestData.fixture)
        if let shared = TestData.shared {
            paths += ["mistral-v1.model", "mistral-v1.tokenizer.json", "unigram8k.model"].map { shared.appendingPathComponent("tokenizers/" + $0).path }
        }
        for path in paths {
            let tokenizer = try Tokenizer(contentsOf: path).with(truncation: nil, padding: nil)
            let other = try tokenizer.with(inference: method)
            var rng = SeededGenerator(seed: 12)
            for _ in 0..<30 {
                let text = randomText(&rng, maxLength: 40)
                let ids = try other.encodeIDs(text, addSpecialTokens: false)
                #expect(ids == (try other.encode(text, addSpecialTokens: false).ids), "\(path) \(method): \(text.debugDescription)")
                #expect(try other.decode(ids) == tokenizer.decode(tokenizer.encodeIDs(text, addSpecialTokens: false)),
                        "\(path) \(method): \(text.debugDescription)")
            }
        }
    }

    /// Added tokens are matched before the model and keep their ids; the methods differ on
    /// ordinary text, and least tokens is never longer than the merges.
    @Test func pipelineStillApplies() throws {
        let tokenizer = try Tokenizer.encoding(named: "cl100k_base")
        let text = "unbelievably<|endoftext|>tokenization antidisestablishmentarianism"
        let merges = try tokenizer.encodeIDs(text, allowedSpecial: .all)
        var outputs: Set<[TokenID]> = [merges]
        for method in Self.alternatives {
            let ids = try tokenizer.with(inference: method).encodeIDs(text, allowedSpecial: .all)
            #expect(ids.contains(100257), "\(method)")
            #expect(try tokenizer.decode(ids) == text)
            outputs.insert(ids)
        }
        #expect(outputs.count > 2)
        let least = try tokenizer.with(inference: .leastTokens)
        let corpus = "The quick brown fox jumps over the lazy dog; tokenization, internationalization and antidisestablishmentarianism."
        #expect(try least.encodeIDs(corpus).count <= tokenizer.encodeIDs(corpus).count)
        // BERT's post-processor still adds [CLS] and [SEP] around another method's tokens.
        let bert = try Tokenizer(contentsOf: TestData.fixture("tokenizers/bert-uncased.tokenizer.json")).with(truncation: nil, padding: nil)
        let encoding = try bert.with(inference: .longestToken).encode("hello world")
        #expect(encoding.tokens.first == "[CLS]" && encoding.tokens.last == "[SEP]")
    }

    @Test func unsupportedModelsAreRefused() throws {
        let wordLevel = try Tokenizer(contentsOf: TestData.fixture("tokenizers/wordlevel.tokenizer.json"))
        #expect(throws: InferenceError.self) { try wordLevel.with(inference: .longestToken) }
        #expect(try wordLevel.with(inference: .merges).segmenter == nil)
    }

    /// On the shared tokenizers (when present): longest prefix is WordPiece on MiniLM, and the
    /// unigram method is the model on unigram8k, over lines of the shared corpus.
    @Test func sharedTokenizers() throws {
        guard let shared = TestData.shared else { return }
        let corpus = shared.appendingPathComponent("corpus/en.txt").path
        guard let data = FileManager.default.contents(atPath: corpus) else { return }
        let lines = String(decoding: data.prefix(200_000), as: UTF8.self).split(separator: "\n").prefix(300).map(String.init)
        let minilm = try Tokenizer(contentsOf: shared.appendingPathComponent("tokenizers/minilm.tokenizer.json").path)
        let prefix = try minilm.with(inference: .longestPrefix)
        for line in lines { #expect(try prefix.encodeIDs(line) == minilm.encodeIDs(line), "\(line)") }
        // BERT's split of "undesirable", and the longest token first on the same vocabulary.
        let plain = minilm.with(truncation: nil, padding: nil)
        #expect(try plain.encode("undesirable", addSpecialTokens: false).tokens == ["und", "##es", "##ira", "##ble"])
        #expect(try plain.with(inference: .longestToken).encode("undesirable", addSpecialTokens: false).tokens
                == ["und", "##es", "##i", "##rable"])
        let unigram = try Tokenizer(contentsOf: shared.appendingPathComponent("tokenizers/unigram8k.tokenizer.json").path)
        let segmenter = try InferenceSegmenter(model: unigram.model, method: .unigram, excluding: Set(unigram.addedVocabulary.tokens.keys))
        let viaSegmenter = Tokenizer(format: unigram.format, normalizer: unigram.normalizer, preTokenizer: unigram.preTokenizer,
                                     model: unigram.model, postProcessor: unigram.postProcessor, decoder: unigram.decoder,
                                     addedVocabulary: unigram.addedVocabulary, truncation: nil, padding: nil, segmenter: segmenter)
        for line in lines { #expect(try viaSegmenter.encodeIDs(line) == unigram.encodeIDs(line), "\(line)") }
    }
}
