/// Splits text with a regular expression or a literal string (tokenizer.json `Split`).
///
/// `invert` swaps what counts as a delimiter: with `invert: true` the pattern
/// describes the pieces rather than the delimiters.
public struct SplitPreTokenizer: PreTokenizer {
    public enum Pattern: Sendable {
        case string(String)
        case regex(UnicodeRegex)
    }

    public var pattern: Pattern
    public var behavior: SplitDelimiterBehavior
    public var invert: Bool

    public init(pattern: Pattern, behavior: SplitDelimiterBehavior, invert: Bool) {
        self.pattern = pattern
        self.behavior = behavior
        self.invert = invert
    }

    /// The byte ranges matched in `text`.
    func matches(in text: [UInt8]) -> [Range<Int>] {
        switch pattern {
        case let .regex(regex):
            return text.withUnsafeBufferPointer { regex.matches(in: $0) }
        case let .string(literal):
            return literalMatches(of: Array(literal.utf8), in: text)
        }
    }

    public func preTokenize(_ text: inout PreTokenizedString) {
        text.split { _, piece in
            var cover = coverWithMatches(matches(in: piece.normalized), length: piece.normalized.count)
            if invert {
                for i in cover.indices { cover[i].isMatch.toggle() }
            }
            return piece.split(cover, behavior: behavior)
        }
    }
}

/// Non-overlapping occurrences of a literal, left to right (an empty literal matches nothing).
func literalMatches(of needle: [UInt8], in haystack: [UInt8]) -> [Range<Int>] {
    guard !needle.isEmpty, needle.count <= haystack.count else { return [] }
    var result: [Range<Int>] = []
    var i = 0
    let last = haystack.count - needle.count
    while i <= last {
        if haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) {
            result.append(i..<(i + needle.count))
            i += needle.count
        } else {
            i += 1
        }
    }
    return result
}
