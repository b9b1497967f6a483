import Foundation
import Testing
@testable import Tokenkit

@Suite("Unicode regex properties and tokenizers character predicates")
struct UnicodePropertiesTests {
    static let flavors: [(String, RegexUnicodeFlavor)] = [("oniguruma", .oniguruma), ("rustRegex", .rustRegex)]

    @Test("general categories partition the code space")
    func partition() {
        var union = UnicodeScalarRanges.empty
        var total = 0
        for c in UnicodeGeneralCategory.allCases {
            let r = UnicodeProperties.ranges(for: c)
            #expect(union.intersection(r).isEmpty)
            union = union.union(r)
            total += r.count
        }
        #expect(union == .all)
        #expect(total == 0x110000)
        // the O(1) table agrees with the range sets
        for s in stride(from: UInt32(0), through: 0x10FFFF, by: 7) {
            let c = UnicodeGeneralCategory(s)
            #expect(UnicodeProperties.ranges(for: c).contains(s))
        }
    }

    @Test("spot checks (verified against both engines)")
    func spotChecks() {
        #expect(UnicodeGeneralCategory(0x41) == .uppercaseLetter)
        #expect(UnicodeGeneralCategory(0x1C89) == .uppercaseLetter)   // Unicode 16
        #expect(UnicodeGeneralCategory(0x1C8A) == .lowercaseLetter)
        #expect(UnicodeGeneralCategory(0x20) == .spaceSeparator)
        #expect(UnicodeGeneralCategory(0xD800) == .surrogate)
        #expect(UnicodeGeneralCategory(0xE000) == .privateUse)
        #expect(UnicodeGeneralCategory(0x0378) == .unassigned)
        #expect(UnicodeGeneralCategory(0x110000) == .unassigned)
        #expect(UnicodeGeneralCategory(0x1F600) == .otherSymbol)
        #expect(UnicodeGeneralCategory(0x0301) == .nonspacingMark)
        for (_, f) in Self.flavors {
            let latin = UnicodeProperties.ranges(forProperty: "Latin", flavor: f)!
            #expect(latin.contains(0x41) && latin.contains(0xE9) && !latin.contains(0x391))
            #expect(UnicodeProperties.ranges(forProperty: "Latn", flavor: f) == latin)
            #expect(UnicodeProperties.ranges(forProperty: "sc=latin", flavor: f) == latin)
            #expect(UnicodeProperties.ranges(forProperty: "Script=Latin", flavor: f) == latin)
            #expect(UnicodeProperties.ranges(forProperty: "Han", flavor: f)!.contains(0x4E00))
            #expect(UnicodeProperties.ranges(forProperty: "Hiragana", flavor: f)!.contains(0x3042))
            #expect(UnicodeProperties.ranges(forProperty: "Common", flavor: f)!.contains(0x30FC))
            #expect(UnicodeProperties.ranges(forProperty: "Garay", flavor: f)!.contains(0x10D50))
            #expect(UnicodeProperties.ranges(forProperty: "Katakana_Or_Hiragana", flavor: f) == nil)
            #expect(UnicodeProperties.ranges(forProperty: "NoSuchThing", flavor: f) == nil)
            #expect(UnicodeProperties.ranges(forProperty: "gc=Latin", flavor: f) == nil)
            let lu = UnicodeProperties.ranges(for: .uppercaseLetter)
            #expect(UnicodeProperties.ranges(forProperty: "Lu", flavor: f) == lu)
            #expect(UnicodeProperties.ranges(forProperty: "uppercase letter", flavor: f) == lu)
            #expect(UnicodeProperties.ranges(forProperty: "gc=Uppercase_Letter", flavor: f) == lu)
            #expect(UnicodeProperties.ranges(forProperty: "General_Category=Lu", flavor: f) == lu)
            let letters = UnicodeProperties.ranges(forProperty: "L", flavor: f)!
            #expect(letters == UnicodeProperties.ranges(forProperty: "Letter", flavor: f))
            #expect(letters.contains(0x4E00) && !letters.contains(0x31))
            #expect(UnicodeProperties.ranges(forProperty: "L&", flavor: f) == UnicodeProperties.ranges(forProperty: "LC", flavor: f))
            #expect(UnicodeProperties.ranges(forProperty: "Any", flavor: f) == .all)
            #expect(UnicodeProperties.ranges(forProperty: "ASCII", flavor: f)!.bounds == [0, 0x7F])
            #expect(UnicodeProperties.ranges(forProperty: "Assigned", flavor: f)!.contains(0x41))
            #expect(!UnicodeProperties.ranges(forProperty: "Assigned", flavor: f)!.contains(0x378))
            #expect(UnicodeProperties.ranges(forProperty: "Alpha", flavor: f) == UnicodeProperties.ranges(forProperty: "Alphabetic", flavor: f))
            #expect(UnicodeProperties.ranges(forProperty: "Upper", flavor: f)!.contains(0x2160))  // Other_Uppercase
            #expect(UnicodeProperties.ranges(forProperty: "Lower", flavor: f)!.contains(0xAA))
            let ws = UnicodeProperties.whiteSpace(flavor: f)
            #expect(UnicodeProperties.ranges(forProperty: "White-Space", flavor: f) == ws)
            #expect(ws.count == 25)
            #expect(UnicodeProperties.digits(flavor: f) == UnicodeProperties.ranges(for: .decimalNumber))
            #expect(UnicodeProperties.caseEquivalents(of: 0x73, flavor: f) == [0x53, 0x17F])
            #expect(UnicodeProperties.caseEquivalents(of: 0x6B, flavor: f) == [0x4B, 0x212A])
            #expect(UnicodeProperties.caseEquivalents(of: 0x212A, flavor: f) == [0x4B, 0x6B])
            #expect(UnicodeProperties.caseEquivalents(of: 0x3C3, flavor: f) == [0x3A3, 0x3C2])
            #expect(UnicodeProperties.caseEquivalents(of: 0xDF, flavor: f) == [0x1E9E])
            #expect(UnicodeProperties.caseEquivalents(of: 0x69, flavor: f) == [0x49])  // not U+0130/U+0131
            #expect(UnicodeProperties.caseEquivalents(of: 0x31, flavor: f) == [])
            #expect(UnicodeProperties.caseEquivalents(of: 0x1C89, flavor: f) == [0x1C8A])
        }
        // \w differs between the engines
        let wo = UnicodeProperties.wordCharacters(flavor: .oniguruma)
        let wr = UnicodeProperties.wordCharacters(flavor: .rustRegex)
        #expect(wo.contains(0xB2) && !wr.contains(0xB2))
        #expect(!wo.contains(0x200D) && wr.contains(0x200D))
        #expect(wo.contains(0x5F) && wr.contains(0x5F))
        #expect(UnicodeProperties.ranges(forProperty: "Unknown", flavor: .oniguruma)!.contains(0x378))
        #expect(UnicodeProperties.ranges(forProperty: "Unknown", flavor: .rustRegex) == nil)
        // fast white space == table
        let ws = UnicodeProperties.whiteSpace(flavor: .oniguruma)
        for s in UInt32(0)...0x10FFFF {
            if UnicodeProperties.isWhiteSpace(s) != ws.contains(s) {
                Issue.record("isWhiteSpace mismatch at \(String(s, radix: 16))")
                break
            }
        }
    }

    @Test("UnicodeScalarRanges set algebra")
    func rangesAlgebra() {
        let a = UnicodeScalarRanges(ranges: [5...10, 0...2, 3...3, 20...30, 9...12])
        #expect(a.bounds == [0, 3, 5, 12, 20, 30])
        #expect(a.contains(0) && a.contains(3) && !a.contains(4) && a.contains(12) && !a.contains(13) && a.contains(30) && !a.contains(31))
        let b = UnicodeScalarRanges(ranges: [4...4, 11...25])
        #expect(a.union(b).bounds == [0, 30])
        #expect(a.intersection(b).bounds == [11, 12, 20, 25])
        #expect(a.subtracting(b).bounds == [0, 3, 5, 10, 26, 30])
        #expect(a.inverted().bounds == [4, 4, 13, 19, 31, 0x10FFFF])
        #expect(a.inverted().inverted() == a)
        #expect(UnicodeScalarRanges.all.inverted() == .empty)
        #expect(UnicodeScalarRanges.empty.inverted() == .all)
        #expect(a.count == 4 + 8 + 11)
    }

    @Test("fixture: categories, scripts, \\s \\w \\d, case equivalents, tokenizers predicates")
    func fixture() throws {
        let root = try loadUnicodeFixture("properties.json")
        let sample = unicodeInts(root["sample"]).map { UInt32($0) }
        #expect(sample.count > 2500)
        let flavors = try #require(root["flavors"] as? [String: [String: Any]])
        for (name, f) in Self.flavors {
            let d = try #require(flavors[name])
            let gcs = try #require(d["generalCategory"] as? [String])
            let scripts = try #require(d["script"] as? [String])
            for (i, s) in sample.enumerated() {
                #expect(UnicodeGeneralCategory(s).shortName == gcs[i], "gc of \(String(s, radix: 16)) [\(name)]")
                if scripts[i].isEmpty {
                    #expect(f == .rustRegex)  // only \p{Unknown} is rejected (rust flavor)
                } else {
                    let r = try #require(UnicodeProperties.ranges(forProperty: scripts[i], flavor: f))
                    #expect(r.contains(s), "script of \(String(s, radix: 16)) [\(name)]")
                }
            }
            for (key, set) in [("s", UnicodeProperties.whiteSpace(flavor: f)), ("w", UnicodeProperties.wordCharacters(flavor: f)),
                               ("d", UnicodeProperties.digits(flavor: f))] {
                let expected = Set(unicodeInts(d[key]).map { UInt32($0) })
                for s in sample where set.contains(s) != expected.contains(s) {
                    Issue.record("\\\(key) membership of \(String(s, radix: 16)) [\(name)]")
                }
            }
        }
        let caseEq = try #require(root["caseEquivalents"] as? [String: [String: Any]])
        for (name, f) in Self.flavors {
            for (k, v) in try #require(caseEq[name]) {
                let s = UInt32(k)!
                #expect(UnicodeProperties.caseEquivalents(of: s, flavor: f) == unicodeInts(v).map { UInt32($0) },
                        "(?i) \(k) [\(name)]")
            }
        }
        let t = try #require(root["tokenizers"] as? [String: Any])
        let checks: [(String, (UInt32) -> Bool)] = [
            ("whitespace", TokenizersCharacterProperties.isRustWhitespace),
            ("combiningMark", TokenizersCharacterProperties.isCombiningMark),
            ("bertControl", TokenizersCharacterProperties.isBertControl),
            ("punctuation", TokenizersCharacterProperties.isPunctuation),
            ("numeric", TokenizersCharacterProperties.isRustNumeric),
        ]
        for (key, pred) in checks {
            let expected = Set(unicodeInts(t[key]).map { UInt32($0) })
            for s in sample where pred(s) != expected.contains(s) {
                Issue.record("\(key) of \(String(s, radix: 16))")
            }
        }
        let stable = unicodeInts(t["nfdStable"]).map { UInt32($0) }
        let nonspacing = Set(unicodeInts(t["nonspacingMark"]).map { UInt32($0) })
        #expect(stable.count > 2000)
        for s in stable where TokenizersCharacterProperties.isNonspacingMark(s) != nonspacing.contains(s) {
            Issue.record("nonspacingMark of \(String(s, radix: 16))")
        }
        for (key, fn) in [("lowercase", TokenizersCharacterProperties.rustLowercase), ("uppercase", TokenizersCharacterProperties.rustUppercase)] {
            let m = try #require(t[key] as? [String: Any])
            for s in sample where s != 1 {
                let expected = m[String(s)].map { unicodeInts($0).map { UInt32($0) } } ?? [s]
                #expect(Array(fn(s)) == expected, "\(key) of \(String(s, radix: 16))")
            }
        }
        // UnicodeScripts pre-tokenizer pieces reproduced from tokenizersScriptID
        let us = try #require(t["unicodeScripts"] as? [[String: Any]])
        for c in us {
            let input = unicodeInts(c["input"]).map { UInt32($0) }
            let expected = (c["pieces"] as! [Any]).map { unicodeInts($0) }
            #expect(Self.unicodeScriptsPieces(input) == expected)
        }
    }

    /// tokenizers' UnicodeScripts split rule, on char offsets.
    static func unicodeScriptsPieces(_ s: [UInt32]) -> [[Int]] {
        var starts: [Int] = []
        var last: UInt16? = nil
        for (i, c) in s.enumerated() {
            let id = TokenizersCharacterProperties.tokenizersScriptID(c)
            if id != 0 && last != id { starts.append(i) }
            if id != 0 { last = id }
        }
        starts.append(s.count)
        var pieces: [[Int]] = []
        for (a, b) in zip(starts, starts.dropFirst()) where b > a {
            pieces.append([a, b])
        }
        return pieces
    }

    @Test("tokenizers predicates spot checks")
    func tokenizersSpotChecks() {
        typealias P = TokenizersCharacterProperties
        #expect(P.isRustWhitespace(0x20) && P.isRustWhitespace(0x3000) && !P.isRustWhitespace(0x200B))
        #expect(P.isBertWhitespace(0x09) && P.isBertWhitespace(0x20) && P.isBertWhitespace(0xA0))
        #expect(P.isBertControl(0x00) && P.isBertControl(0xFFFD) && P.isBertControl(0x200B) && !P.isBertControl(0x0A))
        #expect(P.isPunctuation(0x24) && P.isPunctuation(0x21) && P.isPunctuation(0x3001) && !P.isPunctuation(0x41))
        #expect(P.isNonspacingMark(0x301) && !P.isNonspacingMark(0x41) && !P.isNonspacingMark(0x903))
        #expect(P.isCombiningMark(0x301) && P.isCombiningMark(0x903) && !P.isCombiningMark(0x41))
        #expect(!P.isCombiningMark(0x1DFA))  // unknown to the crate's Unicode version
        #expect(!P.isBertControl(0x378) && P.isBertControl(0xE000) && P.isBertControl(0x0B))
        #expect(!P.isBertWhitespace(0x0B) && P.isBertWhitespace(0x0A))
        #expect(P.isChineseCharacter(0x4E00) && !P.isChineseCharacter(0x3042))
        #expect(P.isRustNumeric(0x31) && P.isRustNumeric(0xBD) && P.isRustNumeric(0x2160) && !P.isRustNumeric(0x41))
        #expect(P.isRustAlphanumeric(0x41) && P.isRustAlphanumeric(0x31) && !P.isRustAlphanumeric(0x21))
        #expect(Array(P.rustLowercase(0x130)) == [0x69, 0x307])
        #expect(Array(P.rustLowercase(0x41)) == [0x61])
        #expect(Array(P.rustLowercase(0x1C89)) == [0x1C8A])
        #expect(Array(P.rustUppercase(0xDF)) == [0x53, 0x53])
        #expect(Array(P.rustUppercase(0x390)) == [0x399, 0x308, 0x301])
        let han = P.tokenizersScriptID(0x4E00)
        #expect(han != 0 && P.tokenizersScriptID(0x3042) == han && P.tokenizersScriptID(0x30A2) == han && P.tokenizersScriptID(0x30FC) == han)
        #expect(P.tokenizersScriptID(0x20) == 0)
        #expect(P.tokenizersScriptID(0x41) != P.tokenizersScriptID(0x21))
        #expect(P.tokenizersScriptID(0x41) == P.tokenizersScriptID(0x7A))
    }
}
