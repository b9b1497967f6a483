/// Every pre-tokenizer Tokenkit implements; mirrors tokenizer.json's `pre_tokenizer` field.
public indirect enum PreTokenizerComponent: PreTokenizer {
    case split(SplitPreTokenizer)
    case byteLevel(ByteLevelPreTokenizer)
    case bert(BertPreTokenizer)
    case whitespace(WhitespacePreTokenizer)
    case whitespaceSplit(WhitespaceSplitPreTokenizer)
    case metaspace(MetaspacePreTokenizer)
    case punctuation(PunctuationPreTokenizer)
    case digits(DigitsPreTokenizer)
    case characterDelimiter(CharacterDelimiterPreTokenizer)
    case unicodeScripts(UnicodeScriptsPreTokenizer)
    case fixedLength(FixedLengthPreTokenizer)
    case sequence(SequencePreTokenizer)

    public func preTokenize(_ text: inout PreTokenizedString) {
        switch self {
        case let .split(p): p.preTokenize(&text)
        case let .byteLevel(p): p.preTokenize(&text)
        case let .bert(p): p.preTokenize(&text)
        case let .whitespace(p): p.preTokenize(&text)
        case let .whitespaceSplit(p): p.preTokenize(&text)
        case let .metaspace(p): p.preTokenize(&text)
        case let .punctuation(p): p.preTokenize(&text)
        case let .digits(p): p.preTokenize(&text)
        case let .characterDelimiter(p): p.preTokenize(&text)
        case let .unicodeScripts(p): p.preTokenize(&text)
        case let .fixedLength(p): p.preTokenize(&text)
        case let .sequence(p): p.preTokenize(&text)
        }
    }

    /// True when this pre-tokenizer rewrites text into GPT-2's byte-level characters.
    var producesByteLevelText: Bool {
        switch self {
        case .byteLevel: return true
        case let .sequence(s): return s.preTokenizers.contains { $0.producesByteLevelText }
        default: return false
        }
    }
}
