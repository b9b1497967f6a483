/// Every normalizer Tokenkit implements; mirrors tokenizer.json's `normalizer` field.
public indirect enum NormalizerComponent: Normalizer {
    case unicode(UnicodeNormalizer)
    case sequence(SequenceNormalizer)
    case precompiled(PrecompiledNormalizer)
    case sentencePiece(SentencePieceNormalizer)

    public func normalize(_ text: inout NormalizedString) {
        switch self {
        case let .unicode(n): n.normalize(&text)
        case let .sequence(n): n.normalize(&text)
        case let .precompiled(n): n.normalize(&text)
        case let .sentencePiece(n): n.normalize(&text)
        }
    }
}
