// Pre-tokenizers that split on classes of characters (tokenizers' `Fn(char) -> bool` patterns:
// every matching scalar is a delimiter of its own).

/// The byte ranges of the scalars of `bytes` for which `predicate` is true.
func scalarMatches(in bytes: [UInt8], where predicate: (UInt32) -> Bool) -> [Range<Int>] {
    var result: [Range<Int>] = []
    bytes.withUnsafeBufferPointer { buffer in
        var i = 0
        while i < buffer.count {
            let (scalar, length) = UTF8.decode(buffer, at: i)
            if predicate(scalar) { result.append(i..<(i + length)) }
            i += length
        }
    }
    return result
}

extension PreTokenizedString {
    /// Splits every untokenized piece at the scalars matching `predicate`.
    mutating func split(where predicate: (UInt32) -> Bool, behavior: SplitDelimiterBehavior) {
        split { _, piece in
            let matches = scalarMatches(in: piece.normalized, where: predicate)
            return piece.split(coverWithMatches(matches, length: piece.normalized.count), behavior: behavior)
        }
    }
}

/// BERT's pre-tokenizer (tokenizer.json `BertPreTokenizer`): splits on whitespace (removed)
/// and isolates every punctuation character.
public struct BertPreTokenizer: PreTokenizer {
    public init() {}
    public func preTokenize(_ text: inout PreTokenizedString) {
        text.split(where: TokenizersCharacterProperties.isRustWhitespace, behavior: .removed)
        text.split(where: TokenizersCharacterProperties.isPunctuation, behavior: .isolated)
    }
}

/// Splits on whitespace, removing it (tokenizer.json `WhitespaceSplit`).
public struct WhitespaceSplitPreTokenizer: PreTokenizer {
    public init() {}
    public func preTokenize(_ text: inout PreTokenizedString) {
        text.split(where: TokenizersCharacterProperties.isRustWhitespace, behavior: .removed)
    }
}

/// Splits into runs of word characters and runs of other non-space characters
/// (tokenizer.json `Whitespace`: the regex `\w+|[^\w\s]+` of Rust's regex crate).
public struct WhitespacePreTokenizer: PreTokenizer {
    private static let regex = try! UnicodeRegex(#"\w+|[^\w\s]+"#, dialect: .fancyRegex)
    public init() {}
    public func preTokenize(_ text: inout PreTokenizedString) {
        SplitPreTokenizer(pattern: .regex(Self.regex), behavior: .removed, invert: true).preTokenize(&text)
    }
}

/// Isolates (or otherwise splits on) punctuation (tokenizer.json `Punctuation`).
public struct PunctuationPreTokenizer: PreTokenizer {
    public var behavior: SplitDelimiterBehavior
    public init(behavior: SplitDelimiterBehavior = .isolated) { self.behavior = behavior }
    public func preTokenize(_ text: inout PreTokenizedString) {
        text.split(where: TokenizersCharacterProperties.isPunctuation, behavior: behavior)
    }
}

/// Splits digits from the rest, one by one or in runs (tokenizer.json `Digits`).
public struct DigitsPreTokenizer: PreTokenizer {
    public var individualDigits: Bool
    public init(individualDigits: Bool = false) { self.individualDigits = individualDigits }
    public func preTokenize(_ text: inout PreTokenizedString) {
        text.split(where: TokenizersCharacterProperties.isRustNumeric, behavior: individualDigits ? .isolated : .contiguous)
    }
}

/// Splits on one delimiter character, removing it (tokenizer.json `CharDelimiterSplit`).
public struct CharacterDelimiterPreTokenizer: PreTokenizer {
    public var delimiter: UInt32
    public init(delimiter: UInt32) { self.delimiter = delimiter }
    public func preTokenize(_ text: inout PreTokenizedString) {
        let d = delimiter
        text.split(where: { $0 == d }, behavior: .removed)
    }
}

/// Cuts text into pieces of a fixed number of characters (tokenizer.json `FixedLength`).
public struct FixedLengthPreTokenizer: PreTokenizer {
    public var length: Int
    public init(length: Int = 5) { self.length = length }
    public func preTokenize(_ text: inout PreTokenizedString) {
        let length = max(1, self.length)
        text.split { _, piece in
            var pieces: [NormalizedString] = []
            var start = 0
            var count = 0
            var i = 0
            let bytes = piece.normalized
            while i < bytes.count {
                i += UTF8.scalarLength(leadByte: bytes[i])
                count += 1
                if count == length || i == bytes.count {
                    if let slice = piece.slice(normalized: start..<i) { pieces.append(slice) }
                    start = i
                    count = 0
                }
            }
            return pieces
        }
    }
}

/// Splits where the Unicode script changes (tokenizer.json `UnicodeScripts`), with
/// tokenizers' own script table: spaces and unknown characters join the previous script,
/// and Hiragana, Katakana and U+30FC count as Han. Like tokenizers, text before the
/// first character with a script is dropped.
public struct UnicodeScriptsPreTokenizer: PreTokenizer {
    public init() {}
    public func preTokenize(_ text: inout PreTokenizedString) {
        text.split { _, piece in
            var cuts: [Int] = []
            var last: UInt16? = nil
            var offset = 0
            piece.normalized.forEachScalar { scalar in
                let script = TokenizersCharacterProperties.tokenizersScriptID(scalar)
                if script != 0 && last != 0 && last != script { cuts.append(offset) }
                if script != 0 { last = script }
                offset += UTF8.byteCount(of: scalar)
            }
            cuts.append(piece.normalized.count)
            guard cuts.count >= 2 else { return [] }
            return (0..<(cuts.count - 1)).compactMap { piece.slice(normalized: cuts[$0]..<cuts[$0 + 1]) }
        }
    }
}
