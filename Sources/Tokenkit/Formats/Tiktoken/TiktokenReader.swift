// Performance notes: a .tiktoken file is 100k–200k lines of base64 and a rank.
// Lines are decoded straight from the file bytes into one key buffer, with one
// hash-table probe per token (insertion and the duplicate check are one step).
// No merge table is built: like tiktoken, the model merges two parts when
// their concatenation is a token (see `BPEModel.mergesByConcatenation`).

/// Reads tiktoken's `.tiktoken` rank files (one `base64-token rank` per line).
struct TiktokenReader {
    let file: String

    /// Split pattern and special tokens, from a sidecar file, built-in knowledge or the caller.
    struct Configuration: Sendable {
        var pattern: String
        var specialTokens: [(String, TokenID)]
    }

    func malformed(line: Int, _ message: String) -> TokenizerLoadingError {
        TokenizerLoadingError(.malformed, file: file, "line \(line): \(message)")
    }

    /// Parses the rank file into raw token bytes → rank.
    static let insertBatch = 32

    func readRanks(_ bytes: [UInt8]) throws(TokenizerLoadingError) -> ByteStringTable {
        let lineCount = bytes.reduce(into: 0) { count, byte in if byte == 0x0A { count += 1 } } + 1
        var table = ByteStringTable(compactFor: lineCount)
        // Ranks seen: a bitmap for the usual dense ranks, a set for any beyond.
        var seenDense = [UInt64](repeating: 0, count: lineCount / 16 + 1)
        var seenSparse = Set<UInt32>()
        // Tokens are decoded into `keys` and inserted 32 at a time, their index slots requested
        // first: each insert is a miss in an index of several MB.
        var pending: [(start: Int, length: Int, hash: UInt64, rank: UInt32, line: Int, base64: Range<Int>)] = []
        pending.reserveCapacity(Self.insertBatch)
        var keys: [UInt8] = []
        var lineNumber = 0
        var error: TokenizerLoadingError?
        bytes.withUnsafeBufferPointer { buffer in
            // Inserts the pending tokens in order; false after a duplicate (then `error` is set).
            func flush() -> Bool {
                defer {
                    pending.removeAll(keepingCapacity: true)
                    keys.removeAll(keepingCapacity: true)
                }
                table.prefetchSlots(hashes: pending.lazy.map { $0.hash })
                return keys.withUnsafeBufferPointer { keys in
                    for token in pending {
                        let key = UnsafeBufferPointer(rebasing: keys[token.start..<(token.start + token.length)])
                        guard table.insertNew(key, token.rank, hash: token.hash) else {
                            error = malformed(line: token.line, "duplicate token \(String(decoding: buffer[token.base64], as: UTF8.self).debugDescription)")
                            return false
                        }
                    }
                    return true
                }
            }
            // A bad line, reported after any duplicate token above it.
            func fail(_ message: @autoclosure () -> String) {
                if flush() { error = malformed(line: lineNumber, message()) }
            }
            var i = 0
            let n = buffer.count
            while i < n {
                lineNumber += 1
                var end = i
                while end < n && buffer[end] != 0x0A { end += 1 }
                var lineEnd = end
                if lineEnd > i && buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                defer { i = end + 1 }
                if lineEnd == i { continue }  // tiktoken skips empty lines
                guard let space = (i..<lineEnd).first(where: { buffer[$0] == 0x20 }) else {
                    fail("expected \"<base64 token> <rank>\", found no space")
                    return
                }
                let start = keys.count
                guard Base64.decode(UnsafeBufferPointer(rebasing: buffer[i..<space]), into: &keys) else {
                    fail("invalid base64 token \(String(decoding: buffer[i..<space], as: UTF8.self).debugDescription)")
                    return
                }
                var rank: UInt64 = 0
                var digits = 0
                var j = space + 1
                while j < lineEnd, buffer[j] >= 0x30, buffer[j] <= 0x39 {
                    rank = rank * 10 + UInt64(buffer[j] - 0x30)
                    if rank > UInt64(UInt32.max) { break }
                    digits += 1
                    j += 1
                }
                guard digits > 0, j == lineEnd, rank <= UInt64(UInt32.max) else {
                    fail("expected a rank (a non-negative integer) after the token, found \(String(decoding: buffer[(space + 1)..<lineEnd], as: UTF8.self).debugDescription)")
                    return
                }
                let word = Int(rank >> 6)
                let isNew: Bool
                if word < seenDense.count {
                    isNew = seenDense[word] & (1 << (rank & 63)) == 0
                    seenDense[word] |= 1 << (rank & 63)
                } else {
                    isNew = seenSparse.insert(UInt32(rank)).inserted
                }
                guard isNew else {
                    fail("duplicate rank \(rank)")
                    return
                }
                let hash = keys.withUnsafeBufferPointer { ByteStringTable.hash(UnsafeBufferPointer(rebasing: $0[start...])) }
                pending.append((start, keys.count - start, hash, UInt32(rank), lineNumber, i..<space))
                if pending.count == Self.insertBatch, !flush() { return }
            }
            _ = flush()
        }
        if let error { throw error }
        if table.count == 0 { throw TokenizerLoadingError(.malformed, file: file, "no tokens found (expected lines \"<base64 token> <rank>\")") }
        return table
    }

    /// Builds the tokenizer from ranks and configuration.
    static func makeTokenizer(ranks: ByteStringTable, configuration: Configuration, file: String) throws(TokenizerLoadingError) -> Tokenizer {
        let regex: UnicodeRegex
        do {
            regex = try UnicodeRegex(configuration.pattern, dialect: .fancyRegex)
        } catch {
            let kind: TokenizerLoadingError.Kind = error.kind == .unsupportedFeature ? .unsupported : .malformed
            throw TokenizerLoadingError(kind, file: file, "split pattern: \(error.description)")
        }
        var options = BPEModel.Options()
        options.ignoreMerges = true
        let model = BPEModel(tiktokenRanks: ranks, options: options)
        // tiktoken keeps only what the pattern matches: text between matches is dropped.
        let preTokenizer = PreTokenizerComponent.sequence(SequencePreTokenizer([
            .split(SplitPreTokenizer(pattern: .regex(regex), behavior: .removed, invert: true)),
            .byteLevel(ByteLevelPreTokenizer(addPrefixSpace: false, trimOffsets: false, useRegex: false)),
        ]))
        var added = AddedVocabulary()
        added.add(fixed: configuration.specialTokens.map { ($0.1, AddedToken($0.0, special: true, normalized: false)) })
        return Tokenizer(format: .tiktoken, normalizer: nil, preTokenizer: preTokenizer, model: .bpe(model),
                         postProcessor: nil, decoder: .byteLevel(ByteLevelDecoder()), addedVocabulary: added,
                         truncation: nil, padding: nil)
    }

}
