import Foundation
import Testing
@testable import Tokenkit

/// Loads a fixture of Tests/TokenkitTests/Fixtures/unicode (written by
/// scripts/generate_unicode_fixtures.py from tokenizers 0.23.3 / tiktoken 0.14).
func loadUnicodeFixture(_ name: String) throws -> [String: Any] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/unicode/\(name)")
    let data = try Data(contentsOf: url)
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}

func unicodeInts(_ any: Any?) -> [Int] {
    (any as? [Any])?.map { ($0 as! NSNumber).intValue } ?? []
}

/// tokenizers' `transform` rule: offsets (in chars of the original) of each normalized char.
func unicodeOffsets(fromChanges changes: [Int]) -> [Int] {
    var cursor = 0
    var out: [Int] = []
    for change in changes {
        if change <= 0 {
            out += [cursor, cursor + 1]
            cursor += 1 - change
        } else if cursor > 0 {
            out += [cursor - 1, cursor]
        } else {
            out += [0, 0]
        }
    }
    return out
}

@Suite("Unicode normalization (tokenizers-compatible)")
struct UnicodeNormalizationTests {
    static let forms: [(String, UnicodeNormalizationForm)] = [("nfc", .nfc), ("nfd", .nfd), ("nfkc", .nfkc), ("nfkd", .nfkd)]

    @Test("fixture: exact scalars and offsets for all four forms")
    func fixture() throws {
        let root = try loadUnicodeFixture("normalization.json")
        let cases = try #require(root["cases"] as? [[String: Any]])
        #expect(cases.count > 5000)
        var failures = 0
        for c in cases {
            let input = unicodeInts(c["input"]).map { UInt32($0) }
            for (key, form) in Self.forms {
                let expected = try #require(c[key] as? [String: Any])
                let expectedOut = unicodeInts(expected["output"]).map { UInt32($0) }
                let expectedOffsets = unicodeInts(expected["offsets"])
                var out: [(scalar: UInt32, change: Int)] = []
                input.withUnsafeBufferPointer { UnicodeNormalization.normalize($0, form: form, into: &out) }
                let scalars = out.map(\.scalar)
                let offsets = unicodeOffsets(fromChanges: out.map(\.change))
                if scalars != expectedOut || offsets != expectedOffsets {
                    failures += 1
                    if failures <= 10 {
                        Issue.record("\(key) \(input.map { String($0, radix: 16) }): got \(scalars.map { String($0, radix: 16) }) \(offsets), expected \(expectedOut.map { String($0, radix: 16) }) \(expectedOffsets)")
                    }
                }
                // the quick check must never claim "normalized" for text that changes
                if UnicodeNormalization.isCertainlyNormalized(scalars: input, form: form) {
                    #expect(scalars == input && out.allSatisfy { $0.change == 0 })
                }
            }
        }
        #expect(failures == 0)
    }

    /// `normalizedUTF8` normalizes only the stretches that may change; on the fixture's inputs,
    /// joined in random groups with ASCII between, it must agree with normalizing everything.
    @Test("normalized UTF-8 by stretches agrees with whole-text normalization")
    func normalizedUTF8ByStretches() throws {
        let root = try loadUnicodeFixture("normalization.json")
        let inputs = try #require(root["cases"] as? [[String: Any]]).map { unicodeInts($0["input"]).map { UInt32($0) } }
        var rng = SeededGenerator(seed: 3)
        var start = 0
        while start < inputs.count {
            let end = min(inputs.count, start + Int.random(in: 1...6, using: &rng))
            var scalars: [UInt32] = []
            for input in inputs[start..<end] {
                scalars += input.filter { !(0xD800...0xDFFF).contains($0) }
                scalars += Array(["", "a", " ", "e"].randomElement(using: &rng)!.unicodeScalars.map(\.value))
            }
            start = end
            var utf8: [UInt8] = []
            for s in scalars { UTF8.encode(Unicode.Scalar(s)!) { utf8.append($0) } }
            for (key, form) in Self.forms {
                var expected: [UInt8] = []
                for s in UnicodeNormalization.normalized(scalars, form: form) { UTF8.encode(Unicode.Scalar(s)!) { expected.append($0) } }
                let actual = utf8.withUnsafeBufferPointer { UnicodeNormalization.normalizedUTF8($0, form: form) }
                #expect(actual == expected, "\(key) \(scalars.map { String($0, radix: 16) })")
            }
        }
    }

    @Test("spot checks of the crate's (old) Unicode version")
    func spotChecks() {
        func n(_ s: [UInt32], _ f: UnicodeNormalizationForm) -> [UInt32] { UnicodeNormalization.normalized(s, form: f) }
        #expect(n([0x65, 0x301], .nfc) == [0xE9])
        #expect(n([0xE9], .nfd) == [0x65, 0x301])
        #expect(n([0xFB01], .nfkc) == [0x66, 0x69])
        #expect(n([0xFB01], .nfc) == [0xFB01])
        #expect(n([0xAC00, 0x11A8], .nfc) == [0xAC01])
        #expect(n([0xAC01], .nfd) == [0x1100, 0x1161, 0x11A8])
        #expect(n([0xAC00, 0x11A7], .nfc) == [0xAC00, 0x11A7])
        // unknown to the crate's Unicode version (Python 3.11 would change these)
        #expect(n([0xA7F2], .nfkd) == [0xA7F2])
        #expect(n([0x32FF], .nfkc) == [0x32FF])
        #expect(n([0x11938], .nfd) == [0x11938])
        #expect(UnicodeNormalization.canonicalCombiningClass(0x1DFA) == 0)
        #expect(UnicodeNormalization.canonicalCombiningClass(0x0301) == 230)
        #expect(UnicodeNormalization.canonicalCombiningClass(0x0334) == 1)
        #expect(UnicodeNormalization.canonicalCombiningClass(0x0345) == 240)
        #expect(UnicodeNormalization.canonicalCombiningClass(0x0323) == 220)
        #expect(UnicodeNormalization.canonicalCombiningClass(0x41) == 0)
        // reordering + changes travel with their scalar
        var out: [(scalar: UInt32, change: Int)] = []
        UnicodeNormalization.normalize([0x78, 0x323, 0x307, 0x301] as [UInt32], form: .nfkc, into: &out)
        #expect(out.map(\.scalar) == [0x1E8B, 0x323, 0x301])
        #expect(out.map(\.change) == [-1, 0, 0])
        out.removeAll()
        UnicodeNormalization.normalize([0x61, 0xFB03] as [UInt32], form: .nfkd, into: &out)
        #expect(out.map(\.change) == [0, 0, 1, 1])
    }

    @Test("quick check")
    func quickCheck() {
        func qc(_ s: String, _ f: UnicodeNormalizationForm) -> Bool {
            var u = Array(s.utf8)
            return u.withUnsafeMutableBufferPointer { UnicodeNormalization.isCertainlyNormalized(UnsafeBufferPointer($0), form: f) }
        }
        for f in UnicodeNormalizationForm.allCases {
            #expect(qc("hello, world!\n", f))
            #expect(qc("", f))
            #expect(qc("日本語", f))
            #expect(!qc("e\u{301}", f))
        }
        #expect(qc("é", .nfc))
        #expect(!qc("é", .nfd))
        #expect(qc("ﬁ", .nfc))
        #expect(!qc("ﬁ", .nfkc))
        #expect(!qc("\u{1161}", .nfc))  // Hangul V jamo can compose with a preceding L
        #expect(qc("\u{1161}", .nfd))
        let invalid: [UInt8] = [0x61, 0xC3]
        #expect(!invalid.withUnsafeBufferPointer { UnicodeNormalization.isCertainlyNormalized($0, form: .nfc) })
    }

    /// The quick check skips ASCII in blocks of 32 and 8 bytes: a scalar that may change is found
    /// wherever it falls among them, and so is a truncated sequence at the very end.
    @Test("quick check finds a changing scalar anywhere in long ASCII text")
    func quickCheckInLongASCII() {
        func qc(_ bytes: [UInt8], _ f: UnicodeNormalizationForm) -> Bool {
            bytes.withUnsafeBufferPointer { UnicodeNormalization.isCertainlyNormalized($0, form: f) }
        }
        let combining = Array("e\u{301}".utf8), stable = Array("日".utf8)
        for before in 0..<80 {
            for after in [0, 1, 7, 8, 9, 31, 32, 33, 70] {
                let head = [UInt8](repeating: 0x61, count: before), tail = [UInt8](repeating: 0x62, count: after)
                for f in UnicodeNormalizationForm.allCases {
                    #expect(qc(head + tail, f))
                    #expect(qc(head + stable + tail, f))
                    #expect(!qc(head + combining + tail, f), "\(before) \(after) \(f)")
                    #expect(!qc(head + stable + tail + [0xC3], f), "\(before) \(after) \(f)")
                }
            }
        }
    }
}
