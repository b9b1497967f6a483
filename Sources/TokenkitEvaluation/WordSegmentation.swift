/// The two word counts fertility is measured against: whitespace-separated words, and words
/// from a Unicode segmentation that also works for scripts written without spaces.
///
/// Whitespace words follow Python's `str.split()` with no argument: maximal runs of characters
/// that are not whitespace, where whitespace is exactly the set `str.isspace()` accepts (Unicode
/// White_Space plus U+001C…U+001F, which Python counts as separators).
///
/// Segmented words are an approximation of UAX #29 word boundaries, exact and simple enough to
/// recompute in any language: a word is a maximal run of scalars whose general category is a
/// letter (L*), mark (M*) or number (N*), except that every letter or number of a script written
/// without spaces between words (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar, Tibetan,
/// Yi; the ranges are in `isUnspacedScript`) is a word of its own, with the marks that follow
/// it. Punctuation, symbols, spaces and controls separate words and are not words.
public enum WordSegmentation {
    /// Python's `str.isspace()` set.
    @inline(__always)
    public static func isPythonWhitespace(_ s: UInt32) -> Bool {
        switch s {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// Scripts written without spaces between words: each of their letters counts as a word.
    @inline(__always)
    public static func isUnspacedScript(_ s: UInt32) -> Bool {
        switch s {
        case 0x0E00...0x0E7F,            // Thai
             0x0E80...0x0EFF,            // Lao
             0x0F00...0x0FFF,            // Tibetan
             0x1000...0x109F,            // Myanmar
             0x1780...0x17FF, 0x19E0...0x19FF, // Khmer, Khmer symbols
             0x2E80...0x2FDF,            // CJK radicals, Kangxi radicals
             0x3005...0x3007, 0x3021...0x3029, 0x3038...0x303B, // Han ideographic marks and numerals
             0x3040...0x309F,            // Hiragana
             0x30A0...0x30FF, 0x31F0...0x31FF, // Katakana
             0x3400...0x4DBF,            // CJK extension A
             0x4E00...0x9FFF,            // CJK unified ideographs
             0xA000...0xA4CF,            // Yi
             0xA9E0...0xA9FF, 0xAA60...0xAA7F, // Myanmar extensions
             0xF900...0xFAFF,            // CJK compatibility ideographs
             0xFF66...0xFF9F,            // halfwidth Katakana
             0x1B000...0x1B16F,          // Kana supplement and extensions
             0x20000...0x3134F:          // CJK extensions B–G
            return true
        default:
            return false
        }
    }

    private enum ScalarClass { case letterOrNumber, mark, other }

    @inline(__always)
    private static func classify(_ scalar: Unicode.Scalar) -> ScalarClass {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber:
            return .letterOrNumber
        case .nonspacingMark, .spacingMark, .enclosingMark:
            return .mark
        default:
            return .other
        }
    }

    /// The number of whitespace-separated words of `text` (`len(text.split())`).
    public static func whitespaceWordCount(_ text: String) -> Int {
        var count = 0
        var inWord = false
        for scalar in text.unicodeScalars {
            if isPythonWhitespace(scalar.value) {
                inWord = false
            } else if !inWord {
                inWord = true
                count += 1
            }
        }
        return count
    }

    /// The whitespace-separated words of `text` (`text.split()`).
    public static func whitespaceWords(_ text: String) -> [Substring] {
        var words: [Substring] = []
        var start: String.Index?
        let scalars = text.unicodeScalars
        var i = scalars.startIndex
        while i < scalars.endIndex {
            let white = isPythonWhitespace(scalars[i].value)
            if white, let s = start {
                words.append(text[s..<i])
                start = nil
            } else if !white, start == nil {
                start = i
            }
            scalars.formIndex(after: &i)
        }
        if let s = start { words.append(text[s..<text.endIndex]) }
        return words
    }

    /// The number of segmented words of `text` (see the type's documentation).
    public static func segmentedWordCount(_ text: String) -> Int {
        var count = 0
        var inWord = false
        // Whether the current word is a single unspaced-script character (so a following letter
        // starts a new word, a following mark does not).
        var unspaced = false
        for scalar in text.unicodeScalars {
            switch classify(scalar) {
            case .letterOrNumber:
                if isUnspacedScript(scalar.value) {
                    count += 1
                    inWord = true
                    unspaced = true
                } else if !inWord || unspaced {
                    count += 1
                    inWord = true
                    unspaced = false
                }
            case .mark:
                if !inWord {
                    count += 1
                    inWord = true
                    unspaced = false
                }
            case .other:
                inWord = false
                unspaced = false
            }
        }
        return count
    }
}
