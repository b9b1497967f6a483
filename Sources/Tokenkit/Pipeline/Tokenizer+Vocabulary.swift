/// Vocabulary inspection for evaluation tools: which ids are unknown, byte-fallback or control
/// tokens, and which bytes each token stands for. Nothing here is on the encoding path.
extension Tokenizer {
    /// The id the model emits for text it cannot represent (`unk`), if the model has one and it
    /// is in the vocabulary. Byte-level BPE vocabularies (tiktoken, GPT-2 style) have none.
    public var unknownTokenID: TokenID? {
        switch model {
        case let .bpe(m): return m.options.unknownToken.flatMap { m.id(forToken: $0) }
        case let .wordPiece(m): return m.id(forToken: m.unknownToken)
        case let .wordLevel(m): return m.id(forToken: m.unknownToken)
        case let .unigram(m): return m.unknownID
        case let .sentencePiece(m): return m.unknownID
        }
    }

    /// The byte a byte-fallback token (`<0xNN>`) stands for, or nil when `id` is not one. Only
    /// models with byte fallback have such tokens: the single-byte tokens of byte-level BPE are
    /// ordinary tokens, not fallbacks.
    public func fallbackByte(ofID id: TokenID) -> UInt8? {
        let fallback: Bool
        switch model {
        case let .bpe(m): fallback = m.options.byteFallback && m.alphabet == .unicode
        case let .unigram(m): fallback = m.byteFallback
        case let .sentencePiece(m): fallback = m.type(ofID: id) == .byte
        case .wordPiece, .wordLevel: fallback = false
        }
        guard fallback, addedVocabulary.tokens[id] == nil, let token = model.token(forID: id) else { return nil }
        return byteValue(ofPiece: Array(token.utf8))
    }

    /// Whether `id` is a control token of the model itself rather than of the added vocabulary:
    /// SentencePiece's CONTROL, UNKNOWN and UNUSED pieces (`<s>`, `</s>`, `<unk>`), which no text
    /// encodes to.
    public func isModelControlToken(_ id: TokenID) -> Bool {
        guard case let .sentencePiece(m) = model, let type = m.type(ofID: id) else { return false }
        return type == .control || type == .unknown || type == .unused
    }

    /// Whether `id` is a word-internal piece of a WordPiece or BPE vocabulary with a continuing
    /// subword prefix (`##ing`): such a token only follows another token of the same word.
    public func isContinuingSubword(_ id: TokenID) -> Bool {
        let prefix: String?
        switch model {
        case let .wordPiece(m): prefix = m.continuingSubwordPrefix
        case let .bpe(m): prefix = m.options.continuingSubwordPrefix
        default: prefix = nil
        }
        guard let prefix, !prefix.isEmpty, addedVocabulary.tokens[id] == nil, let token = model.token(forID: id) else { return false }
        return token.hasPrefix(prefix)
    }

    /// The bytes token `id` stands for in text, as decoding it inside a sequence produces them:
    /// the raw bytes of byte-level BPE tokens, the byte of a `<0xNN>` fallback token, the piece
    /// with SentencePiece's word marker `▁` as a space, a WordPiece or BPE token without its
    /// continuing-subword prefix or end-of-word suffix, and an added token's content. Nil for an
    /// id that is not in the vocabulary.
    ///
    /// This is not `decodeBytes([id])`: that gives tiktoken's raw bytes but the stored strings of
    /// other vocabularies (`▁the`, `##ing`), and not `decode([id])`, whose decoders drop the
    /// leading space of the first token.
    public func tokenBytes(forID id: TokenID) -> [UInt8]? {
        if let added = addedVocabulary.tokens[id] { return Array(added.content.utf8) }
        if let byte = fallbackByte(ofID: id) { return [byte] }
        switch model {
        case let .bpe(m):
            if m.alphabet == .byteLevel {
                if let key = m.keyBytes(forID: id) { return Array(key) }
                return m.token(forID: id).map { Array($0.utf8) }
            }
            guard var token = m.token(forID: id) else { return nil }
            if let prefix = m.options.continuingSubwordPrefix, !prefix.isEmpty, token.hasPrefix(prefix) {
                token.removeFirst(prefix.count)
            }
            if let suffix = m.options.endOfWordSuffix, !suffix.isEmpty, token.hasSuffix(suffix) {
                token.removeLast(suffix.count)
            }
            return Self.replacingWordMarker(token)
        case let .wordPiece(m):
            guard var token = m.token(forID: id) else { return nil }
            if !m.continuingSubwordPrefix.isEmpty, token.hasPrefix(m.continuingSubwordPrefix) {
                token.removeFirst(m.continuingSubwordPrefix.count)
            }
            return Array(token.utf8)
        case let .wordLevel(m):
            return m.token(forID: id).map { Array($0.utf8) }
        case let .unigram(m):
            return m.token(forID: id).map(Self.replacingWordMarker)
        case let .sentencePiece(m):
            return m.token(forID: id).map(Self.replacingWordMarker)
        }
    }

    /// UTF-8 of `token` with every `▁` (U+2581, SentencePiece's space) as a space.
    private static func replacingWordMarker(_ token: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(token.utf8.count)
        let utf8 = Array(token.utf8)
        var i = 0
        while i < utf8.count {
            if i + 2 < utf8.count, utf8[i] == 0xE2, utf8[i + 1] == 0x96, utf8[i + 2] == 0x81 {
                bytes.append(0x20)
                i += 3
            } else {
                bytes.append(utf8[i])
                i += 1
            }
        }
        return bytes
    }

    /// The ids of the model's vocabulary (not the added tokens), ascending. Ids need not be
    /// dense (a tiktoken file may skip ranks), so ids are scanned until `model.vocabularySize`
    /// of them are found.
    /// - Complexity: O(largest id).
    public var modelTokenIDs: [TokenID] {
        let size = model.vocabularySize
        var ids: [TokenID] = []
        ids.reserveCapacity(size)
        var id: TokenID = 0
        // A gap wider than the vocabulary itself would be a malformed file; stop there.
        let limit = TokenID(clamping: 2 * size + 1024)
        while ids.count < size && id < limit {
            if model.token(forID: id) != nil { ids.append(id) }
            id += 1
        }
        return ids
    }

    /// The largest id in use plus one: the model's ids and the added tokens' (tiktoken's special
    /// tokens sit above the ranks, with gaps).
    public var idBound: Int {
        max(modelTokenIDs.last.map { Int($0) + 1 } ?? 0, addedVocabulary.tokens.keys.max().map { Int($0) + 1 } ?? 0)
    }

    /// Whether the model is BPE over the byte-level alphabet (GPT-2, tiktoken), whose tokens are
    /// raw bytes rather than text with a word marker.
    public var isByteLevelBPE: Bool {
        if case let .bpe(m) = model { return m.alphabet == .byteLevel }
        return false
    }
}
