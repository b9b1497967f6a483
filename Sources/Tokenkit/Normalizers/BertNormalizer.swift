/// BERT's normalizer (tokenizer.json `BertNormalizer`): removes control characters and
/// turns whitespace into spaces, pads CJK ideographs with spaces, strips accents and lowercases.
public struct BertNormalizer: Normalizer {
    public var cleanText: Bool
    public var handleChineseCharacters: Bool
    /// nil: follow `lowercase` (the original BERT behaviour).
    public var stripAccents: Bool?
    public var lowercase: Bool

    public init(cleanText: Bool = true, handleChineseCharacters: Bool = true, stripAccents: Bool? = nil, lowercase: Bool = true) {
        self.cleanText = cleanText
        self.handleChineseCharacters = handleChineseCharacters
        self.stripAccents = stripAccents
        self.lowercase = lowercase
    }

    public func normalize(_ text: inout NormalizedString) {
        if cleanText {
            text.filter { !(TokenizersCharacterProperties.isBertControl($0)) }
            text.map { TokenizersCharacterProperties.isBertWhitespace($0) ? 0x20 : $0 }
        }
        if handleChineseCharacters {
            var changes: [(scalar: UInt32, change: Int)] = []
            changes.reserveCapacity(text.normalized.count)
            var any = false
            text.normalized.forEachScalar { scalar in
                if TokenizersCharacterProperties.isChineseCharacter(scalar) {
                    changes.append((0x20, 0))
                    changes.append((scalar, 1))
                    changes.append((0x20, 1))
                    any = true
                } else {
                    changes.append((scalar, 0))
                }
            }
            if any { text.transform(changes, initialOffset: 0) }
        }
        if stripAccents ?? lowercase {
            text.normalize(form: .nfd)
            text.filter { !TokenizersCharacterProperties.isNonspacingMark($0) }
        }
        if lowercase { text.lowercase() }
    }
}
