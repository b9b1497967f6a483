/// Applies several normalizers in order (tokenizer.json `Sequence`).
public struct SequenceNormalizer: Normalizer {
    public var normalizers: [NormalizerComponent]
    public init(_ normalizers: [NormalizerComponent]) { self.normalizers = normalizers }

    public func normalize(_ text: inout NormalizedString) {
        for normalizer in normalizers { normalizer.normalize(&text) }
    }
}
