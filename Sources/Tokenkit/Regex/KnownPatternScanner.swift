// Performance notes: almost every byte-level tokenizer in use splits text with
// one of a handful of patterns (GPT-2/r50k, cl100k, o200k, Llama 3, Qwen). For
// those, matching is done by this hand-written scanner instead of the regex VM:
// one pass over UTF-8, no backtracking stack, no allocation. ASCII runs are
// classified eight bytes at a time (SWAR: letters, upper and lower case as bit
// masks of a 64-bit word, the run's end by counting trailing zeros), other
// bytes through a 256-entry flag table, non-ASCII scalars through a 64 K class
// table of the BMP. The text is read from a padded copy (`PaddedText`) so that
// those word loads never need a bounds check: the padding byte 0xFF ends
// every run. Each rule below reproduces what the alternation computes with
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
    enum Punctuation: Sendable {
        case plain                            // ` ?[^\s\p{L}\p{N}]+`
        case trailingNewlines                 // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
        case trailingNewlinesAndSlashes       // ` ?[^\s\p{L}\p{N}]+[\r\n/]*`
    }

    /// The supported pattern families. Each is a type with its rules as static constants, so
    /// that the matching code is specialised per family and every rule test folds away.
    enum Family: Sendable, Equatable {
        case gpt2, cl100kFancyRegex, cl100kOniguruma, llama3, qwen, o200k
    }
    let family: Family

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
            return KnownPatternScanner(family: .gpt2)
        case cl100kCore + #"\s"#, cl100kCore + #"\s+"#:
            return KnownPatternScanner(family: dialect == .oniguruma ? .cl100kOniguruma : .cl100kFancyRegex)
        case contractionsCI + #"|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#:
            return KnownPatternScanner(family: .llama3)
        case contractionsCI + #"|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#:
            return KnownPatternScanner(family: .qwen)
        case o200kWords + #"|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#:
            return KnownPatternScanner(family: .o200k)
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


    /// Flags of each byte value for the ASCII fast path (bytes from 0x80 only have `nonASCII`).
    enum ByteFlags {
        static let letter: UInt8 = 1, digit: UInt8 = 2, upper: UInt8 = 4, lower: UInt8 = 8
        static let other: UInt8 = 16      // not \s, \p{L}, \p{N}
        static let lineBreak: UInt8 = 32, space: UInt8 = 64, nonASCII: UInt8 = 128

        nonisolated(unsafe) static let table: UnsafePointer<UInt8> = {
            let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
            for b in 0..<256 {
                if b >= 0x80 { table[b] = nonASCII; continue }
                let c = KnownPatternScanner.classify(UInt32(b))
                var f: UInt8 = 0
                if c.contains(.letter) { f |= letter }
                if c.contains(.number) { f |= digit }
                if c.contains(.upperish) && c.contains(.letter) { f |= upper }
                if c.contains(.lowerish) && c.contains(.letter) { f |= lower }
                if !c.contains(.space) && !c.contains(.letter) && !c.contains(.number) { f |= other }
                if c.contains(.lineBreak) { f |= lineBreak }
                if c.contains(.space) { f |= space }
                table[b] = f
            }
            return UnsafePointer(table)
        }()
    }

    /// The class of every scalar of the Basic Multilingual Plane (64 KB, built once): the
    /// scanners look classes up here instead of decoding general categories.
    nonisolated(unsafe) static let bmpClasses: UnsafePointer<Class> = {
        let table = UnsafeMutablePointer<Class>.allocate(capacity: 0x10000)
        for scalar in 0..<0x10000 { table[scalar] = computeClass(UInt32(scalar)) }
        return UnsafePointer(table)
    }()

    @inline(__always)
    static func classify(_ scalar: UInt32) -> Class {
        scalar < 0x10000 ? bmpClasses[Int(scalar)] : computeClass(scalar)
    }

    static func computeClass(_ scalar: UInt32) -> Class {
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
        /// `KnownPatternScanner.bmpClasses`, held here to avoid a lazy-global check per scalar.
        let classes: UnsafePointer<Class>

        @inline(__always) var count: Int { text.count }

        /// The class and byte length of the scalar at `i` (`i < count`).
        @inline(__always) func at(_ i: Int) -> (Class, Int) {
            let b = text[i]
            if b < 0x80 { return (classes[Int(b)], 1) }
            let (scalar, length) = UTF8.decode(text, at: i)
            return (scalar < 0x10000 ? classes[Int(scalar)] : KnownPatternScanner.computeClass(scalar), length)
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
        var padded = PaddedText()
        defer { padded.deallocate() }
        let p = padded.load(text, prefixSpace: false).baseAddress!
        try withUnsafeTemporaryAllocation(of: Int.self, capacity: Self.batchSize) { ends in
            var position = 0
            while position < text.count {
                let k = matchEnds(padded: p, count: text.count, from: position, into: ends.baseAddress!, capacity: Self.batchSize)
                for e in 0..<k {
                    try body(position..<ends[e])
                    position = ends[e]
                }
            }
        }
    }

    /// How many match ends `matchEnds` is asked for at a time by the loops above.
    static let batchSize = 256

    /// Writes the ends of the successive matches from `start` (a match start) to `ends`, at most
    /// `capacity` of them, and returns how many. `p` is a `PaddedText` of `count` bytes.
    @inline(__always)
    func matchEnds(padded p: UnsafePointer<UInt8>, count: Int, from start: Int, into ends: UnsafeMutablePointer<Int>,
                   capacity: Int) -> Int {
        switch family {
        case .gpt2: ScannerCore<GPT2Rules>.matchEnds(p, count, start, ends, capacity)
        case .cl100kFancyRegex: ScannerCore<CL100KRules>.matchEnds(p, count, start, ends, capacity)
        case .cl100kOniguruma: ScannerCore<CL100KOnigurumaRules>.matchEnds(p, count, start, ends, capacity)
        case .llama3: ScannerCore<Llama3Rules>.matchEnds(p, count, start, ends, capacity)
        case .qwen: ScannerCore<QwenRules>.matchEnds(p, count, start, ends, capacity)
        case .o200k: ScannerCore<O200KRules>.matchEnds(p, count, start, ends, capacity)
        }
    }
}

/// A reusable copy of a text followed by `padding` bytes of 0xFF, so that scanners and hash
/// functions may load whole words and 64-byte blocks at any position up to the end without bounds checks (0xFF,
/// never part of UTF-8, ends every character-class run).
struct PaddedText {
    static let padding = 64
    private var storage = ScratchBuffer<UInt8>(retainedCapacity: 1 << 20, minimumCapacity: 4096 + PaddedText.padding)

    /// Copies `text` (after a space when `prefixSpace`) and returns the copy, without the padding.
    mutating func load(_ text: UnsafeBufferPointer<UInt8>, prefixSpace: Bool) -> UnsafeBufferPointer<UInt8> {
        let count = text.count + (prefixSpace ? 1 : 0)
        let p = storage.buffer(capacity: count + Self.padding)
        if prefixSpace { p[0] = 0x20 }
        if let base = text.baseAddress { (p + (prefixSpace ? 1 : 0)).update(from: base, count: text.count) }
        (p + count).update(repeating: 0xFF, count: Self.padding)
        return UnsafeBufferPointer(start: p, count: count)
    }

    /// Frees an oversized buffer so that memory stays bounded between calls.
    mutating func shrink() { storage.shrink() }

    mutating func deallocate() { storage.deallocate() }
}

/// Character classes of eight ASCII bytes at once: each function returns 0x80 in every byte
/// of the word that is in the class (and 0 for bytes from 0x80, which are never ASCII).
enum SWAR {
    static let high: UInt64 = 0x8080_8080_8080_8080

    @inline(__always) static func broadcast(_ b: UInt8) -> UInt64 { UInt64(b) &* 0x0101_0101_0101_0101 }

    @inline(__always) static func load(_ p: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
    }

    /// Bytes in lo...hi: adding 0x80 - lo sets the high bit from lo up, 0x80 - hi - 1 from hi + 1
    /// up; bytes below 0x80 never carry into their neighbour.
    @inline(__always) static func inRange(_ x: UInt64, _ lo: UInt8, _ hi: UInt8) -> UInt64 {
        let t = x & ~high
        return (t &+ broadcast(0x80 &- lo)) & ~(t &+ broadcast(0x7F &- hi)) & ~x & high
    }

    @inline(__always) static func letters(_ x: UInt64) -> UInt64 { inRange(x | broadcast(0x20), 0x61, 0x7A) }
    @inline(__always) static func uppers(_ x: UInt64) -> UInt64 { inRange(x, 0x41, 0x5A) }
    @inline(__always) static func lowers(_ x: UInt64) -> UInt64 { inRange(x, 0x61, 0x7A) }

    /// The end of `[A-Z]*[a-z]*` from `j`. Words of up to eight bytes (most) take one load: a
    /// letter's case is its bit 5, so one letter mask gives both the upper and the lower run.
    @inline(__always) static func casedWordEnd(_ p: UnsafePointer<UInt8>, from j: Int) -> Int {
        let x = load(p + j)
        let letter = letters(x)
        let lowerBit = x &<< 2     // bit 5 of each byte moved to bit 7
        let upperStop = ~(letter & ~lowerBit) & high
        let upperLength = upperStop.trailingZeroBitCount   // in bits, 64 when all eight are upper
        guard upperLength < 64 else { return runEnd(p, from: runEnd(p, from: j, uppers), lowers) }
        // Lower-case letters from the first non-upper byte on.
        let lowerStop = ~(letter & lowerBit) & high & (UInt64.max &<< UInt64(truncatingIfNeeded: upperLength))
        guard lowerStop != 0 else { return runEnd(p, from: j &+ 8, lowers) }
        return j &+ lowerStop.trailingZeroBitCount &>> 3
    }

    /// The end of the run of bytes in the class from `j` (the padding of a `PaddedText` ends it).
    @inline(__always) static func runEnd(_ p: UnsafePointer<UInt8>, from j: Int, _ bits: (UInt64) -> UInt64) -> Int {
        var j = j
        while true {
            let stop = ~bits(load(p + j)) & high
            if stop != 0 { return j &+ stop.trailingZeroBitCount &>> 3 }
            j &+= 8
        }
    }
}

/// The rules of one pattern family, as compile-time constants.
protocol ScannerRules {
    static var contractions: KnownPatternScanner.Contractions { get }
    static var words: KnownPatternScanner.Words { get }
    /// `\p{N}{1,n}`: the most digits in one match (Int.max: unbounded, as ` ?\p{N}+` and
    /// Oniguruma's `\p{N}{1,3}+`, which is one or more groups of up to three).
    static var maximumDigits: Int { get }
    /// ` ?\p{N}+`: a space may lead a number.
    static var spaceBeforeDigits: Bool { get }
    static var punctuation: KnownPatternScanner.Punctuation { get }
    /// `\s*[\r\n]+` (or `\s*[\r\n]`): whitespace up to the last line break.
    static var newlineRule: Bool { get }
    /// `\s++$` before the line-break rule (cl100k): a whitespace run that ends the text is one match.
    static var wholeRunAtEnd: Bool { get }
}

/// GPT-2 / r50k: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
enum GPT2Rules: ScannerRules {
    static var contractions: KnownPatternScanner.Contractions { .caseSensitive }
    static var words: KnownPatternScanner.Words { .spaceThenLetters }
    static var maximumDigits: Int { .max }
    static var spaceBeforeDigits: Bool { true }
    static var punctuation: KnownPatternScanner.Punctuation { .plain }
    static var newlineRule: Bool { false }
    static var wholeRunAtEnd: Bool { false }
}

/// cl100k as tiktoken (fancy-regex) reads it: `\p{N}{1,3}+` takes at most three digits.
enum CL100KRules: ScannerRules {
    static var contractions: KnownPatternScanner.Contractions { .caseInsensitive }
    static var words: KnownPatternScanner.Words { .prefixThenLetters }
    static var maximumDigits: Int { 3 }
    static var spaceBeforeDigits: Bool { false }
    static var punctuation: KnownPatternScanner.Punctuation { .trailingNewlines }
    static var newlineRule: Bool { true }
    static var wholeRunAtEnd: Bool { true }
}

/// cl100k as Oniguruma reads it: `\p{N}{1,3}+` is one or more groups of up to three digits.
enum CL100KOnigurumaRules: ScannerRules {
    static var contractions: KnownPatternScanner.Contractions { .caseInsensitive }
    static var words: KnownPatternScanner.Words { .prefixThenLetters }
    static var maximumDigits: Int { .max }
    static var spaceBeforeDigits: Bool { false }
    static var punctuation: KnownPatternScanner.Punctuation { .trailingNewlines }
    static var newlineRule: Bool { true }
    static var wholeRunAtEnd: Bool { true }
}

/// Llama 3.
enum Llama3Rules: ScannerRules {
    static var contractions: KnownPatternScanner.Contractions { .caseInsensitive }
    static var words: KnownPatternScanner.Words { .prefixThenLetters }
    static var maximumDigits: Int { 3 }
    static var spaceBeforeDigits: Bool { false }
    static var punctuation: KnownPatternScanner.Punctuation { .trailingNewlines }
    static var newlineRule: Bool { true }
    static var wholeRunAtEnd: Bool { false }
}

/// Qwen: Llama 3's pattern with single digits.
enum QwenRules: ScannerRules {
    static var contractions: KnownPatternScanner.Contractions { .caseInsensitive }
    static var words: KnownPatternScanner.Words { .prefixThenLetters }
    static var maximumDigits: Int { 1 }
    static var spaceBeforeDigits: Bool { false }
    static var punctuation: KnownPatternScanner.Punctuation { .trailingNewlines }
    static var newlineRule: Bool { true }
    static var wholeRunAtEnd: Bool { false }
}

/// o200k: case-structured words with contraction suffixes, `[\r\n/]*` after punctuation.
enum O200KRules: ScannerRules {
    static var contractions: KnownPatternScanner.Contractions { .none }
    static var words: KnownPatternScanner.Words { .casedWithContractionSuffix }
    static var maximumDigits: Int { 3 }
    static var spaceBeforeDigits: Bool { false }
    static var punctuation: KnownPatternScanner.Punctuation { .trailingNewlinesAndSlashes }
    static var newlineRule: Bool { true }
    static var wholeRunAtEnd: Bool { false }
}

/// The matching code, specialised per family.
enum ScannerCore<R: ScannerRules> {
    typealias Class = KnownPatternScanner.Class
    typealias Cursor = KnownPatternScanner.Cursor

    @inline(__always)
    static func matchEnds(_ p: UnsafePointer<UInt8>, _ n: Int, _ start: Int, _ ends: UnsafeMutablePointer<Int>,
                          _ capacity: Int) -> Int {
        let flags = KnownPatternScanner.ByteFlags.table
        let classes = KnownPatternScanner.bmpClasses
        var position = start
        var k = 0
        // Where blocks may be tried again after a non-ASCII byte: once the byte-at-a-time scanner
        // has passed it, or, when the block had little ASCII before it, the block's last one.
        var blocksFrom = start
        let classifier = KnownPatternScanner.asciiClassifier
        while k < capacity && position < n {
            if scansBlocks && position >= blocksFrom {
                let (blockEnds, nonASCII) = blockMatchEnds(p, at: position, classifier: classifier)
                if nonASCII != 0 {
                    let first = nonASCII.trailingZeroBitCount
                    blocksFrom = position &+ (first >= 16 ? first &+ 1 : 64 &- nonASCII.leadingZeroBitCount)
                }
                if blockEnds != 0 {
                    var bits = blockEnds
                    if capacity &- k >= Self.unrolledRoom {
                        // Four ends per step and no room check: a block has at most 64, and the
                        // step's lanes past the last end (which get position + 64) are overwritten
                        // or lie past `k`.
                        var o = ends + k
                        k &+= bits.nonzeroBitCount
                        repeat {
                            o[0] = position &+ bits.trailingZeroBitCount
                            bits &= bits &- 1
                            o[1] = position &+ bits.trailingZeroBitCount
                            bits &= bits &- 1
                            o[2] = position &+ bits.trailingZeroBitCount
                            bits &= bits &- 1
                            o[3] = position &+ bits.trailingZeroBitCount
                            bits &= bits &- 1
                            o += 4
                        } while bits != 0
                    } else {
                        repeat {
                            ends[k] = position &+ bits.trailingZeroBitCount
                            k &+= 1
                            bits &= bits &- 1
                        } while bits != 0 && k < capacity
                    }
                    position = ends[k &- 1]
                    continue
                }
            }
            var end = -1
            if p[position] < 0x80 { end = asciiMatchEnd(at: position, p, flags) }
            if end < 0 { end = generalMatchEnd(at: position, p, n, classes) }
            ends[k] = end
            k &+= 1
            position = end
        }
        return k
    }

    /// The room a block's ends take when written four at a time: 64 of them, and 3 lanes more.
    static var unrolledRoom: Int { 67 }

    /// The end of the match starting at `i` (the alternatives in pattern order), for any text.
    @inline(never)
    static func generalMatchEnd(at i: Int, _ p: UnsafePointer<UInt8>, _ n: Int, _ classes: UnsafePointer<KnownPatternScanner.Class>) -> Int {
        let t = Cursor(text: UnsafeBufferPointer(start: p, count: n), classes: classes)
        let (c0, l0) = t.at(i)
        // Contractions.
        if R.contractions != .none, let end = t.contraction(at: i, caseInsensitive: R.contractions == .caseInsensitive) {
            return end
        }
        // Words.
        if let end = wordEnd(at: i, c0, l0, t) { return end }
        // Numbers.
        if c0.contains(.number) {
            var j = i + l0
            var k = 1
            while k < R.maximumDigits, j < t.count {
                let (c, l) = t.at(j)
                guard c.contains(.number) else { break }
                j += l
                k += 1
            }
            return j
        }
        if R.spaceBeforeDigits, t.byte(i) == 0x20, i + 1 < t.count, t.at(i + 1).0.contains(.number) {
            return t.run(from: i + 1, while: { $0.contains(.number) })
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
            switch R.punctuation {
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
        if R.wholeRunAtEnd && runEnd == t.count { return runEnd }
        if R.newlineRule {
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

    /// The fast path for a match that stays ASCII: the common cases of every rule. Returns -1 to
    /// defer to the general path (a run that reaches a non-ASCII byte, which only the general path
    /// can classify, or the end of the text, where `\s++$` and `(?!\S)` need it). `p` is padded.
    @inline(__always)
    static func asciiMatchEnd(at i: Int, _ p: UnsafePointer<UInt8>, _ f: UnsafePointer<UInt8>) -> Int {
        typealias B = KnownPatternScanner.ByteFlags
        let b0 = p[i]
        let f0 = f[Int(b0)]
        let f1 = f[Int(p[i &+ 1])]
        if f1 & B.nonASCII != 0 { return -1 }
        if R.contractions != .none && b0 == 0x27 {
            let end = asciiContraction(at: i, p, caseInsensitive: R.contractions == .caseInsensitive)
            if end != 0 { return end }
        }
        switch R.words {
        case .spaceThenLetters:
            if f0 & B.letter != 0 { return asciiRunEnd(p, from: i &+ 1, SWAR.letters) }
            if b0 == 0x20 && f1 & B.letter != 0 { return asciiRunEnd(p, from: i &+ 2, SWAR.letters) }
        case .prefixThenLetters:
            if f0 & B.letter != 0 { return asciiRunEnd(p, from: i &+ 1, SWAR.letters) }
            if f0 & (B.lineBreak | B.digit) == 0 && f1 & B.letter != 0 { return asciiRunEnd(p, from: i &+ 2, SWAR.letters) }
        case .casedWithContractionSuffix:
            // ASCII letters are upper-ish or lower-ish, never both: the alternatives reduce to
            // prefix? [A-Z]*[a-z]+ and prefix? [A-Z]+[a-z]*, then an optional contraction.
            var start = -1
            if f0 & B.letter != 0 {
                start = i
            } else if f0 & (B.lineBreak | B.digit) == 0 && f1 & B.letter != 0 {
                start = i &+ 1
            }
            if start >= 0 {
                let j = SWAR.casedWordEnd(p, from: start)
                if p[j] >= 0x80 { return -1 }
                if p[j] == 0x27 {
                    let end = asciiContraction(at: j, p, caseInsensitive: true)
                    return end < 0 ? -1 : end == 0 ? j : end
                }
                return j
            }
        }
        if f0 & B.digit != 0 {
            var j = i &+ 1
            while j &- i < R.maximumDigits && f[Int(p[j])] & B.digit != 0 { j &+= 1 }
            return j &- i < R.maximumDigits && p[j] >= 0x80 ? -1 : j
        }
        if R.spaceBeforeDigits && b0 == 0x20 && f1 & B.digit != 0 {
            var j = i &+ 2
            while f[Int(p[j])] & B.digit != 0 { j &+= 1 }
            return p[j] >= 0x80 ? -1 : j
        }
        // Punctuation and symbols, with the optional leading space.
        var j: Int
        if f0 & B.other != 0 {
            j = i &+ 1
        } else if b0 == 0x20 && f1 & B.other != 0 {
            j = i &+ 2
        } else {
            // Whitespace (every other class was matched above).
            j = i &+ 1
            while f[Int(p[j])] & B.space != 0 { j &+= 1 }
            if p[j] >= 0x80 { return -1 }
            if R.newlineRule {
                // `\s*[\r\n]+`: backtracking leaves the match right after the last line break.
                var k = j
                while k > i {
                    let b = p[k &- 1]
                    if b == 0x0A || b == 0x0D { return k }
                    k &-= 1
                }
            }
            // `\s+(?!\S)` gives back the last space before the non-space; else `\s+` or `\s`.
            return j &- 1 > i ? j &- 1 : j
        }
        while f[Int(p[j])] & B.other != 0 { j &+= 1 }
        if p[j] >= 0x80 { return -1 }
        switch R.punctuation {
        case .plain: break
        case .trailingNewlines:
            while p[j] == 0x0A || p[j] == 0x0D { j &+= 1 }
        case .trailingNewlinesAndSlashes:
            while p[j] == 0x0A || p[j] == 0x0D || p[j] == 0x2F { j &+= 1 }
        }
        return j
    }

    /// The end of the ASCII run of `bits` from `j`, or -1 when a non-ASCII byte ends it.
    @inline(__always)
    static func asciiRunEnd(_ p: UnsafePointer<UInt8>, from j: Int, _ bits: (UInt64) -> UInt64) -> Int {
        let end = SWAR.runEnd(p, from: j, bits)
        return p[end] >= 0x80 ? -1 : end
    }

    /// A contraction (`'s 't 'm 'd 're 've 'll`) at `i` (an apostrophe) in ASCII: its end, 0 when
    /// there is none, -1 when a non-ASCII byte decides (`ſ` folds to `s`).
    @inline(__always)
    static func asciiContraction(at i: Int, _ p: UnsafePointer<UInt8>, caseInsensitive: Bool) -> Int {
        let b1 = p[i &+ 1]
        if b1 >= 0x80 { return -1 }
        let c1 = caseInsensitive ? b1 | 0x20 : b1
        if c1 == 0x73 || c1 == 0x74 || c1 == 0x6D || c1 == 0x64 { return i &+ 2 }   // s t m d
        guard c1 == 0x72 || c1 == 0x76 || c1 == 0x6C else { return 0 }               // r v l
        let b2 = p[i &+ 2]
        if b2 >= 0x80 { return -1 }
        let c2 = caseInsensitive ? b2 | 0x20 : b2
        return c2 == (c1 == 0x6C ? 0x6C : 0x65) ? i &+ 3 : 0                           // ll, re/ve
    }

    /// The end of a word match at `i`, or nil when no word alternative matches.
    @inline(__always)
    static func wordEnd(at i: Int, _ c0: Class, _ l0: Int, _ t: Cursor) -> Int? {
        switch R.words {
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
    static func upperThenLower(from a: Int, _ t: Cursor) -> Int? {
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
    static func upperThenOptionalLower(from a: Int, _ t: Cursor) -> Int? {
        guard a < t.count else { return nil }
        let b = t.run(from: a, while: { $0.contains(.upperish) })
        guard b > a else { return nil }
        return t.run(from: b, while: { $0.contains(.lowerish) })
    }

    @inline(__always)
    static func withContraction(_ end: Int, _ t: Cursor) -> Int {
        t.contraction(at: end, caseInsensitive: true) ?? end
    }
}
