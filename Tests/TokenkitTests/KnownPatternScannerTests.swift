import Testing
@testable import Tokenkit

/// The hand-written scanners give exactly the regex engine's matches.
@Suite struct KnownPatternScannerTests {
    static let patterns: [(String, RegexDialect)] = {
        var list: [(String, RegexDialect)] = []
        let known: [String] = [
            ByteLevelPreTokenizer.gpt2Pattern, TiktokenEncodings.r50kPattern, TiktokenEncodings.cl100kPattern,
            TiktokenEncodings.cl100kPattern + "+", TiktokenEncodings.o200kPattern,
            #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#,
            #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#,
        ]
        for pattern in known {
            for dialect in [RegexDialect.oniguruma, .fancyRegex] { list.append((pattern, dialect)) }
        }
        return list
    }()

    @Test func everyKnownPatternHasAScanner() throws {
        for (pattern, dialect) in Self.patterns {
            #expect(try UnicodeRegex(pattern, dialect: dialect).scanner != nil, "\(pattern)")
        }
        #expect(try UnicodeRegex(#"\w+|\s+"#, dialect: .oniguruma).scanner == nil)
    }

    /// Text made of the characters that exercise each rule: apostrophes and contractions,
    /// ſ, mixed case, marks, digits of several scripts, CR/LF, slashes, Unicode spaces.
    func trickyText(_ rng: inout SeededGenerator) -> String {
        let atoms = ["'", "'s", "'S", "'ſ", "'ll", "'LL", "'re", "'Ve", "'d", "'m", "'t", "'x", "a", "Z", "é", "É", "ǅ", "ʰ",
                     "中", "\u{301}", "\u{93F}", "\u{94D}", "1", "٣", "²", "Ⅻ", "½", " ", "  ", "\t", "\n", "\r\n", "\r",
                     "\u{3000}", "\u{A0}", "\u{2028}", "\u{B}", "/", "//", "!", "?!", ".", "-", "😀", "$", "+", "_",
                     "hello", "World", "HELLO", "camelCase", "x2", "ĳ", "ǆ"]
        var text = ""
        for _ in 0..<Int.random(in: 0...25, using: &rng) { text += atoms.randomElement(using: &rng)! }
        return text
    }

    /// ASCII-only text, which the scanners' word-at-a-time fast path handles: long runs of each
    /// class (past 8 and 16 bytes), contractions in both cases, every kind of space and break.
    func asciiText(_ rng: inout SeededGenerator) -> String {
        let atoms = ["'", "'s", "'S", "'ll", "'lL", "'re", "'VE", "'d", "'M", "'t", "'x", "'", "a", "Z", "hello", "World",
                     "HELLO", "camelCase", "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJ", "x2", "1", "123", "4567", "0000000000",
                     " ", "  ", "        ", "\t", "\t\t", "\n", "\n\n", "\r\n", "\r", "\u{B}", "\u{C}", "/", "//", "!", "?!",
                     ".", "...", "-", "====================", "$", "+", "_", "#", "(", ")", "\"", "\u{0}", "\u{1F}"]
        var text = ""
        for _ in 0..<Int.random(in: 0...30, using: &rng) { text += atoms.randomElement(using: &rng)! }
        return text
    }

    @Test func scannersMatchTheRegexEngine() throws {
        var rng = SeededGenerator(seed: 2024)
        var texts: [String] = []
        for i in 0..<4500 {
            switch i % 3 {
            case 0: texts.append(i % 2 == 0 ? randomText(&rng, maxLength: 30) : trickyText(&rng))
            case 1: texts.append(asciiText(&rng))
            default: texts.append(trickyText(&rng))
            }
        }
        for (pattern, dialect) in Self.patterns {
            let regex = try UnicodeRegex(pattern, dialect: dialect)
            let reference = regex.withoutScanner
            var failures: [String] = []
            for text in texts {
                let fast = regex.matches(in: text)
                let slow = reference.matches(in: text).filter { !$0.isEmpty }
                if fast != slow && failures.count < 5 {
                    failures.append("\(text.debugDescription): scanner \(fast), engine \(slow)")
                }
            }
            #expect(failures.isEmpty, "\(dialect) \(pattern):\n\(failures.joined(separator: "\n"))")
        }
    }
}
