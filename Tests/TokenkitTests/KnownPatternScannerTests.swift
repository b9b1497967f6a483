import CTokenkitSupport
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

    /// Texts of a few hundred bytes, mostly ASCII, so that matches cross the 64-byte blocks of the
    /// cl100k family's block scanner at every offset, with a non-ASCII character now and then.
    func longText(_ rng: inout SeededGenerator) -> String {
        var text = ""
        for _ in 0..<Int.random(in: 1...12, using: &rng) {
            text += Int.random(in: 0..<4, using: &rng) == 0 ? trickyText(&rng) : asciiText(&rng)
        }
        return text
    }

    @Test func scannersMatchTheRegexEngine() throws {
        var rng = SeededGenerator(seed: 2024)
        var texts: [String] = []
        for i in 0..<6000 {
            switch i % 4 {
            case 0: texts.append(i % 2 == 0 ? randomText(&rng, maxLength: 30) : trickyText(&rng))
            case 1: texts.append(asciiText(&rng))
            case 2: texts.append(longText(&rng))
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
                    failures.append(Self.firstDifference(text, fast, slow))
                }
            }
            #expect(failures.isEmpty, "\(dialect) \(pattern):\n\(failures.joined(separator: "\n"))")
        }
    }

    /// Where two lists of matches of `text` part, with the text around it (texts run to
    /// hundreds of bytes, so the whole lists would bury it).
    static func firstDifference(_ text: String, _ fast: [Range<Int>], _ slow: [Range<Int>]) -> String {
        let k = (0..<min(fast.count, slow.count)).first { fast[$0] != slow[$0] } ?? min(fast.count, slow.count)
        let at = k < fast.count ? fast[k].lowerBound : k < slow.count ? slow[k].lowerBound : 0
        let bytes = Array(text.utf8)
        let window = bytes[max(0, at - 12)..<min(bytes.count, at + 24)]
        let context = String(decoding: window, as: UTF8.self).debugDescription
        return "at byte \(at) of \(bytes.count), near \(context): scanner \(Array(fast[k...].prefix(4))), engine \(Array(slow[k...].prefix(4)))"
    }

    /// Every block classifier this CPU runs gives the portable one's bits, on any bytes.
    @Test func blockClassifiersAgree() throws {
        var rng = SeededGenerator(seed: 64)
        let baseline = try #require(tokenkit_ascii_classifier_for_level(0))
        let levels = (1...2).compactMap { tokenkit_ascii_classifier_for_level(Int32($0)) }
        var bytes = [UInt8](repeating: 0, count: 64)
        for round in 0..<2000 {
            for i in 0..<64 {
                // Half the rounds draw from the bytes near every class edge, half from all bytes.
                let edges: [UInt8] = [0x08, 0x09, 0x0A, 0x0B, 0x0D, 0x0E, 0x1F, 0x20, 0x21, 0x27, 0x2F, 0x30, 0x39, 0x3A,
                                      0x40, 0x41, 0x5A, 0x5B, 0x60, 0x61, 0x7A, 0x7B, 0x7F, 0x80, 0xC1, 0xE1, 0xFA, 0xFF]
                bytes[i] = round % 2 == 0 ? edges.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
            }
            var expected = tokenkit_ascii_classes()
            bytes.withUnsafeBufferPointer { baseline($0.baseAddress!, &expected) }
            for (level, classifier) in levels.enumerated() {
                var classes = tokenkit_ascii_classes()
                bytes.withUnsafeBufferPointer { classifier($0.baseAddress!, &classes) }
                #expect(classes.letter == expected.letter && classes.upper == expected.upper && classes.digit == expected.digit
                        && classes.whitespace == expected.whitespace && classes.lineBreak == expected.lineBreak
                        && classes.space == expected.space && classes.apostrophe == expected.apostrophe
                        && classes.slash == expected.slash
                        && classes.nonASCII == expected.nonASCII, "level \(level + 1), bytes \(bytes)")
            }
            // And the portable classes are the scanner's own byte flags.
            for i in 0..<64 {
                let f = KnownPatternScanner.ByteFlags.table[Int(bytes[i])]
                typealias B = KnownPatternScanner.ByteFlags
                let bit = { (mask: UInt64) in mask >> UInt64(i) & 1 == 1 }
                #expect(bit(expected.letter) == (f & B.letter != 0))
                #expect(bit(expected.upper) == (f & B.upper != 0))
                #expect(bit(expected.digit) == (f & B.digit != 0))
                #expect(bit(expected.whitespace) == (f & B.space != 0))
                #expect(bit(expected.lineBreak) == (f & B.lineBreak != 0))
                #expect(bit(expected.nonASCII) == (f & B.nonASCII != 0))
                #expect(bit(expected.space) == (bytes[i] == 0x20) && bit(expected.apostrophe) == (bytes[i] == 0x27)
                        && bit(expected.slash) == (bytes[i] == 0x2F))
            }
        }
    }
}
