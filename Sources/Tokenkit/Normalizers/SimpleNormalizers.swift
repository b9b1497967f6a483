/// Lowercases text (tokenizer.json `Lowercase`).
public struct LowercaseNormalizer: Normalizer {
    public init() {}
    public func normalize(_ text: inout NormalizedString) { text.lowercase() }
}

/// Removes leading and/or trailing whitespace (tokenizer.json `Strip`).
public struct StripNormalizer: Normalizer {
    public var left: Bool
    public var right: Bool
    public init(left: Bool = true, right: Bool = true) {
        self.left = left
        self.right = right
    }
    public func normalize(_ text: inout NormalizedString) { text.strip(left: left, right: right) }
}

/// Removes combining marks (tokenizer.json `StripAccents`; usually after NFD).
public struct StripAccentsNormalizer: Normalizer {
    public init() {}
    public func normalize(_ text: inout NormalizedString) {
        text.filter { !TokenizersCharacterProperties.isCombiningMark($0) }
    }
}

/// Prepends a string to non-empty text (tokenizer.json `Prepend`, e.g. SentencePiece's `▁`).
public struct PrependNormalizer: Normalizer {
    public var prefix: String
    public init(_ prefix: String) { self.prefix = prefix }
    public func normalize(_ text: inout NormalizedString) {
        if !text.isEmpty { text.prepend(prefix) }
    }
}

/// Replaces a string or regex match by a content (tokenizer.json `Replace`, normalizer or decoder).
public struct ReplaceNormalizer: Normalizer, Decoder {
    public var pattern: SplitPreTokenizer.Pattern
    public var content: String

    public init(pattern: SplitPreTokenizer.Pattern, content: String) {
        self.pattern = pattern
        self.content = content
    }

    func matches(in bytes: [UInt8]) -> [Range<Int>] {
        switch pattern {
        case let .string(literal): return literalMatches(of: Array(literal.utf8), in: bytes)
        case let .regex(regex): return bytes.withUnsafeBufferPointer { regex.matches(in: $0) }
        }
    }

    public func normalize(_ text: inout NormalizedString) {
        text.replace(matches: matches(in: text.normalized), with: content)
    }

    public func decodeChain(_ tokens: [String]) -> [String] {
        tokens.map { token in
            let bytes = Array(token.utf8)
            guard !bytes.isEmpty else { return token }
            var out: [UInt8] = []
            var last = 0
            for m in matches(in: bytes) {
                out += bytes[last..<m.lowerBound]
                out += Array(content.utf8)
                last = m.upperBound
            }
            out += bytes[last...]
            return String(decoding: out, as: UTF8.self)
        }
    }
}

/// The NMT normalizer (tokenizer.json `Nmt`): removes ASCII control characters and maps
/// other separators to spaces, as SentencePiece's nmt_nfkc rule does before NFKC.
public struct NmtNormalizer: Normalizer {
    public init() {}
    public func normalize(_ text: inout NormalizedString) {
        text.filter { scalar in
            switch scalar {
            case 0x01...0x08, 0x0B, 0x0E...0x1F, 0x7F, 0x8F, 0x9F: return false
            default: return true
            }
        }
        text.map { scalar in
            switch scalar {
            case 0x09, 0x0A, 0x0C, 0x0D, 0x1680, 0x200B...0x200F, 0x2028, 0x2029, 0x2581, 0xFEFF, 0xFFFD: return 0x20
            default: return scalar
            }
        }
    }
}

/// Rewrites every byte as its GPT-2 byte-level character (tokenizer.json `ByteLevel` normalizer).
public struct ByteLevelNormalizer: Normalizer {
    public init() {}
    public func normalize(_ text: inout NormalizedString) {
        if !text.isEmpty { text.mapBytesToByteLevelCharacters() }
    }
}
