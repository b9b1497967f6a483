// Performance notes: almost every byte-level tokenizer in use splits text with
// one of a handful of patterns (GPT-2/r50k, cl100k, o200k, Llama 3, Qwen). For
// those, matching is done by this hand-written scanner instead of the regex VM:
// one pass over UTF-8 with a per-scalar class byte (a 128-entry table for
// ASCII, the general-category table otherwise), no backtracking stack, no
// allocation. Each rule below reproduces what the alternation computes with
// its backtracking; `KnownPatternScannerTests` checks every supported pattern
// against the regex engine on random text. Patterns are recognised by their
// exact text, per dialect, so any other pattern falls back to the VM.

/// Splits text exactly as one of the well-known tokenizer split patterns would.
struct KnownPatternScanner: Sendable {
    /// How `'s`, `'t`, `'re`, `'ve`, `'m`, `'ll`, `'d` are matched.
    enum Contractions: Sendable { case none, caseSensitive, caseInsensitive }
    /// The alternatives matching words.
    enum Words: Sendable {
        case spaceThenLetters                 // ` ?\p{L}+`
        case prefixThenLetters                // `[^\r\n\p{L}\p{N}]?\p{L}+`
        case casedWithContractionSuffix       // o200k's two alternatives
    }
    enum Numbers: Sendable {
        case spaceThenDigits                  // ` ?\p{N}+`
        case upTo(Int)                        // `\p{N}{1,n}`
        case all                              // Oniguruma's `\p{N}{1,3}+` = one or more of {1,3}
    }
    enum Punctuation: Sendable {
        case plain                            // ` ?[^\s\p{L}\p{N}]+`
        case trailingNewlines                 // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
        case trailingNewlinesAndSlashes       // ` ?[^\s\p{L}\p{N}]+[\r\n/]*`
    }

    let contractions: Contractions
    let words: Words
    let numbers: Numbers
    let punctuation: Punctuation
    /// `\s*[\r\n]+` (or `\s*[\r\n]`): whitespace up to the last line break.
    let newlineRule: Bool
    /// `\s++$` before the line-break rule (cl100k): a whitespace run that ends the text is one match.
    var wholeRunAtEnd = false

    // MARK: - Recognition

    /// The scanner for `pattern` in `dialect`, if it is one of the known patterns.
    static func forPattern(_ pattern: String, dialect: RegexDialect) -> KnownPatternScanner? {
        let contractionsCI = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)"#
        let cl100kCore = #"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|"#
        let o200kWords = #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"#
        switch pattern {
        case #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#,
             #"'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s"#,
             #"'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s+"#,
             #"'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#:
            return KnownPatternScanner(contractions: .caseSensitive, words: .spaceThenLetters, numbers: .spaceThenDigits,
                                       punctuation: .plain, newlineRule: false)
        case cl100kCore + #"\s"#, cl100kCore + #"\s+"#:
            return KnownPatternScanner(contractions: .caseInsensitive, words: .prefixThenLetters,
                                       numbers: dialect == .oniguruma ? .all : .upTo(3),
                                       punctuation: .trailingNewlines, newlineRule: true, wholeRunAtEnd: true)
        case contractionsCI + #"|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#:
            return KnownPatternScanner(contractions: .caseInsensitive, words: .prefixThenLetters, numbers: .upTo(3),
                                       punctuation: .trailingNewlines, newlineRule: true)
        case contractionsCI + #"|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#:
            return KnownPatternScanner(contractions: .caseInsensitive, words: .prefixThenLetters, numbers: .upTo(1),
                                       punctuation: .trailingNewlines, newlineRule: true)
        case o200kWords + #"|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#:
            return KnownPatternScanner(contractions: .none, words: .casedWithContractionSuffix, numbers: .upTo(3),
                                       punctuation: .trailingNewlinesAndSlashes, newlineRule: true)
        default:
            return nil
        }
    }

    // MARK: - Character classes

    /// Class bits of a scalar.
    struct Class: OptionSet, Sendable {
        let rawValue: UInt8
        static let letter = Class(rawValue: 1)          // \p{L}
        static let number = Class(rawValue: 2)          // \p{N}
        static let space = Class(rawValue: 4)           // \s
        static let upperish = Class(rawValue: 8)        // [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]
        static let lowerish = Class(rawValue: 16)       // [\p{Ll}\p{Lm}\p{Lo}\p{M}]
        static let lineBreak = Class(rawValue: 32)      // [\r\n]
        static let mark = Class(rawValue: 64)           // \p{M}
    }

    static let asciiClasses: [Class] = (0..<128).map { classify(UInt32($0)) }

    static func classify(_ scalar: UInt32) -> Class {
        var c: Class = []
        if UnicodeProperties.isWhiteSpace(scalar) { c.insert(.space) }
        if scalar == 0x0A || scalar == 0x0D { c.insert(.lineBreak) }
        switch UnicodeGeneralCategory(scalar) {
        case .uppercaseLetter, .titlecaseLetter: c.formUnion([.letter, .upperish])
        case .lowercaseLetter: c.formUnion([.letter, .lowerish])
        case .modifierLetter, .otherLetter: c.formUnion([.letter, .upperish, .lowerish])
        case .nonspacingMark, .spacingMark, .enclosingMark: c.formUnion([.mark, .upperish, .lowerish])
        case .decimalNumber, .letterNumber, .otherNumber: c.insert(.number)
        default: break
        }
        return c
    }

    /// Reads text scalar by scalar with its class.
    struct Cursor {
        let text: UnsafeBufferPointer<UInt8>
        let asciiClasses: UnsafeBufferPointer<Class>

        @inline(__always) var count: Int { text.count }

        /// The class and byte length of the scalar at `i` (`i < count`).
        @inline(__always) func at(_ i: Int) -> (Class, Int) {
            let b = text[i]
            if b < 0x80 { return (asciiClasses[Int(b)], 1) }
            let (scalar, length) = UTF8.decode(text, at: i)
            return (KnownPatternScanner.classify(scalar), length)
        }

        @inline(__always) func byte(_ i: Int) -> UInt8 { i < text.count ? text[i] : 0 }

        /// The end of the run of scalars, from `i`, whose class satisfies `predicate`.
        @inline(__always) func run(from i: Int, while predicate: (Class) -> Bool) -> Int {
            var j = i
            while j < text.count {
                let (c, length) = at(j)
                if !predicate(c) { break }
                j += length
            }
            return j
        }

        /// The end of a contraction (`'s`, `'t`, `'re`, `'ve`, `'m`, `'ll`, `'d`) at `i`, or nil.
        func contraction(at i: Int, caseInsensitive: Bool) -> Int? {
            guard byte(i) == 0x27 else { return nil }
            func letter(_ j: Int, _ lower: UInt8) -> Int? {
                let b = byte(j)
                if b == lower || (caseInsensitive && b == lower - 32) { return j + 1 }
                // Under simple case folding U+017F (ſ, C5 BF) equals 's'.
                if caseInsensitive && lower == 0x73 && b == 0xC5 && byte(j + 1) == 0xBF { return j + 2 }
                return nil
            }
            for single in [UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d")] {
                if let end = letter(i + 1, single) { return end }
            }
            for (a, b) in [(UInt8(ascii: "r"), UInt8(ascii: "e")), (UInt8(ascii: "v"), UInt8(ascii: "e")), (UInt8(ascii: "l"), UInt8(ascii: "l"))] {
                if let middle = letter(i + 1, a), let end = letter(middle, b) { return end }
            }
            return nil
        }
    }

    // MARK: - Scanning

    /// Calls `body` with every match, in order; the matches cover the whole text.
    func forEachMatch(in text: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) throws -> Void) rethrows {
        try Self.asciiClasses.withUnsafeBufferPointer { table in
            let cursor = Cursor(text: text, asciiClasses: table)
            var position = 0
            while position < text.count {
                let end = matchEnd(at: position, cursor)
                try body(position..<end)
                position = end
            }
        }
    }

    /// The end of the match starting at `i` (the alternatives in pattern order).
    @inline(__always)
    private func matchEnd(at i: Int, _ t: Cursor) -> Int {
        if t.text[i] < 0x80, let end = asciiMatchEnd(at: i, t) { return end }
        let (c0, l0) = t.at(i)
        // Contractions.
        if contractions != .none, let end = t.contraction(at: i, caseInsensitive: contractions == .caseInsensitive) {
            return end
        }
        // Words.
        if let end = wordEnd(at: i, c0, l0, t) { return end }
        // Numbers.
        switch numbers {
        case .spaceThenDigits:
            if c0.contains(.number) { return t.run(from: i, while: { $0.contains(.number) }) }
            if t.byte(i) == 0x20, i + 1 < t.count, t.at(i + 1).0.contains(.number) {
                return t.run(from: i + 1, while: { $0.contains(.number) })
            }
        case let .upTo(n):
            if c0.contains(.number) {
                var j = i + l0
                var k = 1
                while k < n, j < t.count {
                    let (c, l) = t.at(j)
                    guard c.contains(.number) else { break }
                    j += l
                    k += 1
                }
                return j
            }
        case .all:
            if c0.contains(.number) { return t.run(from: i, while: { $0.contains(.number) }) }
        }
        // Punctuation and symbols: ` ?[^\s\p{L}\p{N}]+` and what may follow it.
        let isOther: (Class) -> Bool = { !$0.contains(.space) && !$0.contains(.letter) && !$0.contains(.number) }
        var otherStart = -1
        if isOther(c0) {
            otherStart = i
        } else if t.byte(i) == 0x20, i + 1 < t.count, isOther(t.at(i + 1).0) {
            otherStart = i + 1
        }
        if otherStart >= 0 {
            var j = t.run(from: otherStart, while: isOther)
            switch punctuation {
            case .plain: break
            case .trailingNewlines:
                while t.byte(j) == 0x0A || t.byte(j) == 0x0D { j += 1 }
            case .trailingNewlinesAndSlashes:
                while t.byte(j) == 0x0A || t.byte(j) == 0x0D || t.byte(j) == 0x2F { j += 1 }
            }
            return j
        }
        // Whitespace (c0 is whitespace here: every other class was matched above).
        let runEnd = t.run(from: i, while: { $0.contains(.space) })
        if wholeRunAtEnd && runEnd == t.count { return runEnd }
        if newlineRule {
            // `\s*[\r\n]+`: backtracking leaves the match right after the last line break of the run.
            var k = runEnd
            while k > i {
                let b = t.text[k - 1]
                if b == 0x0A || b == 0x0D { return k }
                k -= 1
            }
        }
        // `\s+(?!\S)`: the whole run at the end of the text, else all but its last scalar.
        if runEnd == t.count { return runEnd }
        var last = runEnd - 1
        while last > i && t.text[last] & 0xC0 == 0x80 { last -= 1 }
        if last > i { return last }
        // `\s+` (or `\s`): a single whitespace scalar before a non-space.
        return runEnd
    }

    /// The end of an ASCII run of scalars of class `wanted` from `j`, or nil when the run reaches a
    /// non-ASCII byte (which the general path must classify).
    @inline(__always)
    private func asciiRun(from j: Int, _ t: Cursor, _ wanted: Class) -> Int? {
        var k = j
        let text = t.text
        while k < text.count {
            let b = text[k]
            if b >= 0x80 { return nil }
            if !t.asciiClasses[Int(b)].contains(wanted) { return k }
            k += 1
        }
        return k
    }

    /// The fast path for text that stays ASCII around the match: the common cases of every rule
    /// (words, numbers, punctuation). Returns nil to defer to the general path.
    @inline(__always)
    private func asciiMatchEnd(at i: Int, _ t: Cursor) -> Int? {
        let text = t.text
        let b0 = text[i]
        let c0 = t.asciiClasses[Int(b0)]
        if b0 == 0x27 { return nil }                                  // contractions: general path
        let next: UInt8 = i + 1 < text.count ? text[i + 1] : 0
        if next >= 0x80 { return nil }
        let c1 = t.asciiClasses[Int(next)]
        let hasNext = i + 1 < text.count
        switch words {
        case .spaceThenLetters:
            if c0.contains(.letter) { return asciiRun(from: i + 1, t, .letter) }
            if b0 == 0x20 && hasNext && c1.contains(.letter) { return asciiRun(from: i + 2, t, .letter) }
        case .prefixThenLetters:
            if c0.contains(.letter) { return asciiRun(from: i + 1, t, .letter) }
            if !c0.contains(.lineBreak) && !c0.contains(.number) && hasNext && c1.contains(.letter) {
                return asciiRun(from: i + 2, t, .letter)
            }
        case .casedWithContractionSuffix:
            // ASCII letters are upper-ish or lower-ish, never both: the alternatives reduce to
            // prefix? [A-Z]*[a-z]+ and prefix? [A-Z]+[a-z]*, then an optional contraction.
            let canPrefix = !c0.contains(.lineBreak) && !c0.contains(.letter) && !c0.contains(.number)
            var start = i
            if canPrefix {
                guard hasNext && c1.contains(.letter) else { break }
                start = i + 1
            } else if !c0.contains(.letter) {
                break
            }
            guard let upperEnd = asciiRun(from: start, t, .upperish),
                  let lowerEnd = asciiRun(from: upperEnd, t, .lowerish) else { return nil }
            if lowerEnd < text.count && text[lowerEnd] == 0x27 { return nil }   // a contraction may follow
            return lowerEnd
        }
        if c0.contains(.number) {
            switch numbers {
            case .spaceThenDigits, .all:
                return asciiRun(from: i + 1, t, .number)
            case let .upTo(n):
                var j = i + 1
                while j < text.count && j - i < n {
                    let b = text[j]
                    if b >= 0x80 { return nil }
                    if !t.asciiClasses[Int(b)].contains(.number) { break }
                    j += 1
                }
                return j
            }
        }
        if case .spaceThenDigits = numbers, b0 == 0x20, hasNext, c1.contains(.number) {
            return asciiRun(from: i + 2, t, .number)
        }
        // Punctuation and symbols, with the optional leading space.
        let isOther: (Class) -> Bool = { !$0.contains(.space) && !$0.contains(.letter) && !$0.contains(.number) }
        var otherStart = -1
        if isOther(c0) {
            otherStart = i
        } else if b0 == 0x20 && hasNext && isOther(c1) {
            otherStart = i + 1
        }
        guard otherStart >= 0 else { return nil }
        var j = otherStart
        while j < text.count {
            let b = text[j]
            if b >= 0x80 { return nil }
            if !isOther(t.asciiClasses[Int(b)]) { break }
            j += 1
        }
        switch punctuation {
        case .plain: break
        case .trailingNewlines:
            while j < text.count && (text[j] == 0x0A || text[j] == 0x0D) { j += 1 }
        case .trailingNewlinesAndSlashes:
            while j < text.count && (text[j] == 0x0A || text[j] == 0x0D || text[j] == 0x2F) { j += 1 }
        }
        return j
    }

    /// The end of a word match at `i`, or nil when no word alternative matches.
    @inline(__always)
    private func wordEnd(at i: Int, _ c0: Class, _ l0: Int, _ t: Cursor) -> Int? {
        switch words {
        case .spaceThenLetters:
            if c0.contains(.letter) { return t.run(from: i, while: { $0.contains(.letter) }) }
            if t.byte(i) == 0x20, i + 1 < t.count, t.at(i + 1).0.contains(.letter) {
                return t.run(from: i + 1, while: { $0.contains(.letter) })
            }
            return nil
        case .prefixThenLetters:
            if c0.contains(.letter) { return t.run(from: i, while: { $0.contains(.letter) }) }
            if !c0.contains(.lineBreak) && !c0.contains(.number), i + l0 < t.count, t.at(i + l0).0.contains(.letter) {
                return t.run(from: i + l0, while: { $0.contains(.letter) })
            }
            return nil
        case .casedWithContractionSuffix:
            let canPrefix = !c0.contains(.lineBreak) && !c0.contains(.letter) && !c0.contains(.number)
            // First alternative: prefix? upper* lower+ contraction?, trying the prefix first.
            if canPrefix, let end = upperThenLower(from: i + l0, t) { return withContraction(end, t) }
            if let end = upperThenLower(from: i, t) { return withContraction(end, t) }
            // Second alternative: prefix? upper+ lower* contraction?.
            if canPrefix, let end = upperThenOptionalLower(from: i + l0, t) { return withContraction(end, t) }
            if let end = upperThenOptionalLower(from: i, t) { return withContraction(end, t) }
            return nil
        }
    }

    /// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+` at `a`, with the regex's backtracking.
    private func upperThenLower(from a: Int, _ t: Cursor) -> Int? {
        guard a < t.count else { return nil }
        let b = t.run(from: a, while: { $0.contains(.upperish) })
        if b < t.count, t.at(b).0.contains(.lowerish) {
            return t.run(from: b, while: { $0.contains(.lowerish) })
        }
        // Give back upper-ish scalars until one of them is also lower-ish: the lower part is that one scalar.
        var k = b
        while k > a {
            var start = k - 1
            while start > a && t.text[start] & 0xC0 == 0x80 { start -= 1 }
            if t.at(start).0.contains(.lowerish) { return k }
            k = start
        }
        return nil
    }

    /// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*` at `a`.
    private func upperThenOptionalLower(from a: Int, _ t: Cursor) -> Int? {
        guard a < t.count else { return nil }
        let b = t.run(from: a, while: { $0.contains(.upperish) })
        guard b > a else { return nil }
        return t.run(from: b, while: { $0.contains(.lowerish) })
    }

    @inline(__always)
    private func withContraction(_ end: Int, _ t: Cursor) -> Int {
        t.contraction(at: end, caseInsensitive: true) ?? end
    }
}
