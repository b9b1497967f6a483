/// Every decoder Tokenkit implements; mirrors tokenizer.json's `decoder` field.
public indirect enum DecoderComponent: Decoder {
    case byteLevel(ByteLevelDecoder)
    case sentencePiece(SentencePieceDecoder)

    public func decodeChain(_ tokens: [String]) -> [String] {
        switch self {
        case let .byteLevel(d): return d.decodeChain(tokens)
        case let .sentencePiece(d): return d.decodeChain(tokens)
        }
    }

    /// Decodes token strings to text.
    public func decode(_ tokens: [String]) -> String {
        decodeChain(tokens).joined()
    }
}
