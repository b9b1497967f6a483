import Foundation
import Testing
@testable import Tokenkit

@Suite struct RegexTests {
    func spans(_ pattern: String, _ text: String, _ dialect: RegexDialect = .oniguruma) throws -> [String] {
        let regex = try UnicodeRegex(pattern, dialect: dialect)
        let bytes = Array(text.utf8)
        return regex.matches(in: text).map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    /// Match spans of Oniguruma recorded through `tokenizers` (scripts/generate_fixtures.py).
    @Test func onigurumaReferenceSpans() throws {
        let path = TestData.fixture("regex-cases.jsonl")
        let lines = String(decoding: FileManager.default.contents(atPath: path)!, as: UTF8.self).split(separator: "\n")
        var compiled: [String: UnicodeRegex] = [:]
        var failures: [String] = []
        for line in lines {
            let root = try JSONDocument(string: String(line)).root
            let pattern = root["pattern"]!.string!
            let text = root["text"]!.string!
            let expected = root["spans"]!.elements.map { $0.elements.map { $0.int! } }
            if compiled[pattern] == nil { compiled[pattern] = try UnicodeRegex(pattern, dialect: .oniguruma) }
            let got = compiled[pattern]!.matches(in: text).filter { !$0.isEmpty }.map { [$0.lowerBound, $0.upperBound] }
            if got != expected && failures.count < 10 {
                failures.append("\(pattern) on \(text.debugDescription): expected \(expected), got \(got)")
            }
        }
        #expect(lines.count > 1000)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test func intervalFollowedByPlusDiffersBetweenDialects() throws {
        // Oniguruma (Ruby syntax): `{1,3}+` is "one or more of {1,3}"; fancy-regex: possessive {1,3}.
        #expect(try spans(#"\p{N}{1,3}+"#, "1234567", .oniguruma) == ["1234567"])
        #expect(try spans(#"\p{N}{1,3}+"#, "1234567", .fancyRegex) == ["123", "456", "7"])
    }

    @Test func dollarIsEndOfLineOnlyInOniguruma() throws {
        #expect(try spans(#"a$"#, "a\na", .oniguruma) == ["a", "a"])
        #expect(try spans(#"a$"#, "a\na", .fancyRegex) == ["a"])
        #expect(try spans(#"(?m)a$"#, "a\na", .fancyRegex) == ["a", "a"])
    }

    @Test func lookaheadAndPossessive() throws {
        #expect(try spans(#"\s+(?!\S)|\s+"#, "a   b") == ["  ", " "])
        #expect(try spans(#"a++a"#, "aaaa", .fancyRegex) == [])
        #expect(try spans(#"(?>a+)b|a"#, "aab") == ["aab"])
        #expect(try spans(#"(?<=x)\d"#, "x1y2x3") == ["1", "3"])
        #expect(try spans(#"(?<!x)\d"#, "x1y2x3") == ["2"])
    }

    @Test func caseInsensitiveGroupsUseUnicodeSimpleFolding() throws {
        let contractions = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)"#
        #expect(try spans(contractions, "I'M YOU'RE he'S") == ["'M", "'RE", "'S"])
        // U+017F LATIN SMALL LETTER LONG S folds to 's'.
        #expect(try spans(contractions, "it'\u{17F}") == ["'\u{17F}"])
        #expect(try spans(#"(?i)k"#, "k K \u{212A}", .fancyRegex) == ["k", "K", "\u{212A}"])
    }

    @Test func lazyQuantifiers() throws {
        #expect(try spans(#"a{2,}?"#, "aaaaa") == ["aa", "aa"])
        #expect(try spans(#"<.+?>"#, "<a><b>") == ["<a>", "<b>"])
        #expect(try spans(#"\d+?x"#, "123x") == ["123x"])
    }

    @Test func characterClasses() throws {
        #expect(try spans(#"[\p{L}&&[^a-z]]+"#, "abcÉÈdef") == ["ÉÈ"])
        #expect(try spans(#"[[:alpha:]]+"#, "héllo wörld", .fancyRegex) == ["h", "llo", "w", "rld"])
        #expect(try spans(#"[[:alpha:]]+"#, "héllo wörld", .oniguruma) == ["héllo", "wörld"])
        #expect(try spans(#"\h+"#, "0xFFg", .oniguruma) == ["0", "FF"])
        #expect(try spans(#"[^\s\p{L}\p{N}]+"#, "a, b!! c") == [",", "!!"])
        #expect(try spans(#"\p{Han}+"#, "中文abc日本") == ["中文", "日本"])
        #expect(try spans(#"\p{^N}+"#, "ab12cd") == ["ab", "cd"])
    }

    @Test func emptyMatchesAdvanceOneScalar() throws {
        let regex = try UnicodeRegex("x*", dialect: .oniguruma)
        #expect(regex.matches(in: "aé") == [0..<0, 1..<1, 3..<3])
        let fancy = try UnicodeRegex("x*", dialect: .fancyRegex)
        #expect(fancy.matches(in: "xa") == [0..<1, 2..<2])
    }

    @Test func invalidPatternsAreReported() {
        for pattern in ["(", "a)", "[a", "*a", "a{2,1}", #"\p{NoSuchProperty}"#, "(?z)"] {
            #expect(throws: RegexError.self, "pattern \(pattern)") { try UnicodeRegex(pattern, dialect: .oniguruma) }
        }
        do {
            _ = try UnicodeRegex(#"(a)\1"#, dialect: .oniguruma)
            Issue.record("back-references should be reported as unsupported")
        } catch {
            #expect(error.kind == .unsupportedFeature)
        }
        do {
            _ = try UnicodeRegex(#"\q"#, dialect: .fancyRegex)
            Issue.record("unknown escapes are errors in fancy-regex")
        } catch {
            #expect(error.kind == .invalidPattern)
        }
    }
}
