// Performance notes: the vocabulary and merges of large tokenizers (o200k: 200k
// tokens, 446k merges) dominate loading time. Keys are read as byte slices of
// the JSON text (no String per token), decoded from GPT-2 characters to raw
// bytes in place for byte-level vocabularies, and merges are resolved to id
// pairs through the byte-keyed table.

extension TokenizerJSONReader {
    func readBPE(_ v: JSONValue, _ path: String, byteLevelText: Bool) throws(TokenizerLoadingError) -> BPEModel {
        var options = BPEModel.Options()
        options.unknownToken = try string(v, "unk_token", path)
        options.continuingSubwordPrefix = try string(v, "continuing_subword_prefix", path)
        options.endOfWordSuffix = try string(v, "end_of_word_suffix", path)
        options.fuseUnknown = try bool(v, "fuse_unk", path, default: false)
        options.byteFallback = try bool(v, "byte_fallback", path, default: false)
        options.ignoreMerges = try bool(v, "ignore_merges", path, default: false)
        if let d = optional(v, "dropout") {
            guard let p = d.double, p >= 0, p <= 1 else {
                throw malformed(d, "field \(path).dropout: expected a probability between 0 and 1")
            }
            options.dropout = Float(p)
        }
        let alphabet: BPEModel.Alphabet = byteLevelText ? .byteLevel : .unicode

        // Vocabulary.
        let vocabValue = try require(v, "vocab", path)
        _ = try wrap { () throws(JSONError) in try vocabValue.expectObject(path: path + ".vocab") }
        var vocabulary = ByteStringTable(expectedCount: vocabValue.count)
        var extraTokens: [String: TokenID] = [:]
        var raw: [UInt8] = []
        try vocabValue.forEachMember { (key, value) throws(TokenizerLoadingError) in
            guard let n = value.int, n >= 0, n <= Int(UInt32.max) else {
                throw malformed(value, "field \(path).vocab[\(key.string?.debugDescription ?? "?")]: expected a token id (a non-negative integer), found \(value.kind)")
            }
            let id = TokenID(n)
            key.withStringBytes { bytes in
                switch alphabet {
                case .unicode:
                    vocabulary.set(bytes, id)
                case .byteLevel:
                    raw.removeAll(keepingCapacity: true)
                    if ByteLevelAlphabet.decode(utf8: bytes, into: &raw) {
                        vocabulary.set(raw, id)
                    } else {
                        extraTokens[String(decoding: bytes, as: UTF8.self)] = id
                    }
                }
            }
        }

        // Merges.
        let mergesValue = try array(v, "merges", path)
        var merges = PairTable(expectedCount: mergesValue.count)
        let prefixLength = options.continuingSubwordPrefix?.utf8.count ?? 0
        var left: [UInt8] = []
        var right: [UInt8] = []
        var merged: [UInt8] = []
        func lookup(_ tokenUTF8: [UInt8]) -> TokenID? {
            switch alphabet {
            case .unicode:
                return vocabulary.value(for: tokenUTF8)
            case .byteLevel:
                var rawKey: [UInt8] = []
                let ok = tokenUTF8.withUnsafeBufferPointer { ByteLevelAlphabet.decode(utf8: $0, into: &rawKey) }
                if ok, let id = vocabulary.value(for: rawKey) { return id }
                return extraTokens[String(decoding: tokenUTF8, as: UTF8.self)]
            }
        }
        var rank = -1
        try mergesValue.forEachElement { (merge) throws(TokenizerLoadingError) in
            rank += 1
            // Built only when an error is reported: 446k merges would otherwise allocate 446k strings.
            var mergePath: String { "\(path).merges[\(rank)]" }
            left.removeAll(keepingCapacity: true)
            right.removeAll(keepingCapacity: true)
            if merge.isString {
                // Legacy form "a b": exactly one space.
                let ok: Bool = merge.withStringBytes { bytes in
                    guard let space = bytes.firstIndex(of: 0x20), bytes[(space + 1)...].firstIndex(of: 0x20) == nil else { return false }
                    left += bytes[..<space]
                    right += bytes[(space + 1)...]
                    return true
                } ?? false
                guard ok else { throw malformed(merge, "field \(mergePath): expected a merge \"left right\" with exactly one space") }
            } else if merge.isArray, merge.count == 2,
                      let a = merge[0], let b = merge[1], a.isString, b.isString {
                a.withStringBytes { left += $0 }
                b.withStringBytes { right += $0 }
            } else {
                throw malformed(merge, "field \(mergePath): expected a pair of tokens [\"left\", \"right\"] or a string \"left right\"")
            }
            guard let leftID = lookup(left) else {
                throw malformed(merge, "field \(mergePath): token \(String(decoding: left, as: UTF8.self).debugDescription) is not in the vocabulary")
            }
            guard let rightID = lookup(right) else {
                throw malformed(merge, "field \(mergePath): token \(String(decoding: right, as: UTF8.self).debugDescription) is not in the vocabulary")
            }
            guard right.count >= prefixLength else {
                throw malformed(merge, "field \(mergePath): token \(String(decoding: right, as: UTF8.self).debugDescription) is shorter than the continuing subword prefix")
            }
            merged.removeAll(keepingCapacity: true)
            merged += left
            merged += right[prefixLength...]
            guard let mergedID = lookup(merged) else {
                throw malformed(merge, "field \(mergePath): merged token \(String(decoding: merged, as: UTF8.self).debugDescription) is not in the vocabulary")
            }
            merges.set(left: leftID, right: rightID, rank: UInt32(rank), result: mergedID)
        }
        return BPEModel(alphabet: alphabet, vocabulary: vocabulary, extraTokens: extraTokens, merges: merges, options: options)
    }
}
