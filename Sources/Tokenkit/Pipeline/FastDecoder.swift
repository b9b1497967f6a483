// Performance notes: decoding a byte-level BPE tokenizer is a concatenation
// of token bytes, checked as UTF-8 only when a token is part of a character. Each id maps through one table
// entry (where its bytes start, how many, and flags); an entry without flags
// is a key of at most 32 bytes, copied as two 16-byte vector loads and stores into a
// buffer that has room for 32 bytes per id, so the common case has one branch
// and no length pass. Long keys and added tokens (which reach the decoder as
// strings; their bytes are precomputed) are rare and take a checked route.

/// Decodes ids of byte-level BPE tokenizers (tiktoken files, and tokenizer.json files whose
/// decoder is `ByteLevel`) without building token strings.
///
/// It gives the same text as the general path: for tokenizer.json, the ByteLevel decoder maps
/// every token's characters back to bytes and repairs the whole as UTF-8, which is what the
/// concatenation of the raw keys is.
final class FastDecoder: Sendable {
    /// Per id: start << 32 | length << 8 | flags, the bytes being in `keys`, or in `extraBytes`
    /// for the `added` flag.
    private let spans: [UInt64]
    /// The vocabulary's key bytes (shared with the model, not copied).
    private let keys: [UInt8]
    /// The bytes of added tokens and of model tokens outside the byte-level alphabet, end to end.
    private let extraBytes: [UInt8]
    /// tiktoken raises on an unknown id; tokenizers skips it.
    let unknownIDsThrow: Bool

    private static let added: UInt64 = 1, special: UInt64 = 2, unknown: UInt64 = 4
    /// A key that cannot be moved as two vectors: longer than `wordCopy`, or too near the end of `keys`.
    private static let long: UInt64 = 8
    /// Bytes that are not well-formed UTF-8 on their own (part of a character): the text they
    /// are in must be checked and repaired. Text made of well-formed tokens only is well-formed
    /// and becomes a `String` without validation. (Neither text flag leaves the fast path.)
    private static let partial: UInt64 = 16
    /// Bytes that are not all ASCII.
    private static let nonASCII: UInt64 = 32
    /// How many bytes the fast path moves per token (two 16-byte vectors); also the room kept
    /// per id still to come. 32 covers the indentation runs of code.
    private static let wordCopy = 32

    private static func textFlags(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        if bytes.allSatisfy({ $0 < 0x80 }) { return 0 }
        return (try? UTF8Span(validating: bytes.span)) == nil ? partial | nonASCII : nonASCII
    }

    init?(format: Tokenizer.Format, model: ModelComponent, decoder: DecoderComponent?, addedVocabulary: AddedVocabulary) {
        guard case let .bpe(bpe) = model, bpe.alphabet == .byteLevel else { return nil }
        switch format {
        case .tiktoken:
            unknownIDsThrow = true
        case .huggingFace, .gguf:
            guard case .byteLevel? = decoder else { return nil }
            unknownIDsThrow = false
        case .sentencePiece:
            return nil
        }
        keys = bpe.vocabulary.keyBytes
        // Starts are 32-bit and lengths 24-bit; a vocabulary beyond that decodes on the general path.
        guard keys.count < 1 << 32 else { return nil }
        func span(start: Int, count: Int, flags: UInt64) -> UInt64? {
            count < 1 << 24 ? UInt64(start) << 32 | UInt64(count) << 8 | flags : nil
        }
        var spans = [UInt64](repeating: Self.unknown, count: bpe.idUpperBound)
        let keyCount = keys.count
        let complete = keys.withUnsafeBufferPointer { keys in
            for id in 0..<spans.count {
                guard let range = bpe.keyRange(of: TokenID(id)) else { continue }
                let long = range.count > Self.wordCopy || range.lowerBound + Self.wordCopy > keyCount
                let flags = (long ? Self.long : 0) | Self.textFlags(UnsafeBufferPointer(rebasing: keys[range]))
                guard let entry = span(start: range.lowerBound, count: range.count, flags: flags) else { return false }
                spans[id] = entry
            }
            return true
        }
        guard complete else { return nil }
        var extraBytes: [UInt8] = []
        func setExtra(_ id: TokenID, _ bytes: [UInt8], special: Bool) -> Bool {
            if Int(id) >= spans.count { spans += [UInt64](repeating: Self.unknown, count: Int(id) + 1 - spans.count) }
            guard extraBytes.count + bytes.count < 1 << 32,
                  let entry = span(start: extraBytes.count, count: bytes.count,
                                   flags: Self.added | (special ? Self.special : 0) | bytes.withUnsafeBufferPointer(Self.textFlags))
            else { return false }
            spans[Int(id)] = entry
            extraBytes += bytes
            return true
        }
        // Model tokens outside the byte-level alphabet are strings (the decoder keeps their UTF-8).
        for (id, string) in bpe.extraTokenStrings {
            guard setExtra(id, ByteLevelAlphabet.decode(string) ?? Array(string.utf8), special: addedVocabulary.isSpecial(string)) else { return nil }
        }
        for (id, token) in addedVocabulary.tokens {
            // As the general path: tiktoken returns special tokens as their UTF-8; the ByteLevel
            // decoder maps a token's characters to bytes (or keeps its UTF-8 when it cannot).
            let text = format == .tiktoken ? token.content : addedVocabulary.decodingString(forID: id) ?? token.content
            let bytes = format == .tiktoken ? Array(text.utf8) : ByteLevelAlphabet.decode(text) ?? Array(text.utf8)
            guard setExtra(id, bytes, special: addedVocabulary.isSpecial(text)) else { return nil }
        }
        if format != .tiktoken {
            // tokenizers skips any token whose string is special content, model tokens included.
            for token in addedVocabulary.tokens.values where token.special {
                if let modelID = bpe.id(forToken: token.content), Int(modelID) < spans.count { spans[Int(modelID)] |= Self.special }
            }
        }
        self.spans = spans
        self.extraBytes = extraBytes
    }

    /// The raw bytes of `ids` (tiktoken's `decode_bytes`); throws on an unknown id when tiktoken would.
    func decodeBytes(_ ids: [TokenID], skipSpecialTokens: Bool) throws(TokenizationError) -> [UInt8] {
        try withDecodedBytes(ids, skipSpecialTokens: skipSpecialTokens) { bytes, _ in Array(bytes) }
    }

    /// The text of `ids`, invalid UTF-8 replaced by U+FFFD as the reference libraries do.
    func decode(_ ids: [TokenID], skipSpecialTokens: Bool) throws(TokenizationError) -> String {
        try withDecodedBytes(ids, skipSpecialTokens: skipSpecialTokens) { bytes, flags in
            // Validating costs as much as the copy; only text with a token that is part of a
            // character needs it (Swift's repairing initializer replaces as the references do).
            guard flags & Self.partial == 0 else { return String(decoding: bytes, as: UTF8.self) }
            return String(copying: UTF8Span(unchecked: bytes.span, isKnownASCII: flags & Self.nonASCII == 0))
        }
    }

    /// Writes the bytes of `ids` to a scratch buffer in one pass and hands them to `body`, with
    /// the union of the tokens' `partial` and `nonASCII` flags.
    ///
    /// The buffer always keeps room for `wordCopy` bytes per id still to come, which every key on the
    /// fast path fits (it is moved as two 8-byte words whatever its length); flagged entries
    /// check that room and grow the buffer.
    private func withDecodedBytes<R>(_ ids: [TokenID], skipSpecialTokens: Bool,
                                     _ body: (UnsafeBufferPointer<UInt8>, UInt64) -> R) throws(TokenizationError) -> R {
        var capacity = ids.count * Self.wordCopy + 64
        var base = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { base.deallocate() }
        var o = 0
        var textFlags: UInt64 = 0
        let skipMask = skipSpecialTokens ? Self.special : 0
        try spans.withUnsafeBufferPointer { (spans) throws(TokenizationError) in
            try keys.withUnsafeBufferPointer { (keys) throws(TokenizationError) in
                try extraBytes.withUnsafeBufferPointer { (extra) throws(TokenizationError) in
                    try ids.withUnsafeBufferPointer { (ids) throws(TokenizationError) in
                        var out = base, written = 0, seen: UInt64 = 0
                        defer { base = out; o = written; textFlags = seen }
                        for index in ids.indices {
                            let id = ids[index]
                            let s = Int(id) < spans.count ? spans[Int(id)] : Self.unknown
                            let start = Int(truncatingIfNeeded: s >> 32)
                            let length = Int(truncatingIfNeeded: (s >> 8) & 0xFF_FFFF)
                            if _fastPath(s & (0xFF & ~(Self.nonASCII | Self.partial)) == 0) {
                                seen |= s
                                let raw = UnsafeRawPointer(keys.baseAddress! + start)
                                let target = UnsafeMutableRawPointer(out + written)
                                target.storeBytes(of: raw.loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
                                target.storeBytes(of: raw.loadUnaligned(fromByteOffset: 16, as: SIMD16<UInt8>.self), toByteOffset: 16, as: SIMD16<UInt8>.self)
                                written &+= length
                                continue
                            }
                            if s & skipMask != 0 { continue }
                            if s & Self.unknown != 0 {
                                if unknownIDsThrow { throw .unknownTokenID(id) }
                                continue
                            }
                            seen |= s
                            // (Out of line: computed here, the room still needed becomes a counter the
                            // fast path would update for every id.)
                            Self.ensureRoom(&out, &capacity, written: written, adding: length, idsAfter: ids.count - index)
                            let source = (s & Self.added != 0 ? extra.baseAddress! : keys.baseAddress!) + start
                            (out + written).update(from: source, count: length)
                            written &+= length
                        }
                    }
                }
            }
        }
        return body(UnsafeBufferPointer(start: base, count: o), textFlags & (Self.partial | Self.nonASCII))
    }

    /// Grows the buffer when `adding` bytes would leave less than `wordCopy` bytes of room per id still to come.
    @inline(never)
    private static func ensureRoom(_ out: inout UnsafeMutablePointer<UInt8>, _ capacity: inout Int, written: Int, adding length: Int, idsAfter: Int) {
        let needed = written + length + idsAfter * wordCopy + 64
        guard needed > capacity else { return }
        capacity = max(needed, capacity * 2)
        out = moved(out, count: written, toCapacity: capacity)
    }

    @inline(never)
    private static func moved(_ buffer: UnsafeMutablePointer<UInt8>, count: Int, toCapacity capacity: Int) -> UnsafeMutablePointer<UInt8> {
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        grown.update(from: buffer, count: count)
        buffer.deallocate()
        return grown
    }
}
