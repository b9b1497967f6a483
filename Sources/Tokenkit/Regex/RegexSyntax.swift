/// Which reference engine's syntax and semantics a pattern follows.
///
/// Tokenizer files carry regular expressions written for a specific engine:
/// `tokenizer.json` patterns are compiled by Oniguruma (Ruby syntax) inside
/// Hugging Face `tokenizers`, `.tiktoken` patterns by Rust's fancy-regex. The
/// two disagree on details that change token ids, e.g. `\p{N}{1,3}+` is a
/// possessive interval in fancy-regex but "one or more of `\p{N}{1,3}`" in
/// Oniguruma, and `$` is end-of-line in Oniguruma but end-of-text in
/// fancy-regex. Tokenkit's engine implements both.
public enum RegexDialect: Sendable, Equatable {
    /// Oniguruma with its default (Ruby) syntax, as used by `tokenizers`.
    case oniguruma
    /// fancy-regex on top of the `regex` crate, as used by tiktoken.
    case fancyRegex

    var unicodeFlavor: RegexUnicodeFlavor {
        switch self {
        case .oniguruma: return .oniguruma
        case .fancyRegex: return .rustRegex
        }
    }
}

/// A regular expression that could not be compiled.
public struct RegexError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The pattern is not valid in its dialect.
        case invalidPattern
        /// The pattern is valid but uses a feature Tokenkit does not implement.
        case unsupportedFeature
    }
    public var kind: Kind
    public var message: String
    public var pattern: String
    /// Position (in Unicode scalars) in the pattern where the problem was found.
    public var position: Int

    public var description: String {
        "\(kind == .invalidPattern ? "invalid" : "unsupported") regular expression at position \(position): \(message) (pattern: \(pattern))"
    }
}

/// Anchors and other zero-width assertions.
enum RegexAssertion: Sendable, Equatable {
    case lineStart, lineEnd          // ^ $ (multi-line meaning)
    case textStart, textEnd          // \A \z (and ^ $ without multi-line in the regex crate)
    case textEndBeforeNewline        // \Z
    case wordBoundary, notWordBoundary
    case searchStart                 // \G
}

enum RepetitionMode: Sendable, Equatable {
    case greedy, lazy, possessive
}

/// The parsed form of a pattern.
indirect enum RegexNode: Sendable {
    case empty
    case scalar(UInt32, caseInsensitive: Bool)
    case characterClass(RegexCharacterSet)
    case any(matchesNewline: Bool)
    case concatenation([RegexNode])
    case alternation([RegexNode])
    case repetition(RegexNode, min: Int, max: Int?, mode: RepetitionMode)
    case group(RegexNode)                       // capturing or not: captures are not reported
    case atomic(RegexNode)
    case lookahead(RegexNode, negated: Bool)
    case lookbehind(RegexNode, negated: Bool)
    case assertion(RegexAssertion)
}

/// A set of scalars as written in a pattern (a class, an escape like `\p{L}`),
/// already resolved to ranges.
struct RegexCharacterSet: Sendable {
    var ranges: UnicodeScalarRanges
}

/// Parses a pattern into a `RegexNode` following one dialect's rules.
struct RegexParser {
    private let dialect: RegexDialect
    private let pattern: String
    private let scalars: [UInt32]
    private var index = 0

    private struct Flags {
        var caseInsensitive = false
        var multiLine = false      // regex crate (?m): ^ and $ match at line boundaries
        var dotMatchesNewline = false
        var extended = false
        var swapGreed = false
    }
    private var flags = Flags()

    init(pattern: String, dialect: RegexDialect) {
        self.pattern = pattern
        self.dialect = dialect
        self.scalars = pattern.unicodeScalars.map(\.value)
    }

    static func parse(_ pattern: String, dialect: RegexDialect) throws(RegexError) -> RegexNode {
        var parser = RegexParser(pattern: pattern, dialect: dialect)
        let node = try parser.parseAlternation()
        if parser.index < parser.scalars.count {
            // Only an unbalanced ')' can stop the top-level alternation early.
            throw parser.error("unmatched ')'")
        }
        return node
    }

    // MARK: - Errors

    private func error(_ message: String, at position: Int? = nil) -> RegexError {
        RegexError(kind: .invalidPattern, message: message, pattern: pattern, position: position ?? index)
    }

    private func unsupported(_ message: String, at position: Int? = nil) -> RegexError {
        RegexError(kind: .unsupportedFeature, message: message, pattern: pattern, position: position ?? index)
    }

    // MARK: - Scanning helpers

    private var atEnd: Bool { index >= scalars.count }

    private func peek(_ offset: Int = 0) -> UInt32? {
        let i = index + offset
        return i < scalars.count ? scalars[i] : nil
    }

    private func peekIs(_ character: Character, _ offset: Int = 0) -> Bool {
        guard let s = peek(offset) else { return false }
        return s == character.unicodeScalars.first!.value
    }

    private mutating func skipExtendedWhitespaceAndComments() {
        guard flags.extended else { return }
        while let s = peek() {
            if s == 0x20 || s == 0x09 || s == 0x0A || s == 0x0D || s == 0x0B || s == 0x0C {
                index += 1
            } else if s == 0x23 { // '#': comment to end of line
                while let c = peek(), c != 0x0A { index += 1; _ = c }
            } else {
                break
            }
        }
    }

    // MARK: - Grammar

    private mutating func parseAlternation() throws(RegexError) -> RegexNode {
        var branches: [RegexNode] = []
        let savedFlags = flags
        branches.append(try parseConcatenation())
        while peekIs("|") {
            index += 1
            branches.append(try parseConcatenation())
        }
        // Inline flags like `(?i)` last until the end of the enclosing group.
        flags = savedFlags
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func parseConcatenation() throws(RegexError) -> RegexNode {
        var items: [RegexNode] = []
        while true {
            skipExtendedWhitespaceAndComments()
            guard let s = peek(), s != 0x7C /* | */, s != 0x29 /* ) */ else { break }
            let atomStart = index
            guard let atom = try parseAtom() else { continue }
            let quantified = try parseQuantifiers(atom, atomStart: atomStart)
            items.append(quantified)
        }
        switch items.count {
        case 0: return .empty
        case 1: return items[0]
        default: return .concatenation(items)
        }
    }

    /// Parses quantifiers following an atom (several may follow each other).
    private mutating func parseQuantifiers(_ atom: RegexNode, atomStart: Int) throws(RegexError) -> RegexNode {
        var node = atom
        while true {
            skipExtendedWhitespaceAndComments()
            guard let s = peek() else { return node }
            var min = 0
            var max: Int?
            let quantifierStart = index
            switch s {
            case 0x2A: min = 0; max = nil; index += 1       // *
            case 0x2B: min = 1; max = nil; index += 1       // +
            case 0x3F: min = 0; max = 1; index += 1         // ?
            case 0x7B:                                     // {
                guard let interval = parseInterval() else { return node }
                (min, max) = interval
            default:
                return node
            }
            if case .assertion = node, dialect == .fancyRegex {
                throw error("repetition of an assertion", at: quantifierStart)
            }
            if case .empty = node {
                throw error("target of repeat operator is not specified", at: quantifierStart)
            }
            let isInterval = s == 0x7B
            var mode: RepetitionMode = .greedy
            if peekIs("?") {
                index += 1
                mode = .lazy
            } else if peekIs("+") {
                // Oniguruma's Ruby syntax has no possessive intervals: `{n,m}+`
                // is the interval repeated one or more times.
                if !(isInterval && dialect == .oniguruma) {
                    index += 1
                    mode = .possessive
                }
            }
            if flags.swapGreed {
                if mode == .greedy { mode = .lazy } else if mode == .lazy { mode = .greedy }
            }
            if let max, max < min {
                throw error("invalid repetition range {\(min),\(max)}", at: quantifierStart)
            }
            node = .repetition(node, min: min, max: max, mode: mode)
        }
    }

    /// Parses `{n}`, `{n,}`, `{n,m}` (and `{,m}` in Oniguruma). Returns nil, without
    /// consuming anything, when the brace does not start a valid interval: both
    /// engines then treat `{` as a literal.
    private mutating func parseInterval() -> (Int, Int?)? {
        let start = index
        index += 1
        func number(_ parser: inout RegexParser) -> Int? {
            var value = 0
            var digits = 0
            while let s = parser.peek(), s >= 0x30, s <= 0x39 {
                value = min(value * 10 + Int(s - 0x30), 1_000_000)
                digits += 1
                parser.index += 1
            }
            return digits > 0 ? value : nil
        }
        let low = number(&self)
        var high: Int?
        var hasComma = false
        if peekIs(",") {
            hasComma = true
            index += 1
            high = number(&self)
        }
        guard peekIs("}") else { index = start; return nil }
        index += 1
        switch (low, hasComma, high) {
        case let (l?, false, _): return (l, l)
        case let (l?, true, h): return (l, h)
        case let (nil, true, h?) where dialect == .oniguruma: return (0, h)
        default:
            index = start
            return nil
        }
    }

    /// Parses one atom. Returns nil for constructs that produce nothing (inline flag groups).
    private mutating func parseAtom() throws(RegexError) -> RegexNode? {
        guard let s = peek() else { return nil }
        switch s {
        case 0x28: // (
            return try parseGroup()
        case 0x5B: // [
            index += 1
            return .characterClass(try parseClassBody())
        case 0x2E: // .
            index += 1
            return .any(matchesNewline: flags.dotMatchesNewline)
        case 0x5E: // ^
            index += 1
            switch dialect {
            case .oniguruma: return .assertion(.lineStart)
            case .fancyRegex: return .assertion(flags.multiLine ? .lineStart : .textStart)
            }
        case 0x24: // $
            index += 1
            switch dialect {
            case .oniguruma: return .assertion(.lineEnd)
            case .fancyRegex: return .assertion(flags.multiLine ? .lineEnd : .textEnd)
            }
        case 0x5C: // backslash
            return try parseEscape()
        case 0x2A, 0x2B, 0x3F: // * + ? with nothing to repeat
            throw error("target of repeat operator is not specified")
        case 0x7B: // {
            if dialect == .fancyRegex, parseIntervalLookahead() {
                throw error("repetition operator missing expression")
            }
            index += 1
            return literal(s)
        default:
            index += 1
            return literal(s)
        }
    }

    private mutating func parseIntervalLookahead() -> Bool {
        let saved = index
        defer { index = saved }
        return parseInterval() != nil
    }

    private func literal(_ scalar: UInt32) -> RegexNode {
        .scalar(scalar, caseInsensitive: flags.caseInsensitive)
    }

    private mutating func parseGroup() throws(RegexError) -> RegexNode? {
        let groupStart = index
        index += 1 // (
        var kind: (RegexNode) -> RegexNode = { .group($0) }
        let outerFlags = flags
        if peekIs("?") {
            index += 1
            guard let s = peek() else { throw error("end pattern in group", at: groupStart) }
            switch s {
            case 0x3A: index += 1                                   // (?:
            case 0x3E: index += 1; kind = { .atomic($0) }           // (?>
            case 0x3D: index += 1; kind = { .lookahead($0, negated: false) }   // (?=
            case 0x21: index += 1; kind = { .lookahead($0, negated: true) }    // (?!
            case 0x3C: // (?<= (?<! or (?<name>
                if peekIs("=", 1) {
                    index += 2; kind = { .lookbehind($0, negated: false) }
                } else if peekIs("!", 1) {
                    index += 2; kind = { .lookbehind($0, negated: true) }
                } else {
                    index += 1
                    try skipGroupName(terminator: 0x3E)
                }
            case 0x50 where dialect == .fancyRegex && peekIs("<", 1): // (?P<name>
                index += 2
                try skipGroupName(terminator: 0x3E)
            case 0x27 where dialect == .oniguruma: // (?'name'
                index += 1
                try skipGroupName(terminator: 0x27)
            case 0x23 where dialect == .oniguruma: // (?# comment )
                while let c = peek(), c != 0x29 { index += 1 }
                guard peekIs(")") else { throw error("end pattern in group", at: groupStart) }
                index += 1
                return nil
            case 0x7E where dialect == .oniguruma:
                throw unsupported("absent operator (?~...)", at: groupStart)
            default:
                // Inline flags: (?flags) or (?flags:...)
                let isScoped = try parseInlineFlags(groupStart: groupStart)
                if !isScoped {
                    // (?i) applies to the rest of the enclosing group; the caller restores flags.
                    return nil
                }
            }
        }
        let body = try parseAlternation()
        guard peekIs(")") else { throw error("end pattern with unmatched parenthesis", at: groupStart) }
        index += 1
        flags = outerFlags
        return kind(body)
    }

    private mutating func skipGroupName(terminator: UInt32) throws(RegexError) {
        let start = index
        while let s = peek(), s != terminator { index += 1 }
        guard peek() == terminator, index > start else { throw error("invalid group name", at: start) }
        index += 1
    }

    /// Parses the flags of `(?imsx-imsx)` or `(?imsx-imsx:`; returns true when a `:` starts a scoped group.
    private mutating func parseInlineFlags(groupStart: Int) throws(RegexError) -> Bool {
        var enable = true
        while let s = peek() {
            index += 1
            switch s {
            case 0x2D: enable = false                                   // -
            case 0x69: flags.caseInsensitive = enable                   // i
            case 0x6D:                                                  // m
                if dialect == .oniguruma { flags.dotMatchesNewline = enable } else { flags.multiLine = enable }
            case 0x73 where dialect == .fancyRegex: flags.dotMatchesNewline = enable   // s
            case 0x78: flags.extended = enable                          // x
            case 0x55 where dialect == .fancyRegex: flags.swapGreed = enable           // U
            case 0x75 where dialect == .fancyRegex: break               // u: Unicode is always on
            case 0x61 where dialect == .oniguruma, 0x64 where dialect == .oniguruma:
                // (?a) ASCII-only and (?d) default ranges change \w \d \s; not used by tokenizers' patterns.
                throw unsupported("option (?\(String(UnicodeScalar(UInt8(s)))))", at: groupStart)
            case 0x3A: return true                                      // :
            case 0x29: return false                                     // )
            default:
                throw error("undefined group option", at: index - 1)
            }
        }
        throw error("end pattern in group", at: groupStart)
    }

    // MARK: - Escapes

    private mutating func parseEscape() throws(RegexError) -> RegexNode? {
        let escapeStart = index
        index += 1
        guard let s = peek() else { throw error("end pattern at escape", at: escapeStart) }
        if let set = try parseSetEscape(s) {
            return .characterClass(set)
        }
        switch s {
        case 0x41: index += 1; return .assertion(.textStart)                 // \A
        case 0x7A: index += 1; return .assertion(.textEnd)                   // \z
        case 0x5A: index += 1; return .assertion(.textEndBeforeNewline)      // \Z
        case 0x62: index += 1; return .assertion(.wordBoundary)              // \b
        case 0x42: index += 1; return .assertion(.notWordBoundary)           // \B
        case 0x47: index += 1; return .assertion(.searchStart)               // \G
        case 0x31...0x39:
            throw unsupported("back-references", at: escapeStart)
        case 0x6B where peekIs("<", 1) || peekIs("'", 1):
            throw unsupported("back-references", at: escapeStart)
        case 0x4B, 0x58, 0x79, 0x59:   // \K \X \y \Y
            throw unsupported("escape \\\(String(UnicodeScalar(UInt8(s))))", at: escapeStart)
        case 0x52 where dialect == .oniguruma:   // \R
            throw unsupported("escape \\R", at: escapeStart)
        default:
            let scalar = try parseLiteralEscape(inClass: false)
            return literal(scalar)
        }
    }

    /// Escapes that denote a set of scalars: \d \D \w \W \s \S \h \H \p{..} \P{..}.
    private mutating func parseSetEscape(_ s: UInt32) throws(RegexError) -> RegexCharacterSet? {
        let flavor = dialect.unicodeFlavor
        var ranges: UnicodeScalarRanges
        switch s {
        case 0x64, 0x44: ranges = UnicodeProperties.digits(flavor: flavor)
        case 0x77, 0x57: ranges = UnicodeProperties.wordCharacters(flavor: flavor)
        case 0x73, 0x53: ranges = UnicodeProperties.whiteSpace(flavor: flavor)
        case 0x68 where dialect == .oniguruma, 0x48 where dialect == .oniguruma:
            ranges = UnicodeScalarRanges(ranges: [0x30...0x39, 0x41...0x46, 0x61...0x66])
        case 0x70, 0x50:
            index += 1
            var negated = s == 0x50
            var name: String
            if peekIs("{") {
                index += 1
                let start = index
                while let c = peek(), c != 0x7D { index += 1 }
                guard peekIs("}") else { throw error("invalid character property name", at: start) }
                var nameScalars = scalars[start..<index]
                index += 1
                if dialect == .oniguruma, nameScalars.first == 0x5E { // \p{^L}
                    negated.toggle()
                    nameScalars = nameScalars.dropFirst()
                }
                name = String(String.UnicodeScalarView(nameScalars.compactMap(Unicode.Scalar.init)))
            } else {
                guard let c = peek(), let u = Unicode.Scalar(c) else {
                    throw error("invalid character property name")
                }
                index += 1
                name = String(Character(u))
            }
            guard let found = UnicodeProperties.ranges(forProperty: name, flavor: flavor) else {
                throw error("invalid character property name {\(name)}")
            }
            ranges = negated ? found.inverted() : found
            return RegexCharacterSet(ranges: ranges)
        default:
            return nil
        }
        index += 1
        let isUpper = s >= 0x41 && s <= 0x5A
        return RegexCharacterSet(ranges: isUpper ? ranges.inverted() : ranges)
    }

    /// Parses an escape that stands for a single scalar; `index` is on the character after the backslash.
    private mutating func parseLiteralEscape(inClass: Bool) throws(RegexError) -> UInt32 {
        let start = index - 1
        guard let s = peek() else { throw error("end pattern at escape", at: start) }
        index += 1
        switch s {
        case 0x6E: return 0x0A   // \n
        case 0x74: return 0x09   // \t
        case 0x72: return 0x0D   // \r
        case 0x66: return 0x0C   // \f
        case 0x76: return 0x0B   // \v
        case 0x61: return 0x07   // \a
        case 0x65: return 0x1B   // \e
        case 0x62 where inClass: return 0x08 // [\b] is backspace
        case 0x30:               // \0, \0oo
            var value: UInt32 = 0
            var count = 0
            while count < 2, let c = peek(), c >= 0x30, c <= 0x37 {
                value = value * 8 + (c - 0x30); index += 1; count += 1
            }
            return value
        case 0x78:               // \xHH or \x{H...}
            if peekIs("{") {
                index += 1
                return try parseHexDigits(minimum: 1, maximum: 8, terminator: 0x7D, escapeStart: start)
            }
            return try parseHexDigits(minimum: dialect == .oniguruma ? 1 : 2, maximum: 2, terminator: nil, escapeStart: start)
        case 0x75:               // \uHHHH, \u{H...}
            if peekIs("{") {
                index += 1
                return try parseHexDigits(minimum: 1, maximum: 8, terminator: 0x7D, escapeStart: start)
            }
            return try parseHexDigits(minimum: 4, maximum: 4, terminator: nil, escapeStart: start)
        case 0x55 where dialect == .fancyRegex: // \UHHHHHHHH
            if peekIs("{") {
                index += 1
                return try parseHexDigits(minimum: 1, maximum: 8, terminator: 0x7D, escapeStart: start)
            }
            return try parseHexDigits(minimum: 8, maximum: 8, terminator: nil, escapeStart: start)
        case 0x63 where dialect == .oniguruma: // \cX control
            guard let c = peek() else { throw error("end pattern at control", at: start) }
            index += 1
            return c & 0x1F
        default:
            let isASCIIAlphanumeric = (s >= 0x30 && s <= 0x39) || (s >= 0x41 && s <= 0x5A) || (s >= 0x61 && s <= 0x7A)
            if isASCIIAlphanumeric {
                if dialect == .fancyRegex {
                    throw error("unrecognized escape sequence \\\(String(UnicodeScalar(UInt8(s))))", at: start)
                }
                // Oniguruma takes unknown alphabetic escapes literally.
                return s
            }
            return s
        }
    }

    private mutating func parseHexDigits(minimum: Int, maximum: Int, terminator: UInt32?, escapeStart: Int) throws(RegexError) -> UInt32 {
        var value: UInt32 = 0
        var count = 0
        while count < maximum, let c = peek(), let digit = hexValue(c) {
            value = value * 16 + digit
            index += 1
            count += 1
        }
        if let terminator {
            guard peek() == terminator else { throw error("invalid code point value", at: escapeStart) }
            index += 1
        }
        guard count >= minimum else { throw error("too short escape sequence", at: escapeStart) }
        guard value <= 0x10FFFF, !(0xD800...0xDFFF).contains(value) else {
            throw error("invalid code point value", at: escapeStart)
        }
        return value
    }

    private func hexValue(_ c: UInt32) -> UInt32? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    // MARK: - Character classes

    /// Parses a bracketed class after its '['. Handles negation, ranges, escapes,
    /// POSIX brackets, nested classes and `&&` intersections.
    private mutating func parseClassBody() throws(RegexError) -> RegexCharacterSet {
        let classStart = index - 1
        var negated = false
        if peekIs("^") { negated = true; index += 1 }
        var result: UnicodeScalarRanges? = nil     // accumulated intersection operands
        var current = UnicodeScalarRanges(ranges: [])
        var members: [ClosedRange<UInt32>] = []
        var first = true
        func flushMembers(_ members: inout [ClosedRange<UInt32>], into current: inout UnicodeScalarRanges) {
            if !members.isEmpty {
                current = current.union(UnicodeScalarRanges(ranges: members))
                members.removeAll()
            }
        }
        while true {
            guard let s = peek() else { throw error("premature end of char-class", at: classStart) }
            if s == 0x5D && !(first && dialect == .oniguruma && false) { // ]
                if first && dialect == .fancyRegex {
                    // `[]...]` : a leading ']' is literal in the regex crate.
                    index += 1
                    members.append(0x5D...0x5D)
                    first = false
                    continue
                }
                index += 1
                break
            }
            first = false
            if s == 0x26 && peekIs("&", 1) { // &&
                index += 2
                flushMembers(&members, into: &current)
                result = result.map { $0.intersection(current) } ?? current
                current = UnicodeScalarRanges(ranges: [])
                continue
            }
            if dialect == .fancyRegex && (s == 0x2D && peekIs("-", 1) || s == 0x7E && peekIs("~", 1)) {
                throw unsupported("class set difference '--' / symmetric difference '~~'")
            }
            if s == 0x5B { // [ : nested class or POSIX bracket
                if peekIs(":", 1), let posix = try parsePosixBracket() {
                    flushMembers(&members, into: &current)
                    current = current.union(posix)
                    continue
                }
                index += 1
                let nested = try parseClassBody()
                flushMembers(&members, into: &current)
                current = current.union(nested.ranges)
                continue
            }
            // A single scalar or a set escape, possibly starting a range.
            let low: UInt32
            if s == 0x5C {
                index += 1
                guard let e = peek() else { throw error("premature end of char-class", at: classStart) }
                if let set = try parseSetEscape(e) {
                    flushMembers(&members, into: &current)
                    current = current.union(set.ranges)
                    continue
                }
                low = try parseLiteralEscape(inClass: true)
            } else {
                index += 1
                low = s
            }
            if peekIs("-"), let next = peek(1), next != 0x5D {
                // A range a-b.
                index += 1
                let high: UInt32
                if next == 0x5C {
                    index += 1
                    guard let e = peek() else { throw error("premature end of char-class", at: classStart) }
                    if "dDwWsShHpP".unicodeScalars.contains(where: { $0.value == e }) {
                        throw error("char-class value at end of range")
                    }
                    high = try parseLiteralEscape(inClass: true)
                } else if next == 0x5B {
                    throw error("char-class value at end of range")
                } else {
                    index += 1
                    high = next
                }
                guard low <= high else { throw error("empty range in char class") }
                members.append(low...high)
            } else {
                members.append(low...low)
            }
        }
        flushMembers(&members, into: &current)
        var set = result.map { $0.intersection(current) } ?? current
        if flags.caseInsensitive {
            set = UnicodeProperties.caseClosure(of: set, flavor: dialect.unicodeFlavor)
        }
        if negated { set = set.inverted() }
        return RegexCharacterSet(ranges: set)
    }

    /// Parses `[:name:]` or `[:^name:]` at `index` (on the '['); returns nil, consuming
    /// nothing, when this is not a POSIX bracket.
    private mutating func parsePosixBracket() throws(RegexError) -> UnicodeScalarRanges? {
        let start = index
        index += 2
        var negated = false
        if peekIs("^") { negated = true; index += 1 }
        let nameStart = index
        while let c = peek(), (c >= 0x61 && c <= 0x7A) { index += 1 }
        guard peekIs(":"), peekIs("]", 1) else { index = start; return nil }
        let name = String(String.UnicodeScalarView(scalars[nameStart..<index].compactMap(Unicode.Scalar.init)))
        index += 2
        guard let set = PosixClass.ranges(named: name, dialect: dialect) else {
            throw error("invalid POSIX bracket type [:\(name):]", at: start)
        }
        return negated ? set.inverted() : set
    }
}

/// POSIX bracket expressions (`[[:alpha:]]`): ASCII-only in the regex crate,
/// Unicode-aware in Oniguruma. The sets are probed from each engine (see
/// scripts/generate_unicode_tables.py), because Oniguruma's documentation and
/// its behaviour differ (e.g. `[[:punct:]]` includes symbols).
enum PosixClass {
    /// In the order of the generator's POSIX keys, which follow `\s \w \d`.
    static let names = ["alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print",
                        "punct", "space", "upper", "word", "xdigit"]

    static func ranges(named name: String, dialect: RegexDialect) -> UnicodeScalarRanges? {
        guard let i = names.firstIndex(of: name) else { return nil }
        return UnicodeRegexData.sets.set(UnicodeGeneratedRegexTables.perlBase + 3 + i, dialect.unicodeFlavor)
    }
}
