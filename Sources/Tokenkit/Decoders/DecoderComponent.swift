/// Every decoder Tokenkit implements; mirrors tokenizer.json's `decoder` field.
public indirect enum DecoderComponent: Decoder {
    case byteLevel(ByteLevelDecoder)
    case wordPiece(WordPieceDecoder)
    case metaspace(MetaspacePreTokenizer)
    case byteFallback(ByteFallbackDecoder)
    case fuse(FuseDecoder)
    case strip(StripDecoder)
    case replace(ReplaceNormalizer)
    case bpe(BPESuffixDecoder)
    case ctc(CTCDecoder)
    case sequence(SequenceDecoder)
    case sentencePiece(SentencePieceDecoder)

    public func decodeChain(_ tokens: [String]) -> [String] {
        switch self {
        case let .byteLevel(d): return d.decodeChain(tokens)
        case let .wordPiece(d): return d.decodeChain(tokens)
        case let .metaspace(d): return d.decodeChain(tokens)
        case let .byteFallback(d): return d.decodeChain(tokens)
        case let .fuse(d): return d.decodeChain(tokens)
        case let .strip(d): return d.decodeChain(tokens)
        case let .replace(d): return d.decodeChain(tokens)
        case let .bpe(d): return d.decodeChain(tokens)
        case let .ctc(d): return d.decodeChain(tokens)
        case let .sequence(d): return d.decodeChain(tokens)
        case let .sentencePiece(d): return d.decodeChain(tokens)
        }
    }

    /// Decodes token strings to text.
    public func decode(_ tokens: [String]) -> String {
        decodeChain(tokens).joined()
    }
}
