// Performance notes: a .tiktoken file is 100k–200k lines of base64 and a rank.
// Lines are decoded straight from the file bytes into one key buffer; the
// merge table tiktoken never stores (it merges by looking up concatenations)
// is derived once here so that the same BPE core serves both formats.

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
    func readRanks(_ bytes: [UInt8]) throws(TokenizerLoadingError) -> ByteStringTable {
        var table = ByteStringTable(expectedCount: bytes.count / 12)
        var seenRanks = Set<UInt32>()
        var decoded: [UInt8] = []
        var lineNumber = 0
        var error: TokenizerLoadingError?
        bytes.withUnsafeBufferPointer { buffer in
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
                    error = malformed(line: lineNumber, "expected \"<base64 token> <rank>\", found no space")
                    return
                }
                decoded.removeAll(keepingCapacity: true)
                guard Base64.decode(UnsafeBufferPointer(rebasing: buffer[i..<space]), into: &decoded) else {
                    error = malformed(line: lineNumber, "invalid base64 token \(String(decoding: buffer[i..<space], as: UTF8.self).debugDescription)")
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
                    error = malformed(line: lineNumber, "expected a rank (a non-negative integer) after the token, found \(String(decoding: buffer[(space + 1)..<lineEnd], as: UTF8.self).debugDescription)")
                    return
                }
                guard seenRanks.insert(UInt32(rank)).inserted else {
                    error = malformed(line: lineNumber, "duplicate rank \(rank)")
                    return
                }
                if table.value(for: decoded) != nil {
                    error = malformed(line: lineNumber, "duplicate token \(String(decoding: buffer[i..<space], as: UTF8.self).debugDescription)")
                    return
                }
                table.set(decoded, UInt32(rank))
            }
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
        let model = BPEModel(alphabet: .byteLevel, vocabulary: ranks, merges: deriveMerges(ranks), options: options)
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

    /// tiktoken merges two adjacent parts when their concatenation is a token, lowest rank first.
    /// The equivalent pair table lists, for every token, each split into two tokens.
    static func deriveMerges(_ ranks: ByteStringTable) -> PairTable {
        var merges = PairTable(expectedCount: ranks.count * 2)
        ranks.forEach { key, rank in
            guard key.count >= 2 else { return }
            for k in 1..<key.count {
                guard let left = ranks.value(for: UnsafeBufferPointer(rebasing: key[..<k])),
                      let right = ranks.value(for: UnsafeBufferPointer(rebasing: key[k...])) else { continue }
                merges.set(left: left, right: right, rank: rank, result: rank)
            }
        }
        return merges
    }
}
