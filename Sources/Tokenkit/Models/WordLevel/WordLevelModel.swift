/// Word-level tokenization (tokenizer.json `WordLevel`): each pre-tokenized word is looked
/// up whole; unknown words become the unknown token.
public struct WordLevelModel: TokenizationModel {
    let vocabulary: ByteStringTable
    private let tokensByID: [TokenID: String]
    public let unknownToken: String

    init(vocabulary: ByteStringTable, unknownToken: String) {
        self.vocabulary = vocabulary
        self.unknownToken = unknownToken
        tokensByID = vocabulary.stringsByValue()
    }

    public var vocabularySize: Int { vocabulary.count }
    public func id(forToken token: String) -> TokenID? { vocabulary.value(for: token) }
    public func token(forID id: TokenID) -> String? { tokensByID[id] }

    public func tokenize(_ text: [UInt8]) throws(TokenizationError) -> [Token] {
        if let id = vocabulary.value(for: text) {
            return [Token(id: id, value: String(decoding: text, as: UTF8.self), offsets: 0..<text.count)]
        }
        guard let id = vocabulary.value(for: unknownToken) else { throw .unknownTokenMissing(unknownToken) }
        return [Token(id: id, value: unknownToken, offsets: 0..<text.count)]
    }
}
