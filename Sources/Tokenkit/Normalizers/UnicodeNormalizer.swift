/// Applies a Unicode normalization form (tokenizer.json `NFC`, `NFD`, `NFKC`, `NFKD`).
public struct UnicodeNormalizer: Normalizer {
    public var form: UnicodeNormalizationForm
    public init(form: UnicodeNormalizationForm) { self.form = form }

    public func normalize(_ text: inout NormalizedString) {
        text.normalize(form: form)
    }
}
