/// SentencePiece's decoding of pieces to text (`SentencePieceProcessor::Decode`), for
/// `.model` files:
///
/// - control pieces (`<s>`, `</s>`) vanish; the unknown piece becomes `unk_surface` (" ⁇ ");
/// - runs of byte pieces (`<0xXX>`) are decoded as UTF-8, each malformed byte becoming U+FFFD;
/// - "▁" becomes a space, except that one "▁" starting the text is dropped when the
///   model adds a dummy prefix (with `remove_extra_whitespaces`, every "▁" that starts a
///   piece while the text is still empty is dropped);
/// - the denormalization rules of the model, if any, are applied to the result.
///
/// It works on piece strings, so it fits the `Decoder` protocol: in a SentencePiece model a
/// piece string identifies its id, and so its type.
public struct SentencePieceDecoder: Decoder {
    /// The type of a piece that does not decode as itself.
    enum Special: Sendable, Equatable {
        case control
        case unknown
        case byte(UInt8)
    }

    /// Control, unknown and byte pieces by their string.
    let specials: [String: Special]
    public let unknownSurface: String
    public let addDummyPrefix: Bool
    public let removeExtraWhitespaces: Bool
    /// The model's `denormalizer_spec` rules, when it has some.
    public let denormalizer: SentencePieceNormalizer?

    init(specials: [String: Special], unknownSurface: String, addDummyPrefix: Bool, removeExtraWhitespaces: Bool,
         denormalizer: SentencePieceNormalizer?) {
        self.specials = specials
        self.unknownSurface = unknownSurface
        self.addDummyPrefix = addDummyPrefix
        self.removeExtraWhitespaces = removeExtraWhitespaces
        self.denormalizer = denormalizer
    }

    /// The decoder of a model's pieces, with the model's normalizer settings.
    public init(model: SentencePieceModel, unknownSurface: String = " \u{2047} ", addDummyPrefix: Bool = true,
                removeExtraWhitespaces: Bool = true, denormalizer: SentencePieceNormalizer? = nil) {
        var specials: [String: Special] = [:]
        for id in 0..<model.vocabularySize {
            let special: Special
            switch model.types[id] {
            case .control: special = .control
            case .unknown: special = .unknown
            case .byte:
                guard let b = byteValue(ofPiece: Array(model.pieceBytes[model.pieceRange(id)])) else { continue }
                special = .byte(b)
            default: continue
            }
            specials[model.token(forID: TokenID(id))!] = special
        }
        self.init(specials: specials, unknownSurface: unknownSurface, addDummyPrefix: addDummyPrefix,
                  removeExtraWhitespaces: removeExtraWhitespaces, denormalizer: denormalizer)
    }

    public func decodeChain(_ tokens: [String]) -> [String] {
        var text: [UInt8] = []
        var pendingBytes: [UInt8] = []
        var expectsLeadingSpace = true
        var leadingSpaceSeen = false
        for token in tokens {
            let special = specials[token]
            if case let .byte(b) = special {
                pendingBytes.append(b)
                continue
            }
            Self.appendBytePieces(&pendingBytes, to: &text)
            if leadingSpaceSeen || !text.isEmpty { expectsLeadingSpace = false }
            switch special {
            case .control:
                leadingSpaceSeen = false
            case .unknown:
                text += unknownSurface.utf8
                leadingSpaceSeen = false
            default:
                var piece = Array(token.utf8)[...]
                var consumed = false
                if expectsLeadingSpace && (addDummyPrefix || removeExtraWhitespaces) {
                    if piece.starts(with: SentencePieceNormalizer.spaceSymbol) {
                        piece = piece.dropFirst(3)
                        consumed = true
                    }
                    // With extra whitespace removal, every leading "▁" goes until some text is out.
                    if removeExtraWhitespaces { consumed = false }
                }
                Self.appendReplacingSpaceSymbols(piece, to: &text)
                leadingSpaceSeen = consumed
            }
        }
        Self.appendBytePieces(&pendingBytes, to: &text)
        if let denormalizer { text = denormalizer.normalize(text) }
        return [String(decoding: text, as: UTF8.self)]
    }

    /// Decodes a run of byte pieces: valid UTF-8 characters as they are, any other byte as U+FFFD.
    private static func appendBytePieces(_ bytes: inout [UInt8], to text: inout [UInt8]) {
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBufferPointer { buffer in
            var i = 0
            while i < buffer.count {
                let length = sentencePieceValidUTF8Length(buffer, at: i)
                if length == 0 {
                    text += [0xEF, 0xBF, 0xBD]
                    i += 1
                } else {
                    text += buffer[i..<(i + length)]
                    i += length
                }
            }
        }
        bytes.removeAll(keepingCapacity: true)
    }

    private static func appendReplacingSpaceSymbols(_ piece: ArraySlice<UInt8>, to text: inout [UInt8]) {
        var i = piece.startIndex
        while i < piece.endIndex {
            if piece[i] == 0xE2, i + 2 < piece.endIndex, piece[i + 1] == 0x96, piece[i + 2] == 0x81 {
                text.append(0x20)
                i += 3
            } else {
                text.append(piece[i])
                i += 1
            }
        }
    }
}
