/// A compiled regular expression over UTF-8 text, with the exact matching
/// semantics of one reference engine (see `RegexDialect`).
///
/// Tokenkit uses it for `Split` pre-tokenizers and tiktoken split patterns
/// that have no specialised scanner. It is immutable and can be shared
/// between threads; every search allocates its own small backtracking state.
public struct UnicodeRegex: Sendable {
    public let pattern: String
    public let dialect: RegexDialect
    let program: RegexProgram
    private let wordCharacters: RegexScalarSet
    /// A hand-written scanner with the same matches, for the well-known tokenizer patterns.
    let scanner: KnownPatternScanner?

    /// Compiles `pattern`.
    /// - Throws: `RegexError` when the pattern is invalid in `dialect` or uses an unsupported feature.
    public init(_ pattern: String, dialect: RegexDialect) throws(RegexError) {
        self.pattern = pattern
        self.dialect = dialect
        let tree = try RegexParser.parse(pattern, dialect: dialect)
        program = try RegexCompiler.compile(tree, dialect: dialect, pattern: pattern)
        wordCharacters = RegexScalarSet(UnicodeProperties.wordCharacters(flavor: dialect.unicodeFlavor))
        scanner = KnownPatternScanner.forPattern(pattern, dialect: dialect)
    }

    /// The same regex without its specialised scanner (to test one against the other).
    var withoutScanner: UnicodeRegex {
        var copy = self
        copy.disableScanner()
        return copy
    }

    private mutating func disableScanner() {
        self = UnicodeRegex(pattern: pattern, dialect: dialect, program: program, wordCharacters: wordCharacters, scanner: nil)
    }

    private init(pattern: String, dialect: RegexDialect, program: RegexProgram, wordCharacters: RegexScalarSet, scanner: KnownPatternScanner?) {
        self.pattern = pattern
        self.dialect = dialect
        self.program = program
        self.wordCharacters = wordCharacters
        self.scanner = scanner
    }

    /// The leftmost match starting at or after byte offset `from`, as byte offsets.
    /// `text` must be valid UTF-8 and `from` a scalar boundary.
    public func firstMatch(in text: UnsafeBufferPointer<UInt8>, from: Int = 0) -> Range<Int>? {
        var matcher = RegexMatcher(program: program, text: text, wordCharacters: wordCharacters)
        return matcher.firstMatch(from: from)
    }

    /// Calls `body` with every successive non-overlapping match, in order, as the
    /// reference engine's iterator reports them (including its treatment of empty matches).
    public func forEachMatch(in text: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) throws -> Void) rethrows {
        if let scanner {
            try scanner.forEachMatch(in: text, body)
            return
        }
        var matcher = RegexMatcher(program: program, text: text, wordCharacters: wordCharacters)
        var searchFrom = 0
        var lastMatchEnd: Int? = nil
        while searchFrom <= text.count {
            guard let match = matcher.firstMatch(from: searchFrom) else { return }
            if match.isEmpty {
                // Both engines refuse an empty match right where the previous match ended.
                if match.upperBound == lastMatchEnd {
                    searchFrom = matcher.boundary(after: searchFrom)
                    continue
                }
                switch dialect {
                case .oniguruma: searchFrom = match.upperBound
                case .fancyRegex: searchFrom = matcher.boundary(after: match.upperBound)
                }
            } else {
                searchFrom = match.upperBound
            }
            lastMatchEnd = match.upperBound
            try body(match)
        }
    }

    /// All matches (see `forEachMatch(in:_:)`).
    public func matches(in text: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        forEachMatch(in: text) { result.append($0) }
        return result
    }

    /// All matches in a string, as byte offsets into its UTF-8 form.
    public func matches(in string: String) -> [Range<Int>] {
        var copy = string
        return copy.withUTF8 { matches(in: $0) }
    }
}
