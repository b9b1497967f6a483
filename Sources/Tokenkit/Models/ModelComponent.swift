/// Every tokenization model Tokenkit implements; mirrors tokenizer.json's `model` field.
public enum ModelComponent: TokenizationModel {
    case bpe(BPEModel)
    case wordPiece(WordPieceModel)
    case wordLevel(WordLevelModel)
    case unigram(UnigramModel)
    case sentencePiece(SentencePieceModel)

    public func tokenize(_ text: [UInt8]) throws(TokenizationError) -> [Token] {
        switch self {
        case let .bpe(m): return try m.tokenize(text)
        case let .wordPiece(m): return try m.tokenize(text)
        case let .wordLevel(m): return try m.tokenize(text)
        case let .unigram(m): return try m.tokenize(text)
        case let .sentencePiece(m): return try m.tokenize(text)
        }
    }

    public func id(forToken token: String) -> TokenID? {
        switch self {
        case let .bpe(m): return m.id(forToken: token)
        case let .wordPiece(m): return m.id(forToken: token)
        case let .wordLevel(m): return m.id(forToken: token)
        case let .unigram(m): return m.id(forToken: token)
        case let .sentencePiece(m): return m.id(forToken: token)
        }
    }

    public func token(forID id: TokenID) -> String? {
        switch self {
        case let .bpe(m): return m.token(forID: id)
        case let .wordPiece(m): return m.token(forID: id)
        case let .wordLevel(m): return m.token(forID: id)
        case let .unigram(m): return m.token(forID: id)
        case let .sentencePiece(m): return m.token(forID: id)
        }
    }

    public var vocabularySize: Int {
        switch self {
        case let .bpe(m): return m.vocabularySize
        case let .wordPiece(m): return m.vocabularySize
        case let .wordLevel(m): return m.vocabularySize
        case let .unigram(m): return m.vocabularySize
        case let .sentencePiece(m): return m.vocabularySize
        }
    }
}
