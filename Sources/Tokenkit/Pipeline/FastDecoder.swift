// Performance notes: decoding a byte-level BPE tokenizer is a concatenation
// of token bytes, checked as UTF-8 only when a token is part of a character.
// Each id maps to one 16-byte entry holding the token's bytes themselves (up
// to 14), their count and flags, so the common case reads one cache line per
// id and moves the entry as one vector store into a buffer that keeps room
// for 32 bytes per id: one branch, no length pass, no second lookup. Keys of
// 15 to 32 bytes (the indentation runs of code) are copied from the
// vocabulary as two vectors; longer keys and added tokens (which reach the
// decoder as strings; their bytes are precomputed) are rare and take a
// checked route.

/// Decodes ids of byte-level BPE tokenizers (tiktoken files, and tokenizer.json files whose
/// decoder is `ByteLevel`) without building token strings.
///
/// It gives the same text as the general path: for tokenizer.json, the ByteLevel decoder maps
/// every token's characters back to bytes and repairs the whole as UTF-8, which is what the
/// concatenation of the raw keys is.
final class FastDecoder: Sendable {
    /// Per id, 16 bytes: the token's bytes in the first 14 when they fit (`inlineLength`), else
    /// where they start in `keys` (or `extraBytes` with `added`) as a UInt64 and their count as a
    /// UInt32 after it; then the inline length and the flags.
    private nonisolated(unsafe) let entries: UnsafeMutableRawPointer
    private let entryCount: Int
    /// The vocabulary's key bytes (shared with the model, not copied).
    private let keys: [UInt8]
    /// The bytes of added tokens and of model tokens outside the byte-level alphabet, end to end.
    private let extraBytes: [UInt8]
    /// tiktoken raises on an unknown id; tokenizers skips it.
    let unknownIDsThrow: Bool

    private static let added: UInt8 = 1, special: UInt8 = 2, unknown: UInt8 = 4
    /// Bytes kept in `keys` rather than in the entry: more than `inlineLength` of them.
    private static let outOfLine: UInt8 = 8
    /// Bytes that are not well-formed UTF-8 on their own (part of a character): the text they
    /// are in must be checked and repaired. Text made of well-formed tokens only is well-formed
    /// and becomes a `String` without validation. (Neither text flag leaves the fast path.)
    private static let partial: UInt8 = 16
    /// Bytes that are not all ASCII.
    private static let nonASCII: UInt8 = 32
    /// Keys too long for two vectors, or too near the end of `keys` to load 32 bytes from them.
    private static let long: UInt8 = 64
    /// How many key bytes an entry holds.
    private static let inlineLength = 14
    /// How many bytes the out-of-line path moves per token (two 16-byte vectors); also the room
    /// kept per id still to come. 32 covers the indentation runs of code.
    private static let wordCopy = 32

    @inline(__always)
    private static func textFlags(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt8 {
        // (One OR over the bytes first: most tokens are ASCII.)
        var seen: UInt8 = 0
        for b in bytes { seen |= b }
        if seen < 0x80 { return 0 }
        return isWellFormedUTF8(bytes) ? nonASCII : partial | nonASCII
    }

    /// Writes the entry of `id`: `bytes` (from `source` at `start`), with `flags`.
    private static func setEntry(_ entries: UnsafeMutableRawPointer, _ id: Int, bytes: UnsafeBufferPointer<UInt8>,
                                 start: Int, flags: UInt8, isExtra: Bool, sourceCount: Int) {
        let entry = entries + 16 &* id
        entry.initializeMemory(as: UInt8.self, repeating: 0, count: 16)
        var flags = flags | textFlags(bytes)
        if bytes.count <= inlineLength && !isExtra {
            if let base = bytes.baseAddress { entry.copyMemory(from: base, byteCount: bytes.count) }
            entry.storeBytes(of: UInt8(bytes.count), toByteOffset: 14, as: UInt8.self)
        } else {
            flags |= outOfLine
            if isExtra || bytes.count > wordCopy || start + wordCopy > sourceCount { flags |= long }
            entry.storeBytes(of: UInt64(start), as: UInt64.self)
            entry.storeBytes(of: UInt32(bytes.count), toByteOffset: 8, as: UInt32.self)
        }
        entry.storeBytes(of: flags, toByteOffset: 15, as: UInt8.self)
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
        // Starts and lengths are 32-bit; a vocabulary beyond that decodes on the general path.
        guard keys.count < 1 << 32 else { return nil }
        // Model tokens outside the byte-level alphabet are strings (the decoder keeps their UTF-8).
        var extras: [(id: TokenID, bytes: [UInt8], special: Bool)] = bpe.extraTokenStrings.map { id, string in
            (id, ByteLevelAlphabet.decode(string) ?? Array(string.utf8), addedVocabulary.isSpecial(string))
        }
        for (id, token) in addedVocabulary.tokens {
            // As the general path: tiktoken returns special tokens as their UTF-8; the ByteLevel
            // decoder maps a token's characters to bytes (or keeps its UTF-8 when it cannot).
            let text = format == .tiktoken ? token.content : addedVocabulary.decodingString(forID: id) ?? token.content
            let bytes = format == .tiktoken ? Array(text.utf8) : ByteLevelAlphabet.decode(text) ?? Array(text.utf8)
            extras.append((id, bytes, addedVocabulary.isSpecial(text)))
        }
        let count = max(bpe.idUpperBound, (extras.map { Int($0.id) }.max() ?? -1) + 1)
        let entries = UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * 16, alignment: 16)
        keys.withUnsafeBufferPointer { keys in
            for id in 0..<count {
                guard id < bpe.idUpperBound, let range = bpe.keyRange(of: TokenID(id)) else {
                    // Unknown until an added token takes the id below.
                    (entries + 16 &* id).initializeMemory(as: UInt8.self, repeating: 0, count: 15)
                    (entries + 16 &* id).storeBytes(of: Self.unknown, toByteOffset: 15, as: UInt8.self)
                    continue
                }
                Self.setEntry(entries, id, bytes: UnsafeBufferPointer(rebasing: keys[range]), start: range.lowerBound,
                              flags: 0, isExtra: false, sourceCount: keys.count)
            }
        }
        var extraBytes: [UInt8] = []
        for extra in extras {
            extra.bytes.withUnsafeBufferPointer { bytes in
                Self.setEntry(entries, Int(extra.id), bytes: bytes, start: extraBytes.count,
                              flags: Self.added | (extra.special ? Self.special : 0), isExtra: true, sourceCount: 0)
            }
            extraBytes += extra.bytes
        }
        guard extraBytes.count < 1 << 32 else {
            entries.deallocate()
            return nil
        }
        if format != .tiktoken {
            // tokenizers skips any token whose string is special content, model tokens included.
            for token in addedVocabulary.tokens.values where token.special {
                if let modelID = bpe.id(forToken: token.content), Int(modelID) < count {
                    let flags = entries.load(fromByteOffset: 16 * Int(modelID) + 15, as: UInt8.self)
                    entries.storeBytes(of: flags | Self.special, toByteOffset: 16 * Int(modelID) + 15, as: UInt8.self)
                }
            }
        }
        self.entries = entries
        self.entryCount = count
        self.extraBytes = extraBytes
    }

    deinit { entries.deallocate() }

    /// The raw bytes of `ids` (tiktoken's `decode_bytes`); throws on an unknown id when tiktoken would.
    func decodeBytes(_ ids: [TokenID], skipSpecialTokens: Bool) throws(TokenizationError) -> [UInt8] {
        try withDecodedBytes(ids, skipSpecialTokens: skipSpecialTokens) { bytes, _ in Array(bytes) }
    }

    /// The text of `ids`, invalid UTF-8 replaced by U+FFFD as the reference libraries do.
    func decode(_ ids: [TokenID], skipSpecialTokens: Bool) throws(TokenizationError) -> String {
        try withDecodedBytes(ids, skipSpecialTokens: skipSpecialTokens) { bytes, flags in
            // Validating costs as much as the copy; only text with a token that is part of a
            // character needs it, and only text that fails it needs the repairing initializer
            // (which replaces as the references do).
            guard flags & Self.partial == 0 || isWellFormedUTF8(bytes) else { return String(decoding: bytes, as: UTF8.self) }
            return String(copying: UTF8Span(unchecked: bytes.span, isKnownASCII: flags & Self.nonASCII == 0))
        }
    }

    /// Writes the bytes of `ids` to a scratch buffer in one pass and hands them to `body`, with
    /// the union of the tokens' `partial` and `nonASCII` flags.
    ///
    /// The buffer always keeps room for `wordCopy` bytes per id still to come, which every entry
    /// on the fast paths fits (an inline entry is stored whole, 16 bytes, whatever its length; a key
    /// of up to 32 bytes is moved as two vectors); `long` entries check that room and grow the buffer.
    private func withDecodedBytes<R>(_ ids: [TokenID], skipSpecialTokens: Bool,
                                     _ body: (UnsafeBufferPointer<UInt8>, UInt8) -> R) throws(TokenizationError) -> R {
        var capacity = ids.count * Self.wordCopy + 64
        var base = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { base.deallocate() }
        var o = 0
        var textFlags: UInt8 = 0
        let skipMask = skipSpecialTokens ? Self.special : 0
        let entries = UnsafeRawPointer(self.entries), entryCount = self.entryCount
        try keys.withUnsafeBufferPointer { (keys) throws(TokenizationError) in
            try extraBytes.withUnsafeBufferPointer { (extra) throws(TokenizationError) in
                try ids.withUnsafeBufferPointer { (ids) throws(TokenizationError) in
                    var out = base, written = 0, seen: UInt8 = 0
                    defer { base = out; o = written; textFlags = seen }
                    /// Stores the bytes held in `entry` itself, as one vector whatever their count.
                    @inline(__always) func storeInline(_ entry: UnsafeRawPointer) {
                        UnsafeMutableRawPointer(out + written).storeBytes(of: entry.load(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
                        written &+= Int(entry.load(fromByteOffset: 14, as: UInt8.self))
                    }
                    for index in ids.indices {
                        let id = Int(ids[index])
                        guard _fastPath(id < entryCount) else {
                            if unknownIDsThrow { throw .unknownTokenID(ids[index]) }
                            continue
                        }
                        let entry = entries + 16 &* id
                        let flags = entry.load(fromByteOffset: 15, as: UInt8.self)
                        if _fastPath(flags & ~(Self.nonASCII | Self.partial) == 0) {
                            seen |= flags
                            storeInline(entry)
                            continue
                        }
                        let start = Int(truncatingIfNeeded: entry.load(as: UInt64.self))
                        let length = Int(entry.load(fromByteOffset: 8, as: UInt32.self))
                        if flags & ~(Self.nonASCII | Self.partial | Self.outOfLine) == 0 {
                            seen |= flags
                            let raw = UnsafeRawPointer(keys.baseAddress! + start)
                            let target = UnsafeMutableRawPointer(out + written)
                            target.storeBytes(of: raw.loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
                            target.storeBytes(of: raw.loadUnaligned(fromByteOffset: 16, as: SIMD16<UInt8>.self), toByteOffset: 16, as: SIMD16<UInt8>.self)
                            written &+= length
                            continue
                        }
                        if flags & skipMask != 0 { continue }
                        if flags & Self.unknown != 0 {
                            if unknownIDsThrow { throw .unknownTokenID(ids[index]) }
                            continue
                        }
                        seen |= flags
                        if flags & Self.outOfLine == 0 {
                            // (A special token of the model, kept: its bytes are in the entry.)
                            storeInline(entry)
                            continue
                        }
                        // (Out of line: computed here, the room still needed becomes a counter the
                        // fast path would update for every id.)
                        Self.ensureRoom(&out, &capacity, written: written, adding: length, idsAfter: ids.count - index)
                        let source = (flags & Self.added != 0 ? extra.baseAddress! : keys.baseAddress!) + start
                        (out + written).update(from: source, count: length)
                        written &+= length
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
