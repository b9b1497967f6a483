/// Every normalizer Tokenkit implements; mirrors tokenizer.json's `normalizer` field.
public indirect enum NormalizerComponent: Normalizer {
    case unicode(UnicodeNormalizer)
    case sequence(SequenceNormalizer)

    public func normalize(_ text: inout NormalizedString) {
        switch self {
        case let .unicode(n): n.normalize(&text)
        case let .sequence(n): n.normalize(&text)
        }
    }
}
