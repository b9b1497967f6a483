import Tokenkit

/// What is wrong, or merely odd, in a vocabulary (after Land & Bartolo, 2024, "Fishing for
/// Magikarp"): tokens no text encodes to, tokens that are not text on their own, tokens that
/// differ only by case or a word-start marker, and the special tokens.
///
/// Every model token (added tokens and SentencePiece control pieces aside) is taken as the bytes
/// it stands for in text (`Tokenizer.tokenBytes(forID:)`) and checked:
/// - *not valid UTF-8*: its bytes alone are not UTF-8 (a piece of a multi-byte character, as in
///   byte-level BPE). Such tokens cannot be encoded alone and are not checked for reachability.
/// - *unreachable*: encoding its text alone (no special tokens) does not give exactly its id;
///   nor does encoding the text without its leading space, for pipelines that prepend the space
///   themselves (SentencePiece's dummy prefix, Metaspace, `add_prefix_space`). A SentencePiece-
///   style piece without `▁` cannot begin a text, as the pipeline prepends `▁`; it counts as
///   reachable when the model alone segments the piece as itself. WordPiece continuations
///   (`##ing`) are not checked (longest-match-first produces any of them whenever a word
///   continues with exactly that text); they are counted in `notChecked`, with the unknown token.
/// - byte-fallback tokens (`<0xNN>`) are counted, not checked: they exist for bytes the other
///   pieces miss.
/// - *near-duplicates*: groups of two or more tokens whose text is equal after removing one
///   leading space and lowercasing (`The`, ` the`, `THE`); *exact duplicates*: tokens with
///   identical bytes. WordPiece continuations are compared with continuations only (`##b` and
///   `b` are different tokens of the same bytes, as ` b` and `b` are in BPE).
public struct VocabularyHealth: Sendable, Equatable {
    /// A token as the report shows it.
    public struct TokenSample: Sendable, Equatable {
        public var id: TokenID
        /// The token's bytes, invalid UTF-8 as `\xNN`, controls as `\n` `\t` `\u{…}`.
        public var text: String
        public init(id: TokenID, text: String) {
            self.id = id
            self.text = text
        }
    }

    /// A special token: an added token or a control piece of the model.
    public struct SpecialToken: Sendable, Equatable {
        public var id: TokenID
        public var content: String
        /// tokenizer.json's `special` flag (control pieces are special).
        public var special: Bool
    }

    public var tokenizer: String
    /// Model tokens (the added vocabulary not included).
    public var modelTokens = 0
    /// Model tokens checked for reachability.
    public var checked = 0
    public var unreachable = 0
    public var invalidUTF8 = 0
    public var byteFallback = 0
    /// Continuing-subword tokens, which are not checked.
    public var notChecked = 0
    public var nearDuplicateGroups = 0
    public var tokensInNearDuplicateGroups = 0
    public var exactDuplicateGroups = 0
    public var specialTokens: [SpecialToken] = []
    /// Every unreachable token's id, ascending.
    public var unreachableIDs: [TokenID] = []
    /// Every id whose bytes are not valid UTF-8, ascending.
    public var invalidUTF8IDs: [TokenID] = []
    /// The first unreachable tokens by id (at most `sampleLimit`).
    public var unreachableSamples: [TokenSample] = []
    public var invalidUTF8Samples: [TokenSample] = []
    /// The largest near-duplicate groups (at most `sampleLimit`), each sorted by id.
    public var nearDuplicateSamples: [[TokenSample]] = []
    /// `lengthHistogram[n]`: model tokens of n bytes (n < 16; the last bin is 16 or more).
    public var lengthHistogram: [Int] = Array(repeating: 0, count: CorpusMetrics.histogramBins)

    public static let sampleLimit = 20

    public init(tokenizer: String) { self.tokenizer = tokenizer }

    public var unreachableRate: Double { CorpusMetrics.ratio(unreachable, checked) }

    /// A readable, reversible rendering of token bytes.
    public static func display(_ bytes: [UInt8]) -> String {
        var out = ""
        var i = 0
        while i < bytes.count {
            // Decode one scalar if the bytes from i form a valid one; else show the byte.
            let lead = bytes[i]
            let length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0
            if length > 0, i + length <= bytes.count, let s = String(validating: bytes[i..<i + length], as: UTF8.self) {
                for scalar in s.unicodeScalars {
                    switch scalar.value {
                    case 0x0A: out += "\\n"
                    case 0x09: out += "\\t"
                    case 0x0D: out += "\\r"
                    case 0x5C: out += "\\\\"
                    case 0..<0x20, 0x7F, 0x80..<0xA0: out += "\\u{\(String(scalar.value, radix: 16))}"
                    default: out.unicodeScalars.append(scalar)
                    }
                }
                i += length
            } else {
                out += "\\x" + (lead < 16 ? "0" : "") + String(lead, radix: 16)
                i += 1
            }
        }
        return out
    }
}

/// Computes `VocabularyHealth`: one encode per token, in parallel, so a 200k vocabulary takes
/// seconds.
public struct VocabularyHealthChecker: Sendable {
    public var threads: Int

    public init(threads: Int = 0) { self.threads = threads }

    enum Verdict: Sendable { case reachable, unreachable, invalidUTF8, byteFallback, notChecked }

    /// Whether `tokenizer` produces `id` from its own text (see `VocabularyHealth`).
    static func verdict(_ tokenizer: Tokenizer, id: TokenID, bytes: [UInt8]) -> Verdict {
        if tokenizer.fallbackByte(ofID: id) != nil { return .byteFallback }
        // The unknown token stands for text the vocabulary lacks, not for its own string.
        if tokenizer.isContinuingSubword(id) || id == tokenizer.unknownTokenID { return .notChecked }
        guard let text = String(validating: bytes, as: UTF8.self) else { return .invalidUTF8 }
        func encodesTo(_ s: String) -> Bool {
            (try? TokenizerEvaluation.encode(tokenizer, s)) == [id]
        }
        if encodesTo(text) { return .reachable }
        if bytes.first == 0x20, encodesTo(String(text.dropFirst())) { return .reachable }
        let sentencePieceStyle: Bool
        switch tokenizer.model {
        case .bpe: sentencePieceStyle = !tokenizer.isByteLevelBPE
        case .unigram, .sentencePiece: sentencePieceStyle = true
        case .wordPiece, .wordLevel: sentencePieceStyle = false
        }
        if sentencePieceStyle, let piece = tokenizer.model.token(forID: id), !piece.hasPrefix("\u{2581}"),
           (try? tokenizer.model.tokenize(Array(piece.utf8)))?.map(\.id) == [id] {
            return .reachable
        }
        return .unreachable
    }

    /// Checks every model token of `evaluated`; `progress` is called with the number of tokens
    /// checked so far, after each block of 16,384.
    public func check(_ evaluated: EvaluatedTokenizer, progress: (Int) -> Void = { _ in }) -> VocabularyHealth {
        let tokenizer = evaluated.tokenizer
        var health = VocabularyHealth(tokenizer: evaluated.label)
        let added = tokenizer.addedVocabulary.tokens
        health.specialTokens = added.map { VocabularyHealth.SpecialToken(id: $0.key, content: $0.value.content, special: $0.value.special) }
        let ids = tokenizer.modelTokenIDs
        for id in ids where added[id] == nil && tokenizer.isModelControlToken(id) {
            health.specialTokens.append(.init(id: id, content: tokenizer.model.token(forID: id) ?? "", special: true))
        }
        health.specialTokens.sort { $0.id < $1.id }
        let checkedIDs = ids.filter { added[$0] == nil && !tokenizer.isModelControlToken($0) }
        health.modelTokens = checkedIDs.count
        var results: [(Verdict, [UInt8])] = []
        results.reserveCapacity(checkedIDs.count)
        // Blocks, so a progress bar moves on large vocabularies; each block is parallel.
        var start = 0
        while start < checkedIDs.count {
            let block = Array(checkedIDs[start..<min(start + 16_384, checkedIDs.count)])
            results += ParallelMap.map(block, threads: threads) { id -> (Verdict, [UInt8]) in
                let bytes = tokenizer.tokenBytes(forID: id) ?? []
                return (Self.verdict(tokenizer, id: id, bytes: bytes), bytes)
            }
            start += block.count
            progress(start)
        }
        var groups: [String: [Int]] = [:]
        var exact: [[UInt8]: Int] = [:]
        for (i, (verdict, bytes)) in results.enumerated() {
            let id = checkedIDs[i]
            health.lengthHistogram[min(bytes.count, CorpusMetrics.histogramBins - 1)] += 1
            switch verdict {
            case .reachable: health.checked += 1
            case .unreachable:
                health.checked += 1
                health.unreachable += 1
                health.unreachableIDs.append(id)
                if health.unreachableSamples.count < VocabularyHealth.sampleLimit {
                    health.unreachableSamples.append(.init(id: id, text: VocabularyHealth.display(bytes)))
                }
            case .invalidUTF8:
                health.invalidUTF8 += 1
                health.invalidUTF8IDs.append(id)
                if health.invalidUTF8Samples.count < VocabularyHealth.sampleLimit {
                    health.invalidUTF8Samples.append(.init(id: id, text: VocabularyHealth.display(bytes)))
                }
            case .byteFallback: health.byteFallback += 1
            case .notChecked: health.notChecked += 1
            }
            guard verdict != .byteFallback else { continue }
            // A WordPiece continuation (`##b`) is a different token from the word-initial `b` with
            // the same bytes, as ` b` is from `b` in BPE: it is compared with continuations only.
            let continuation = tokenizer.isContinuingSubword(id)
            exact[(continuation ? [0xFF] : []) + bytes, default: 0] += 1
            if let text = String(validating: bytes, as: UTF8.self) {
                let key = (continuation ? "##" : "") + (text.hasPrefix(" ") ? String(text.dropFirst()) : text).lowercased()
                groups[key, default: []].append(i)
            }
        }
        health.exactDuplicateGroups = exact.values.filter { $0 > 1 }.count
        let duplicates = groups.values.filter { $0.count > 1 }
        health.nearDuplicateGroups = duplicates.count
        health.tokensInNearDuplicateGroups = duplicates.reduce(0) { $0 + $1.count }
        health.nearDuplicateSamples = duplicates
            .sorted { $0.count != $1.count ? $0.count > $1.count : checkedIDs[$0[0]] < checkedIDs[$1[0]] }
            .prefix(VocabularyHealth.sampleLimit)
            .map { group in group.map { VocabularyHealth.TokenSample(id: checkedIDs[$0], text: VocabularyHealth.display(results[$0].1)) } }
        return health
    }
}

/// How much two vocabularies share: the Jaccard index |A ∩ B| / |A ∪ B| of their sets of token
/// byte strings (`Tokenizer.tokenBytes(forID:)` of the model tokens, added tokens and
/// SentencePiece control pieces left out; byte-fallback tokens count as their byte).
public struct VocabularyOverlap: Sendable, Equatable {
    public var tokenizers: [String]
    /// `jaccard[i][j]` for tokenizers i and j (1 on the diagonal).
    public var jaccard: [[Double]]
    /// `shared[i][j]`: the number of byte strings both have.
    public var shared: [[Int]]

    public init(_ evaluated: [EvaluatedTokenizer]) {
        let sets: [Set<[UInt8]>] = evaluated.map { e in
            let t = e.tokenizer
            var set = Set<[UInt8]>()
            for id in t.modelTokenIDs where t.addedVocabulary.tokens[id] == nil && !t.isModelControlToken(id) {
                if let bytes = t.tokenBytes(forID: id) { set.insert(bytes) }
            }
            return set
        }
        tokenizers = evaluated.map(\.label)
        let n = sets.count
        jaccard = Array(repeating: Array(repeating: 0, count: n), count: n)
        shared = Array(repeating: Array(repeating: 0, count: n), count: n)
        for i in 0..<n {
            for j in i..<n {
                let common = i == j ? sets[i].count : sets[i].intersection(sets[j]).count
                let union = sets[i].count + sets[j].count - common
                let value = union == 0 ? 0 : Double(common) / Double(union)
                jaccard[i][j] = value
                jaccard[j][i] = value
                shared[i][j] = common
                shared[j][i] = common
            }
        }
    }
}
