/// WordPiece (BERT) tokenization: greedy longest-match-first over each word, continuation
/// pieces carrying a prefix (`##`); a word that cannot be covered becomes the unknown token.
public struct WordPieceModel: TokenizationModel {
    let vocabulary: ByteStringTable
    private let tokensByID: [TokenID: String]
    public let unknownToken: String
    public let continuingSubwordPrefix: String
    public let maximumInputCharactersPerWord: Int

    init(vocabulary: ByteStringTable, unknownToken: String, continuingSubwordPrefix: String, maximumInputCharactersPerWord: Int) {
        self.vocabulary = vocabulary
        self.unknownToken = unknownToken
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.maximumInputCharactersPerWord = maximumInputCharactersPerWord
        tokensByID = vocabulary.stringsByValue()
    }

    public var vocabularySize: Int { vocabulary.count }
    public func id(forToken token: String) -> TokenID? { vocabulary.value(for: token) }
    public func token(forID id: TokenID) -> String? { tokensByID[id] }

    private func unknown(_ length: Int) throws(TokenizationError) -> [Token] {
        guard let id = vocabulary.value(for: unknownToken) else { throw .unknownTokenMissing(unknownToken) }
        return [Token(id: id, value: unknownToken, offsets: 0..<length)]
    }

    public func tokenize(_ text: [UInt8]) throws(TokenizationError) -> [Token] {
        if text.scalarCount > maximumInputCharactersPerWord { return try unknown(text.count) }
        var tokens: [Token] = []
        let prefix = Array(continuingSubwordPrefix.utf8)
        var key: [UInt8] = []
        var start = 0
        while start < text.count {
            var end = text.count
            var found: Token?
            while start < end {
                key.removeAll(keepingCapacity: true)
                if start > 0 { key += prefix }
                key += text[start..<end]
                if let id = vocabulary.value(for: key) {
                    found = Token(id: id, value: String(decoding: key, as: UTF8.self), offsets: start..<end)
                    break
                }
                // Step back one scalar.
                end -= 1
                while end > start && text[end] & 0xC0 == 0x80 { end -= 1 }
            }
            guard let token = found else { return try unknown(text.count) }
            tokens.append(token)
            start = end
        }
        return tokens
    }
}
