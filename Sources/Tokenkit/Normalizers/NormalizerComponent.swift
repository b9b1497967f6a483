/// Every normalizer Tokenkit implements; mirrors tokenizer.json's `normalizer` field.
public indirect enum NormalizerComponent: Normalizer {
    case unicode(UnicodeNormalizer)
    case bert(BertNormalizer)
    case lowercase(LowercaseNormalizer)
    case strip(StripNormalizer)
    case stripAccents(StripAccentsNormalizer)
    case replace(ReplaceNormalizer)
    case prepend(PrependNormalizer)
    case nmt(NmtNormalizer)
    case byteLevel(ByteLevelNormalizer)
    case sequence(SequenceNormalizer)
    case precompiled(PrecompiledNormalizer)
    case sentencePiece(SentencePieceNormalizer)

    public func normalize(_ text: inout NormalizedString) {
        switch self {
        case let .unicode(n): n.normalize(&text)
        case let .bert(n): n.normalize(&text)
        case let .lowercase(n): n.normalize(&text)
        case let .strip(n): n.normalize(&text)
        case let .stripAccents(n): n.normalize(&text)
        case let .replace(n): n.normalize(&text)
        case let .prepend(n): n.normalize(&text)
        case let .nmt(n): n.normalize(&text)
        case let .byteLevel(n): n.normalize(&text)
        case let .sequence(n): n.normalize(&text)
        case let .precompiled(n): n.normalize(&text)
        case let .sentencePiece(n): n.normalize(&text)
        }
    }

    /// True when this normalizer rewrites text into GPT-2's byte-level characters.
    var producesByteLevelText: Bool {
        switch self {
        case .byteLevel: return true
        case let .sequence(s): return s.normalizers.contains { $0.producesByteLevelText }
        default: return false
        }
    }
}
