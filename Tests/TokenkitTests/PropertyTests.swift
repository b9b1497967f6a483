import Testing
@testable import Tokenkit

/// A small deterministic generator (SplitMix64) so that property tests are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random text mixing ASCII, Latin, combining marks, CJK, emoji, whitespace and arbitrary scalars.
func randomText(_ rng: inout SeededGenerator, maxLength: Int = 60) -> String {
    let pools: [ClosedRange<UInt32>] = [0x20...0x7E, 0xA0...0x24F, 0x300...0x36F, 0x400...0x4FF, 0x600...0x6FF,
                                        0x3040...0x30FF, 0x4E00...0x9FFF, 0xAC00...0xD7A3, 0x1F300...0x1FAFF, 0x0...0x10FFFF]
    var scalars = String.UnicodeScalarView()
    for _ in 0..<Int.random(in: 0...maxLength, using: &rng) {
        if Int.random(in: 0..<8, using: &rng) == 0 {
            scalars.append(contentsOf: [" ", "\n", "  ", "\t", "\r\n"].randomElement(using: &rng)!.unicodeScalars)
            continue
        }
        let pool = pools.randomElement(using: &rng)!
        var value = UInt32.random(in: pool, using: &rng)
        if (0xD800...0xDFFF).contains(value) { value = 0x41 }
        scalars.append(Unicode.Scalar(value)!)
    }
    return String(scalars)
}

@Suite struct PropertyTests {
    /// Byte-level BPE is lossless: decode(encode(x)) == x, and the fast path agrees with the full pipeline.
    @Test(arguments: ["cl100k_base", "o200k_base"])
    func roundTripOnRandomUnicode(_ name: String) throws {
        let tokenizer = try Tokenizer.encoding(named: name)
        var rng = SeededGenerator(seed: 42)
        for _ in 0..<300 {
            let text = randomText(&rng)
            let ids = try tokenizer.encodeIDs(text, disallowedSpecial: .none)
            #expect(try tokenizer.decode(ids) == text)
            #expect(try tokenizer.encode(text, disallowedSpecial: .none).ids == ids, "\(text.debugDescription)")
        }
    }

    /// Tokenizers with an NFC normalizer encode non-NFC text on the fast path by normalizing it
    /// first; the ids must be those of the full pipeline (which normalizes with alignment).
    @Test func nfcTokenizersAgreeBetweenPaths() throws {
        var paths = [TestData.fixture("tokenizers/odd-splits.tokenizer.json")]
        if let shared = TestData.shared { paths.append(shared.appendingPathComponent("tokenizers/qwen3.tokenizer.json").path) }
        let decomposed = ["e\u{301}", "\u{1100}\u{1161}\u{11A8}", "\u{0958}", "A\u{30A}\u{323}", "\u{212B}", "\u{FB2C}x",
                          "\u{0344}", "<|endoftext|>", "<|im_start|>e\u{301}"]
        for path in paths {
            let tokenizer = try Tokenizer(contentsOf: path)
            guard tokenizer.fastEncoder != nil else { continue }
            var rng = SeededGenerator(seed: 11)
            for round in 0..<300 {
                var text = randomText(&rng)
                if round % 2 == 0 { text += decomposed.randomElement(using: &rng)! + randomText(&rng, maxLength: 10) }
                let encoding = try tokenizer.encode(text, addSpecialTokens: false)
                #expect(try tokenizer.encodeIDs(text, addSpecialTokens: false) == encoding.ids, "\(path) \(text.debugDescription)")
            }
        }
    }

    @Test func fixturesAgreeBetweenPathsAndRoundTrip() throws {
        for name in ["gpt2-style.tokenizer.json", "llama-style.tokenizer.json", "deepseek-style.tokenizer.json"] {
            let tokenizer = try Tokenizer(contentsOf: TestData.fixture("tokenizers/\(name)"))
            var rng = SeededGenerator(seed: 7)
            for _ in 0..<100 {
                let text = randomText(&rng)
                let encoding = try tokenizer.encode(text, addSpecialTokens: false)
                #expect(try tokenizer.encodeIDs(text, addSpecialTokens: false) == encoding.ids, "\(name) \(text.debugDescription)")
                let length = text.unicodeScalars.count
                for range in encoding.offsets { #expect(range.lowerBound >= 0 && range.upperBound <= length) }
            }
        }
        // Byte-level BPE without normalization is lossless (the GPT-2 style adds a leading space).
        let llama = try Tokenizer(contentsOf: TestData.fixture("tokenizers/llama-style.tokenizer.json"))
        var rng = SeededGenerator(seed: 9)
        for _ in 0..<200 {
            let text = randomText(&rng)
            guard !text.contains("word"), !text.contains("<tool>") else { continue }
            #expect(try llama.decode(llama.encodeIDs(text, addSpecialTokens: false)) == text, "\(text.debugDescription)")
        }
    }
}
