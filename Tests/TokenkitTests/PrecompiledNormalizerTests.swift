import Foundation
import Testing
@testable import Tokenkit

/// tokenizer.json's `Precompiled` normalizer against `tokenizers`.
@Suite struct PrecompiledNormalizerTests {
    /// Hand-written rules compiled by sentencepiece, a one-character Unigram vocabulary and a
    /// Split pre-tokenizer: ids, tokens, offsets (alignment quirks included) and normalized text.
    static let fixtureNames = ["precompiled-rules.tokenizer.json", "precompiled-rules-split.tokenizer.json"]

    @Test(arguments: fixtureNames)
    func fixture(_ name: String) throws {
        let tokenizer = try Tokenizer(contentsOf: TestData.fixture("sentencepiece/\(name)"))
        let path = TestData.fixture("sentencepiece/\(name).cases.jsonl")
        let cases = try ReferenceCase.load(path)
        let problems = mismatches(of: tokenizer, against: cases)
        #expect(problems.isEmpty, Comment(rawValue: "\(name):\n" + problems.joined(separator: "\n")))
        // The normalized text itself.
        let lines = String(decoding: FileManager.default.contents(atPath: path)!, as: UTF8.self).split(separator: "\n")
        var wrong: [String] = []
        for line in lines {
            let root = try JSONDocument(bytes: Array(line.utf8)).root
            let text = root["text"]!.string!
            let expected = root["normalized"]?.string ?? text
            var normalized = NormalizedString(text)
            tokenizer.normalizer?.normalize(&normalized)
            if normalized.normalizedString != expected { wrong.append("\(text.debugDescription): \(normalized.normalizedString.debugDescription)") }
        }
        #expect(wrong.isEmpty, Comment(rawValue: wrong.prefix(10).joined(separator: "\n")))
    }

    /// The nmt_nfkc charsmap of a trained model, applied tokenizers' way.
    @Test func nmtCharsMapFromModel() throws {
        let model = try Tokenizer(contentsOf: TestData.fixture("sentencepiece/unigram-nmt.tokenizer.json"))
        guard case let .sequence(s)? = model.normalizer, case let .precompiled(p)? = s.normalizers.first else {
            Issue.record("expected Sequence[Precompiled]")
            return
        }
        #expect(p.charsMap != nil)
        var text = NormalizedString("ﬁ Ｈｅｌｌｏ\u{200B}！")
        p.normalize(&text)
        #expect(text.normalizedString == "fi Hello !")  // nmt_nfkc turns U+200B into a space, as tokenizers shows
    }

    /// The shared unigram8k.tokenizer.json carries the same charsmap as unigram8k.model.
    @Test func sharedCharsMapMatchesTheModel() throws {
        guard let shared = TestData.shared else { return }
        let json = [UInt8](FileManager.default.contents(atPath: shared.appendingPathComponent("tokenizers/unigram8k.tokenizer.json").path)!)
        let document = try JSONDocument(bytes: json)
        let reader = TokenizerJSONReader(file: "unigram8k.tokenizer.json")
        let normalizer = try reader.readNormalizer(document.root["normalizer"]!["normalizers"]![0]!, "normalizer.normalizers[0]")
        let model = try Tokenizer(contentsOf: shared.appendingPathComponent("tokenizers/unigram8k.model").path)
        guard case let .precompiled(p) = normalizer, case let .sentencePiece(n)? = model.normalizer else {
            Issue.record("expected Precompiled and SentencePiece normalizers")
            return
        }
        #expect(p.charsMap?.blob == n.charsMap?.blob)
        #expect(p.charsMap?.blob.count == 240_007)
    }

    @Test func emptyCharsMapChangesNothing() throws {
        for charsmap in [#""""#, "null"] {
            let json = #"{"version": "1.0", "normalizer": {"type": "Precompiled", "precompiled_charsmap": \#(charsmap)}, "model": {"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0], ["a", -1.0]]}}"#
            let tokenizer = try Tokenizer.load(Array(json.utf8), format: .tokenizerJSON)
            #expect(try tokenizer.encode("ＡaＡ").tokens == ["Ａ", "a", "Ａ"])
            #expect(tokenizer.normalizer?.description == "Precompiled(0 bytes)")
        }
    }

    @Test func malformedCharsMaps() {
        func error(_ charsmap: String) -> TokenizerLoadingError? {
            let json = #"{"version": "1.0", "normalizer": {"type": "Precompiled", "precompiled_charsmap": \#(charsmap)}, "model": {"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0]]}}"#
            do {
                _ = try Tokenizer.load(Array(json.utf8), format: .tokenizerJSON, name: "p.json")
                return nil
            } catch { return error }
        }
        #expect(error(#""not base64!""#)?.description.contains("field normalizer.precompiled_charsmap: invalid base64") == true)
        #expect(error("12")?.description.contains("expected a base64 string") == true)
        // "AQ==" is one byte: too short for the trie size.
        #expect(error(#""AQ==""#)?.description.contains("normalizer.precompiled_charsmap: cannot parse") == true)
        // A trie size of 16 bytes with only 4 following.
        #expect(error(#""EAAAAAAAAAA=""#)?.kind == .malformed)
    }

    /// Tokenkit takes grapheme clusters from Swift; `tokenizers` from the unicode-segmentation
    /// crate. Only clusters of several scalars shorter than 6 bytes are treated differently from
    /// their scalars, so the two must agree on which scalars join a letter ("a" + X), join the
    /// letter after them (X + "a", Prepend) and refuse a following mark (X + U+0301, controls).
    /// The probe was recorded from tokenizers for every scalar.
    @Test func graphemesAgreeWithTokenizers() throws {
        let data = FileManager.default.contents(atPath: TestData.fixture("sentencepiece/grapheme-probe.json"))!
        let root = try JSONDocument(bytes: [UInt8](data)).root
        func set(_ key: String) -> Set<UInt32> {
            var s = Set<UInt32>()
            for r in root[key]!.elements { for c in r[0]!.int!...r[1]!.int! { s.insert(UInt32(c)) } }
            return s
        }
        let joinedAfterA = set("joined_after_a"), joinsFollowing = set("joins_following_a"), breaks = set("breaks_before_u0301")
        var disagreements: [String] = []
        for c in UInt32(1)..<0x110000 where !(0xD800..<0xE000).contains(c) {
            let x = String(Unicode.Scalar(c)!)
            if (("a" + x).count == 1) != joinedAfterA.contains(c) { disagreements.append("a+\(String(c, radix: 16))") }
            if ((x + "a").count == 1) != joinsFollowing.contains(c) { disagreements.append("\(String(c, radix: 16))+a") }
            if c < 0x10000 && c != 0x23 && ((x + "\u{301}").count == 2) != breaks.contains(c) {
                disagreements.append("\(String(c, radix: 16))+301")
            }
            if disagreements.count > 20 { break }
        }
        #expect(disagreements.isEmpty, Comment(rawValue: disagreements.joined(separator: ", ")))
    }
}
