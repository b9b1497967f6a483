/// Byte-level post-processing (tokenizer.json `post_processor` of type `ByteLevel`):
/// with `trimOffsets`, offsets stop covering leading and trailing spaces of tokens.
public struct ByteLevelPostProcessor: PostProcessor {
    public var addPrefixSpace: Bool
    public var trimOffsets: Bool

    public init(addPrefixSpace: Bool = true, trimOffsets: Bool = true) {
        self.addPrefixSpace = addPrefixSpace
        self.trimOffsets = trimOffsets
    }

    public func addedTokenCount(isPair: Bool) -> Int { 0 }

    public func process(_ encodings: [Encoding], addSpecialTokens: Bool) -> [Encoding] {
        var encodings = encodings
        if trimOffsets {
            for i in encodings.indices {
                Self.trimOffsets(&encodings[i], addPrefixSpace: addPrefixSpace)
                for j in encodings[i].overflowing.indices {
                    Self.trimOffsets(&encodings[i].overflowing[j], addPrefixSpace: addPrefixSpace)
                }
            }
        }
        for i in encodings.indices { encodings[i].setSequenceID(i) }
        return encodings
    }

    /// `tokenizers`' `process_offsets`: counts leading/trailing `Ġ` or whitespace characters of each token
    /// and moves the offsets inwards by that many.
    static func trimOffsets(_ encoding: inout Encoding, addPrefixSpace: Bool) {
        let spaceCharacter = ByteLevelAlphabet.scalarForByte[0x20]
        func isSpace(_ s: Unicode.Scalar) -> Bool {
            s.value == spaceCharacter || TokenizersCharacterProperties.isRustWhitespace(s.value)
        }
        for i in encoding.tokens.indices {
            let scalars = encoding.tokens[i].unicodeScalars
            var leading = 0
            for s in scalars { if isSpace(s) { leading += 1 } else { break } }
            var trailing = 0
            for s in scalars.reversed() { if isSpace(s) { trailing += 1 } else { break } }
            guard leading > 0 || trailing > 0 else { continue }
            var start = encoding.offsets[i].lowerBound
            var end = encoding.offsets[i].upperBound
            if leading > 0 {
                let isFirst = i == 0 || start == 0
                if isFirst && addPrefixSpace && leading == 1 { leading = 0 }
                start = min(start + leading, end)
            }
            if trailing > 0 && end >= trailing {
                end = max(end - trailing, start)
            }
            encoding.offsets[i] = start..<end
        }
    }
}
