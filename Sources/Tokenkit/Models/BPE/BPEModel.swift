// Performance notes: merges are kept as a pair table (left id, right id) →
// (rank, merged id) for `tokenizers`' merge lists. tiktoken's rank files need
// no table: two adjacent parts merge iff their concatenation is a token, with
// that token's rank, so a merge is one vocabulary lookup of the bytes the two
// parts cover (what tiktoken itself does). Deriving the equivalent pair table
// would cost most of the loading time of a rank file. Byte-level vocabularies are stored as raw bytes,
// not as GPT-2 strings, so that the fast path can look pieces up directly.
// Short pieces merge with a linear scan (cheaper than a heap below ~50
// symbols); long ones with a heap, so a 1 MB word stays O(n log n).

/// Byte-pair encoding as in `tokenizers`' BPE model and tiktoken.
public struct BPEModel: TokenizationModel {
    /// How vocabulary keys relate to the text the model receives.
    public enum Alphabet: Sendable, Equatable {
        /// Keys are UTF-8 strings; the initial symbols are the Unicode scalars of the text.
        case unicode
        /// Keys are raw bytes; the text is in GPT-2's byte-level form and each character is one byte.
        case byteLevel
    }

    public struct Options: Sendable, Equatable {
        public var unknownToken: String? = nil
        public var continuingSubwordPrefix: String? = nil
        public var endOfWordSuffix: String? = nil
        public var fuseUnknown = false
        public var byteFallback = false
        /// Look the whole piece up in the vocabulary before merging.
        public var ignoreMerges = false
        /// BPE-dropout probability (nil or 0: deterministic).
        public var dropout: Float? = nil
        /// Scaffold-BPE: tokens the merges may make that are split back into the two tokens they
        /// were merged from (recursively) before output (`scaffold_tokens` in a tokenizer.json).
        public var scaffoldSplits: [TokenID: ScaffoldSplit] = [:]
        public init() {}
    }

    let alphabet: Alphabet
    let options: Options
    /// Token keys (raw bytes in byte-level mode) → id.
    let vocabulary: ByteStringTable
    /// id → entry index in `vocabulary` (-1 when the id is unused).
    private let entryForID: [Int32]
    /// Tokens whose string cannot be represented in the model's alphabet (byte-level vocabularies
    /// sometimes contain such entries); kept for id ↔ string conversion only.
    private let extraTokens: [String: TokenID]
    private(set) var extraTokenStrings: [TokenID: String]
    /// The merge list (empty when `mergesByConcatenation`).
    let merges: PairTable
    /// tiktoken's rule instead of a merge list: two adjacent parts merge when their concatenation
    /// is a token, whose id is both the merge's rank and its result.
    let mergesByConcatenation: Bool
    /// Byte-level mode: the id of each single byte (or nil).
    let byteIDs: [TokenID?]
    /// Byte fallback: the id of `<0xXX>` for each byte.
    let byteFallbackIDs: [TokenID?]
    /// tiktoken-style merges (by concatenation): the tokens of 2 to 16 bytes in one-cache-line
    /// slots, for the merge loop's lookups of concatenated parts (see `ShortTokenTable`).
    let shortTokens: ShortTokenTable?
    /// `shortTokens`' slots as plain pointers (kept alive by `shortTokens`), so that the hot
    /// loops read them without retaining the table.
    let shortTokenSlots: ShortTokenTable.View?
    /// Byte-level vocabularies: the merge of every pair of bytes (see `BytePairMerges`), and its
    /// entries as a plain pointer (kept alive by `bytePairs`).
    let bytePairs: BytePairMerges?
    let bytePairEntries: BytePairMerges.View?
    /// Byte-level merge lists: the pairs that merge, checked before `merges` on the fast path
    /// (see `MergeFilter`), and its words as a plain value (kept alive by `pairFilter`).
    let pairFilter: MergeFilter?
    let pairFilterView: MergeFilter.View?
    /// Byte-level models that look pieces up whole (`ignoreMerges`): the `hashBytes` of the tokens
    /// too long for the piece table, so that the fast path tells a long piece that is no token
    /// (most of them) without a miss in the vocabulary's index (a few KB), and its words as a
    /// plain value (kept alive by `longTokenFilter`).
    let longTokenFilter: MergeFilter?
    let longTokenFilterView: MergeFilter.View?

    public var vocabularySize: Int { vocabulary.count + extraTokens.count }

    /// Builds a model from vocabulary keys (see `Alphabet`) and a merge list resolved to ids, with
    /// the filter of those merges when the loader built it (else it is built here when needed).
    init(alphabet: Alphabet, vocabulary: ByteStringTable, extraTokens: [String: TokenID] = [:], merges: PairTable,
         mergeFilter: MergeFilter? = nil, options: Options) {
        self.init(alphabet: alphabet, vocabulary: vocabulary, extraTokens: extraTokens, merges: merges,
                  mergesByConcatenation: false, mergeFilter: mergeFilter, options: options)
    }

    /// Builds a model that merges as tiktoken does, from a rank file's byte strings → ranks.
    init(tiktokenRanks ranks: ByteStringTable, options: Options) {
        self.init(alphabet: .byteLevel, vocabulary: ranks, extraTokens: [:], merges: PairTable(expectedCount: 0),
                  mergesByConcatenation: true, mergeFilter: nil, options: options)
    }

    private init(alphabet: Alphabet, vocabulary: ByteStringTable, extraTokens: [String: TokenID], merges: PairTable,
                 mergesByConcatenation: Bool, mergeFilter: MergeFilter?, options: Options) {
        self.alphabet = alphabet
        // The fast path reads short tokens from `shortTokens`; the full index stays for the rest.
        var vocabulary = vocabulary
        vocabulary.compactIndex()
        self.vocabulary = vocabulary
        self.extraTokens = extraTokens
        self.merges = merges
        self.mergesByConcatenation = mergesByConcatenation
        self.options = options
        var maxID: TokenID = 0
        var longTokenCount = 0
        vocabulary.forEach { key, id in
            maxID = max(maxID, id)
            if key.count > PieceKey.maximumLength { longTokenCount += 1 }
        }
        for id in extraTokens.values { maxID = max(maxID, id) }
        var entryForID = [Int32](repeating: -1, count: Int(maxID) + 1)
        var entry: Int32 = 0
        vocabulary.forEach { _, id in
            entryForID[Int(id)] = entry
            entry += 1
        }
        self.entryForID = entryForID
        self.extraTokenStrings = Dictionary(extraTokens.map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var byteIDs = [TokenID?](repeating: nil, count: 256)
        var fallback = [TokenID?](repeating: nil, count: 256)
        for b in 0..<256 {
            if alphabet == .byteLevel { byteIDs[b] = vocabulary.value(for: [UInt8(b)]) }
            let hex = String(b, radix: 16, uppercase: true)
            fallback[b] = vocabulary.value(for: "<0x" + (hex.count == 1 ? "0" + hex : hex) + ">")
        }
        self.byteIDs = byteIDs
        self.byteFallbackIDs = fallback
        self.shortTokens = alphabet == .byteLevel && mergesByConcatenation ? ShortTokenTable(vocabulary: vocabulary) : nil
        self.shortTokenSlots = shortTokens?.view
        if alphabet == .byteLevel {
            bytePairs = mergesByConcatenation ? BytePairMerges(concatenating: vocabulary) : BytePairMerges(merging: merges, byteIDs: byteIDs)
        } else {
            bytePairs = nil
        }
        bytePairEntries = bytePairs?.view
        pairFilter = alphabet == .byteLevel && !mergesByConcatenation
            ? mergeFilter ?? MergeFilter(count: merges.count) { insert in merges.forEachPair { insert(pairFilterHash(left: $0, right: $1)) } }
            : nil
        pairFilterView = pairFilter?.view
        longTokenFilter = alphabet == .byteLevel && options.ignoreMerges
            ? MergeFilter(count: longTokenCount) { insert in
                vocabulary.forEach { key, _ in
                    if key.count > PieceKey.maximumLength { insert(hashBytes(key.baseAddress!, key.count)) }
                }
            }
            : nil
        longTokenFilterView = longTokenFilter?.view
    }

    // MARK: - Vocabulary

    /// The vocabulary key of `id` (raw bytes in byte-level mode).
    func keyBytes(forID id: TokenID) -> ArraySlice<UInt8>? {
        guard Int(id) < entryForID.count else { return nil }
        let entry = Int(entryForID[Int(id)])
        guard entry >= 0 else { return nil }
        let start = Int(vocabulary.keyStarts[entry])
        let end = Int(vocabulary.keyStarts[entry + 1])
        return vocabulary.keyBytes[start..<end]
    }

    /// The merge of two adjacent symbols as (rank << 32 | merged id), or nil when they do not merge.
    func merge(_ left: TokenID, _ right: TokenID) -> UInt64? {
        guard mergesByConcatenation else { return merges.lookup(left: left, right: right) }
        guard let a = keyBytes(forID: left), let b = keyBytes(forID: right) else { return nil }
        return vocabulary.value(for: Array(a) + b).map { UInt64($0) << 32 | UInt64($0) }
    }

    /// The merge of the two adjacent parts covering `bytes`, which lie in a `PaddedText` (fast
    /// path: tiktoken files look the bytes up; merge lists look the pair up).
    @inline(__always)
    func merge(_ left: TokenID, _ right: TokenID, covering bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard mergesByConcatenation else {
            if let pairFilterView, !pairFilterView.mayContain(pairFilterHash(left: left, right: right)) { return nil }
            return merges.lookup(left: left, right: right)
        }
        let n = bytes.count
        if n <= 16, let shortTokenSlots {
            // (Two merged symbols cover at least two bytes.)
            let (a, b) = paddedShortKeyWords(bytes.baseAddress!, n)
            return shortTokenSlots.id(a, b, length: n, hash: hashShortKey(a, b, lengthSeed: shortKeySeed(n)))
                .map { UInt64($0) << 32 | UInt64($0) }
        }
        return vocabulary.value(forPadded: bytes.baseAddress!, count: n).map { UInt64($0) << 32 | UInt64($0) }
    }

    /// One more than the largest id of the vocabulary.
    var idUpperBound: Int { entryForID.count }

    /// Where the vocabulary key of `id` lies in `vocabulary.keyBytes` (nil when the id has none).
    @inline(__always)
    func keyRange(of id: TokenID) -> Range<Int>? {
        guard Int(id) < entryForID.count else { return nil }
        let entry = Int(entryForID[Int(id)])
        guard entry >= 0 else { return nil }
        return Int(vocabulary.keyStarts[entry])..<Int(vocabulary.keyStarts[entry &+ 1])
    }

    public func token(forID id: TokenID) -> String? {
        if let key = keyBytes(forID: id) {
            switch alphabet {
            case .unicode: return String(decoding: key, as: UTF8.self)
            case .byteLevel: return ByteLevelAlphabet.encode(key)
            }
        }
        return extraTokenStrings[id]
    }

    public func id(forToken token: String) -> TokenID? {
        switch alphabet {
        case .unicode:
            return vocabulary.value(for: token) ?? extraTokens[token]
        case .byteLevel:
            if let raw = ByteLevelAlphabet.decode(token), let id = vocabulary.value(for: raw) { return id }
            return extraTokens[token]
        }
    }

    // MARK: - Tokenization

    /// A symbol of a word being merged: a token id and the byte length it covers.
    struct Symbol {
        var id: TokenID
        var length: Int
    }

    public func tokenize(_ text: [UInt8]) throws(TokenizationError) -> [Token] {
        if text.isEmpty { return [] }
        switch alphabet {
        case .byteLevel:
            return try tokenizeByteLevel(text)
        case .unicode:
            if options.ignoreMerges, let id = vocabulary.value(for: text), options.scaffoldSplits[id] == nil {
                return [Token(id: id, value: String(decoding: text, as: UTF8.self), offsets: 0..<text.count)]
            }
            var symbols = try initialSymbols(text)
            mergeAll(&symbols)
            return unicodeTokens(symbols)
        }
    }

    /// The tokens of merged symbols of a Unicode vocabulary (offsets from the symbols' lengths).
    func unicodeTokens(_ symbols: [Symbol]) -> [Token] {
        var tokens: [Token] = []
        tokens.reserveCapacity(symbols.count)
        var offset = 0
        for symbol in symbols {
            tokens.append(Token(id: symbol.id, value: token(forID: symbol.id) ?? "", offsets: offset..<(offset + symbol.length)))
            offset += symbol.length
        }
        return tokens
    }

    /// The tokens of byte-level ids; offsets count the bytes of the GPT-2 characters the model
    /// was given.
    func byteLevelTokens(_ ids: [TokenID]) -> [Token] {
        var tokens: [Token] = []
        tokens.reserveCapacity(ids.count)
        var offset = 0
        for id in ids {
            let key = keyBytes(forID: id) ?? []
            var length = 0
            for b in key { length += ByteLevelAlphabet.utf8ForByte[Int(b)].count }
            tokens.append(Token(id: id, value: ByteLevelAlphabet.encode(key), offsets: offset..<(offset + length)))
            offset += length
        }
        return tokens
    }

    /// Byte-level mode: one symbol per raw byte (its token, else its byte-fallback token; a byte
    /// with neither is dropped, as in `tokenizers` when there is no unknown token).
    func byteSymbols(_ raw: [UInt8]) -> [Symbol] {
        var symbols: [Symbol] = []
        symbols.reserveCapacity(raw.count)
        for b in raw {
            if let id = byteIDs[Int(b)] {
                symbols.append(Symbol(id: id, length: 1))
            } else if options.byteFallback, let id = byteFallbackIDs[Int(b)] {
                symbols.append(Symbol(id: id, length: 1))
            }
        }
        return symbols
    }

    /// Byte-level mode: `text` holds GPT-2 characters; token offsets refer to those characters' bytes.
    private func tokenizeByteLevel(_ text: [UInt8]) throws(TokenizationError) -> [Token] {
        var raw: [UInt8] = []
        raw.reserveCapacity(text.count)
        let ok = text.withUnsafeBufferPointer { ByteLevelAlphabet.decode(utf8: $0, into: &raw) }
        if !ok {
            // Characters outside the byte-level alphabet can only come from an unusual pipeline;
            // they are not in the vocabulary, so they are handled as unknown scalars.
            return try tokenizeUnknownScalars(text)
        }
        var ids: [TokenID] = []
        encodeRawBytes(raw, into: &ids)
        return byteLevelTokens(ids)
    }

    func tokenizeUnknownScalars(_ text: [UInt8]) throws(TokenizationError) -> [Token] {
        guard let unknown = options.unknownToken else { return [] }
        guard let id = id(forToken: unknown) else { throw .unknownTokenMissing(unknown) }
        return [Token(id: id, value: unknown, offsets: 0..<text.count)]
    }

    /// Encodes raw bytes of one piece with a byte-level vocabulary, appending ids.
    /// This is the whole BPE of tiktoken's `encode_ordinary` for one regex match.
    func encodeRawBytes(_ raw: [UInt8], into ids: inout [TokenID]) {
        if options.ignoreMerges, let id = vocabulary.value(for: raw), options.scaffoldSplits[id] == nil {
            ids.append(id)
            return
        }
        var symbols = byteSymbols(raw)
        mergeAll(&symbols)
        for symbol in symbols { ids.append(symbol.id) }
    }

    /// `tokenizers`' `merge_word` up to merging: one symbol per scalar, with the continuing-subword
    /// prefix, end-of-word suffix, byte fallback and unknown-token fusion rules.
    func initialSymbols(_ text: [UInt8]) throws(TokenizationError) -> [Symbol] {
        var symbols: [Symbol] = []
        symbols.reserveCapacity(text.count)
        var unknown: Symbol?
        let prefix = options.continuingSubwordPrefix.map { Array($0.utf8) }
        let suffix = options.endOfWordSuffix.map { Array($0.utf8) }
        var key: [UInt8] = []
        var i = 0
        while i < text.count {
            let length = UTF8.scalarLength(leadByte: text[i])
            let isFirst = i == 0
            let isLast = i + length >= text.count
            key.removeAll(keepingCapacity: true)
            if !isFirst, let prefix { key += prefix }
            key += text[i..<min(i + length, text.count)]
            if isLast, let suffix { key += suffix }
            i += length
            if let id = vocabulary.value(for: key) {
                if let u = unknown { symbols.append(u); unknown = nil }
                symbols.append(Symbol(id: id, length: length))
                continue
            }
            if options.byteFallback {
                let fallback = key.map { byteFallbackIDs[Int($0)] }
                if fallback.allSatisfy({ $0 != nil }) {
                    for id in fallback { symbols.append(Symbol(id: id!, length: 1)) }
                    continue
                }
            }
            if let unknownToken = options.unknownToken {
                guard let unknownID = id(forToken: unknownToken) else { throw .unknownTokenMissing(unknownToken) }
                if let u = unknown {
                    if options.fuseUnknown {
                        unknown = Symbol(id: u.id, length: u.length + length)
                        continue
                    }
                    symbols.append(u)
                }
                unknown = Symbol(id: unknownID, length: length)
            }
        }
        if let u = unknown { symbols.append(u) }
        return symbols
    }

    /// Applies merges, lowest rank first and leftmost among equal ranks (then splits scaffolds).
    func mergeAll(_ symbols: inout [Symbol]) {
        if symbols.count < 2 { return }
        if let dropout = options.dropout, dropout > 0 {
            mergeWithDropout(&symbols, probability: dropout)
        } else if symbols.count <= 48 {
            mergeLinear(&symbols)
        } else {
            mergeWithHeap(&symbols)
        }
        if !options.scaffoldSplits.isEmpty { splitScaffolds(&symbols) }
    }

    private func mergeLinear(_ symbols: inout [Symbol]) {
        // ranks[i] = (rank << 32 | merged id) of the pair (i, i+1), or UInt64.max.
        var ranks = [UInt64](repeating: .max, count: symbols.count)
        for i in 0..<(symbols.count - 1) {
            ranks[i] = merge(symbols[i].id, symbols[i + 1].id) ?? .max
        }
        while symbols.count > 1 {
            var best = UInt64.max
            var bestIndex = -1
            for i in 0..<(symbols.count - 1) where ranks[i] >> 32 < best >> 32 {
                best = ranks[i]
                bestIndex = i
            }
            if bestIndex < 0 { break }
            symbols[bestIndex] = Symbol(id: TokenID(truncatingIfNeeded: best), length: symbols[bestIndex].length + symbols[bestIndex + 1].length)
            symbols.remove(at: bestIndex + 1)
            ranks.remove(at: bestIndex + 1)
            if bestIndex + 1 < symbols.count {
                ranks[bestIndex] = merge(symbols[bestIndex].id, symbols[bestIndex + 1].id) ?? .max
            } else {
                ranks[bestIndex] = .max
            }
            if bestIndex > 0 {
                ranks[bestIndex - 1] = merge(symbols[bestIndex - 1].id, symbols[bestIndex].id) ?? .max
            }
        }
    }

    /// `tokenizers`' heap algorithm (word.rs `merge_all`), linked symbols with lazy invalidation.
    private func mergeWithHeap(_ symbols: inout [Symbol]) {
        var unused = SystemRandomNumberGenerator()
        mergeWithDropout(&symbols, probability: 0, using: &unused)
    }

    /// BPE-dropout (`tokenizers`' behaviour): each candidate merge is skipped with probability p.
    private func mergeWithDropout(_ symbols: inout [Symbol], probability: Float) {
        var generator = SystemRandomNumberGenerator()
        mergeWithDropout(&symbols, probability: probability, using: &generator)
    }

    /// The heap algorithm, skipping each candidate merge with `probability` (no draw at 0).
    func mergeWithDropout<G: RandomNumberGenerator>(_ symbols: inout [Symbol], probability: Float, using generator: inout G) {
        let n = symbols.count
        var ids = symbols.map(\.id)
        var lengths = symbols.map(\.length)
        var previous = (0..<n).map { $0 - 1 }
        var next = (0..<n).map { $0 + 1 < n ? $0 + 1 : -1 }
        var heap = MergeHeap()
        for i in 0..<(n - 1) {
            if let m = merge(ids[i], ids[i + 1]) {
                heap.push(rank: UInt32(m >> 32), position: i, result: TokenID(truncatingIfNeeded: m))
            }
        }
        var skipped: [MergeHeap.Entry] = []
        while let top = heap.pop() {
            // The draw is Tokenkit's own formula (see `SeededRandomGenerator`), so a seeded
            // generator gives the same merges on every Swift version.
            if probability > 0, generator.nextUnitFloat() < probability {
                skipped.append(top)
                continue
            }
            for entry in skipped { heap.push(entry) }
            skipped.removeAll(keepingCapacity: true)
            let p = top.position
            if lengths[p] == 0 || next[p] == -1 { continue }
            let right = next[p]
            guard let m = merge(ids[p], ids[right]), TokenID(truncatingIfNeeded: m) == top.result else { continue }
            ids[p] = top.result
            lengths[p] += lengths[right]
            next[p] = next[right]
            lengths[right] = 0
            if next[right] >= 0 { previous[next[right]] = p }
            if previous[p] >= 0, let m2 = merge(ids[previous[p]], ids[p]) {
                heap.push(rank: UInt32(m2 >> 32), position: previous[p], result: TokenID(truncatingIfNeeded: m2))
            }
            if next[p] >= 0, let m3 = merge(ids[p], ids[next[p]]) {
                heap.push(rank: UInt32(m3 >> 32), position: p, result: TokenID(truncatingIfNeeded: m3))
            }
        }
        symbols.removeAll(keepingCapacity: true)
        for i in 0..<n where lengths[i] != 0 { symbols.append(Symbol(id: ids[i], length: lengths[i])) }
    }
}

/// A binary min-heap of candidate merges ordered by (rank, position).
struct MergeHeap {
    struct Entry {
        var rank: UInt32
        var position: Int
        var result: TokenID
        @inline(__always) func precedes(_ other: Entry) -> Bool {
            rank != other.rank ? rank < other.rank : position < other.position
        }
    }
    private var entries: [Entry] = []

    mutating func push(rank: UInt32, position: Int, result: TokenID) {
        push(Entry(rank: rank, position: position, result: result))
    }

    mutating func push(_ entry: Entry) {
        entries.append(entry)
        var i = entries.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if entries[i].precedes(entries[parent]) {
                entries.swapAt(i, parent)
                i = parent
            } else { break }
        }
    }

    mutating func pop() -> Entry? {
        guard !entries.isEmpty else { return nil }
        let top = entries[0]
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            var i = 0
            let n = entries.count
            while true {
                let l = 2 * i + 1
                let r = l + 1
                var smallest = i
                if l < n && entries[l].precedes(entries[smallest]) { smallest = l }
                if r < n && entries[r].precedes(entries[smallest]) { smallest = r }
                if smallest == i { break }
                entries.swapAt(i, smallest)
                i = smallest
            }
        }
        return top
    }
}
