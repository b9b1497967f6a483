/// Tokenization models of GGUF vocabularies that have no tokenizer.json counterpart in
/// Tokenkit yet: WordPiece ("bert", with llama.cpp's phantom-space vocabulary) and Unigram ("t5").
public enum GGUFModel: TokenizationModel {
    case wordPiece(GGUFWordPiece)
    case unigram(GGUFUnigram)

    public func tokenize(_ text: [UInt8]) throws(TokenizationError) -> [Token] {
        switch self {
        case let .wordPiece(m): return try m.tokenize(text)
        case let .unigram(m): return try m.tokenize(text)
        }
    }

    public func id(forToken token: String) -> TokenID? {
        switch self {
        case let .wordPiece(m): return m.vocabulary.value(for: token)
        case let .unigram(m): return m.vocabulary.value(for: token)
        }
    }

    public func token(forID id: TokenID) -> String? {
        let texts: [String]
        switch self {
        case let .wordPiece(m): texts = m.texts
        case let .unigram(m): texts = m.texts
        }
        return Int(id) < texts.count ? texts[Int(id)] : nil
    }

    public var vocabularySize: Int {
        switch self {
        case let .wordPiece(m): return m.texts.count
        case let .unigram(m): return m.texts.count
        }
    }
}

/// WordPiece over a GGUF "bert" vocabulary, with tokenizers' semantics: greedy longest match,
/// the whole word becomes the unknown token when a part has no match or when it has more than
/// 100 characters (`max_input_chars_per_word`). The vocabulary is llama.cpp's phantom-space form:
/// word-initial pieces start with `▁`, continuation pieces have no `##`.
public struct GGUFWordPiece: Sendable {
    let vocabulary: ByteStringTable
    let texts: [String]
    let unknownID: TokenID
    let maxInputCharsPerWord = 100
    let maxTokenLength: Int

    init(vocabulary: ByteStringTable, texts: [String], unknownID: TokenID) {
        self.vocabulary = vocabulary
        self.texts = texts
        self.unknownID = unknownID
        self.maxTokenLength = texts.reduce(0) { max($0, $1.utf8.count) }
    }

    func tokenize(_ text: [UInt8]) throws(TokenizationError) -> [Token] {
        if text.isEmpty { return [] }
        var scalarCount = 0
        for b in text where b & 0xC0 != 0x80 { scalarCount += 1 }
        let unknown = [Token(id: unknownID, value: texts[Int(unknownID)], offsets: 0..<text.count)]
        if scalarCount > maxInputCharsPerWord { return unknown }
        var tokens: [Token] = []
        var key: [UInt8] = []
        var start = 0
        while start < text.count {
            var end = text.count
            var found: TokenID?
            while end > start {
                key.removeAll(keepingCapacity: true)
                if start == 0 { key += [0xE2, 0x96, 0x81] }
                key += text[start..<end]
                if key.count <= maxTokenLength, let id = vocabulary.value(for: key) {
                    found = id
                    break
                }
                // Step back one scalar.
                end -= 1
                while end > start, text[end] & 0xC0 == 0x80 { end -= 1 }
            }
            guard let id = found else { return unknown }
            tokens.append(Token(id: id, value: texts[Int(id)], offsets: start..<end))
            start = end
        }
        return tokens
    }
}

/// Unigram over a GGUF "t5" vocabulary with tokenizers' Viterbi (`encode_optimized`): every
/// vocabulary piece is a candidate, a scalar without a piece costs the lowest score minus 10,
/// consecutive unknown scalars fuse into one unknown token, and byte pieces `<0xXX>` are used
/// for pieces missing from the vocabulary when the vocabulary has them.
public struct GGUFUnigram: Sendable {
    let vocabulary: ByteStringTable
    let texts: [String]
    let scores: [Double]
    let unknownID: TokenID
    let unknownScore: Double
    let maxTokenLength: Int
    let byteFallbackIDs: [TokenID]?

    init(vocabulary: ByteStringTable, texts: [String], scores: [Double], unknownID: TokenID, byteFallback: Bool) {
        self.vocabulary = vocabulary
        self.texts = texts
        self.scores = scores
        self.unknownID = unknownID
        self.unknownScore = (scores.min() ?? 0) - 10
        self.maxTokenLength = texts.reduce(0) { max($0, $1.utf8.count) }
        if byteFallback {
            var ids: [TokenID] = []
            for b in 0..<256 {
                let hex = String(b, radix: 16, uppercase: true)
                guard let id = vocabulary.value(for: "<0x" + (hex.count == 1 ? "0" + hex : hex) + ">") else { break }
                ids.append(id)
            }
            byteFallbackIDs = ids.count == 256 ? ids : nil
        } else {
            byteFallbackIDs = nil
        }
    }

    func tokenize(_ text: [UInt8]) throws(TokenizationError) -> [Token] {
        let n = text.count
        if n == 0 { return [] }
        var bestScore = [Double](repeating: 0, count: n + 1)
        var bestStart = [Int](repeating: -1, count: n + 1)
        var bestID = [TokenID](repeating: 0, count: n + 1)
        text.withUnsafeBufferPointer { buffer in
            var start = 0
            while start < n {
                let scalarLength = min(UTF8.scalarLength(leadByte: buffer[start]), n - start)
                let base = bestScore[start]
                var hasSingle = false
                var end = start + 1
                let limit = min(n, start + maxTokenLength)
                while end <= limit {
                    if let id = vocabulary.value(for: UnsafeBufferPointer(rebasing: buffer[start..<end])) {
                        let candidate = base + scores[Int(id)]
                        if bestStart[end] < 0 || candidate > bestScore[end] {
                            bestScore[end] = candidate
                            bestStart[end] = start
                            bestID[end] = id
                        }
                        if end - start == scalarLength { hasSingle = true }
                    }
                    end += 1
                }
                if !hasSingle {
                    let target = start + scalarLength
                    let candidate = base + unknownScore
                    if bestStart[target] < 0 || candidate > bestScore[target] {
                        bestScore[target] = candidate
                        bestStart[target] = start
                        bestID[target] = unknownID
                    }
                }
                start += scalarLength
            }
        }
        // Backtrack, fusing runs of unknown tokens.
        var pieces: [(range: Range<Int>, id: TokenID)] = []
        var end = n
        while end > 0 {
            let start = bestStart[end]
            let id = bestID[end]
            if id == unknownID, let last = pieces.last, last.id == unknownID {
                pieces[pieces.count - 1].range = start..<last.range.upperBound
            } else {
                pieces.append((start..<end, id))
            }
            end = start
        }
        var tokens: [Token] = []
        tokens.reserveCapacity(pieces.count)
        for (range, id) in pieces.reversed() {
            let piece = Array(text[range])
            if let known = vocabulary.value(for: piece) {
                tokens.append(Token(id: known, value: texts[Int(known)], offsets: range))
            } else if let bytes = byteFallbackIDs {
                for b in piece { tokens.append(Token(id: bytes[Int(b)], value: texts[Int(bytes[Int(b)])], offsets: range)) }
            } else {
                _ = id
                tokens.append(Token(id: unknownID, value: texts[Int(unknownID)], offsets: range))
            }
        }
        return tokens
    }
}
