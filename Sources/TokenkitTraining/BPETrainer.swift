import Tokenkit

/// Learns a BPE vocabulary and merge list from word counts, exactly as `tokenizers`' `BpeTrainer`.
///
/// The algorithm is the reference's, step for step, so that the same words and settings give the
/// same merges in the same order and the same ids:
///
/// 1. ids start with the special tokens (in the order given), then the alphabet: every character
///    of the words plus `initialAlphabet`, trimmed to `limitAlphabet` by dropping the rarest
///    characters, sorted by code point;
/// 2. the pair counts (weighted by word counts) go into a priority queue ordered by count, ties
///    broken by the smaller pair of ids (first id, then second);
/// 3. the top pair is merged in the words where it was seen; counts of the neighbouring pairs
///    change; pairs that gained occurrences are queued again with the words where they did;
///    entries whose count is stale are re-queued with the current count (lazy update). A pair
///    whose merged string already exists keeps that string's id, and a pair may then be merged
///    twice (the reference keeps the later rank, as does `mergeRanks`).
///
/// Words and tokens are compared as UTF-8 bytes, never as Swift `String`s (whose equality is
/// canonical equivalence, which would fuse distinct tokens).
public struct BPETrainer: Sendable {
    public var vocabularySize: Int
    /// Pairs seen fewer times than this are not merged.
    public var minimumFrequency: Int
    /// Added first, in this order (ids 0, 1, …).
    public var specialTokens: [String]
    /// Keep at most this many characters (the most frequent; `initialAlphabet` first).
    public var limitAlphabet: Int?
    /// Characters in the vocabulary even when the words do not use them (all 256 byte-level
    /// characters for byte-level BPE).
    public var initialAlphabet: [Unicode.Scalar]
    /// Prepended to every character that does not start a word (`##` in BERT-style BPE).
    public var continuingSubwordPrefix: String?
    /// Appended to the last character of every word (`</w>` in the original BPE).
    public var endOfWordSuffix: String?
    /// Merges never make tokens longer than this many characters.
    public var maximumTokenLength: Int?
    /// SentencePiece's character coverage (SentencePiece-style BPE): only the most frequent
    /// characters covering this fraction of the corpus's characters are kept, and a dropped
    /// character splits its word, so no merge spans it (SentencePiece's rule: pairs with the
    /// unknown symbol are never formed). Nil keeps every character, as `tokenizers` does.
    public var characterCoverage: Double?
    /// Adds the 256 byte tokens `<0x00>` … `<0xFF>` after the special tokens, as SentencePiece's
    /// `byte_fallback` does, so that characters outside the vocabulary are spelled by their bytes.
    public var byteFallback: Bool
    /// Scaffold-BPE (Lian et al., 2024): after a merge, a part whose remaining count is below
    /// the count of the next best pair leaves the vocabulary (a scaffold, freeing its slot for
    /// one more merge) but stays in the merges; it comes back when its count exceeds the best
    /// pair's. Encoding merges as usual and splits scaffolds back into their parts. Only tokens
    /// made by merges can become scaffolds (never characters or special tokens).
    public var scaffold: Bool = false

    public init(vocabularySize: Int = 30_000, minimumFrequency: Int = 0, specialTokens: [String] = [],
                limitAlphabet: Int? = nil, initialAlphabet: [Unicode.Scalar] = [], continuingSubwordPrefix: String? = nil,
                endOfWordSuffix: String? = nil, maximumTokenLength: Int? = nil, characterCoverage: Double? = nil,
                byteFallback: Bool = false) {
        self.vocabularySize = vocabularySize
        self.minimumFrequency = minimumFrequency
        self.specialTokens = specialTokens
        self.limitAlphabet = limitAlphabet
        self.initialAlphabet = initialAlphabet
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.endOfWordSuffix = endOfWordSuffix
        self.maximumTokenLength = maximumTokenLength
        self.characterCoverage = characterCoverage
        self.byteFallback = byteFallback
    }

    /// The 256 characters of the byte-level alphabet (`pre_tokenizers.ByteLevel.alphabet()`).
    public static var byteLevelAlphabet: [Unicode.Scalar] {
        ByteLevelAlphabet.scalarForByte.map { Unicode.Scalar($0)! }
    }

    /// Trains on counted words (the UTF-8 of each pre-tokenized word and how often it occurs).
    public func train(_ words: consuming WordCounts, progress: ProgressBar? = nil) -> BPEVocabulary {
        var vocabulary = VocabularyBuilder()
        for token in specialTokens { vocabulary.insert(Array(token.utf8)) }
        if byteFallback {
            for byte in 0...255 { vocabulary.insert(Array(byteFallbackPieceName(UInt8(byte)).utf8)) }
        }
        // The word counts are only needed until the words are split into ids.
        // Scaffolds free slots for more merges: the words' ids are sized for twice the vocabulary.
        let idLimit = scaffold ? 2 * vocabularySize : vocabularySize
        var firstMergedID = 0
        var state = { (words: consuming WordCounts, vocabulary: inout VocabularyBuilder) in
            var words = words
            words.finishCounting()
            addAlphabet(of: words, to: &vocabulary)
            let split = tokenize(words, vocabulary: &vocabulary, largestID: max(idLimit, vocabulary.count) - 1)
            _ = consume words
            firstMergedID = vocabulary.count
            return MergeState(words: split, maximumTokenLength: maximumTokenLength.map { UInt32(clamping: $0) } ?? .max,
                              tokenCapacity: scaffold ? max(idLimit, vocabulary.count) : nil)
        }(words, &vocabulary)
        return learnMerges(&state, vocabulary: &vocabulary, merges: [], firstMergedID: firstMergedID,
                           idLimit: max(idLimit, firstMergedID), progress: progress)
    }

    /// SuperBPE's second stage (Liu et al., 2025): continues `stage1`'s merges (its vocabulary
    /// kept, ids and all) on `words` counted by a pre-tokenizer that no longer splits at
    /// spaces, until `vocabularySize`, so merges may now cross spaces. Each word starts as
    /// `stage1` encodes it (`stage1Encoder`: its model behind a byte-level step that keeps a
    /// word whole), which is applying its merges in order. Byte-level words only.
    public func train(_ words: consuming WordCounts, continuing stage1: BPEVocabulary, stage1Encoder: Tokenizer,
                      progress: ProgressBar? = nil) -> BPEVocabulary {
        precondition(stage1.scaffoldTokens.isEmpty, "SuperBPE continues a vocabulary without scaffolds")
        var vocabulary = VocabularyBuilder()
        for token in stage1.tokens { vocabulary.insert(token) }
        let firstMergedID = vocabulary.count
        let idLimit = max(scaffold ? 2 * vocabularySize : vocabularySize, firstMergedID)
        var state = { (words: consuming WordCounts) in
            var words = words
            words.finishCounting()
            var split = TrainingWords(tracksLengths: maximumTokenLength != nil, largestID: idLimit - 1)
            // The raw bytes of each word are its text (pieces of UTF-8 text cut at characters).
            precondition(words.words.distinctCount == 0, "SuperBPE's second stage counts byte-level words")
            words.rawByteLevelWords.forEach { raw, count in
                split.append(stage1Encoder.encodeOrdinary(String(decoding: raw, as: UTF8.self)), count: count)
            }
            _ = consume words
            return MergeState(words: split, maximumTokenLength: maximumTokenLength.map { UInt32(clamping: $0) } ?? .max,
                              tokenCapacity: scaffold ? idLimit : nil)
        }(words)
        return learnMerges(&state, vocabulary: &vocabulary, merges: stage1.merges, firstMergedID: firstMergedID,
                           idLimit: idLimit, progress: progress)
    }

    /// The merge loop: merges the best pair until the vocabulary (scaffolds not counted) has
    /// `vocabularySize` tokens or no pair is frequent enough. `firstMergedID`: the first id a
    /// merge may make (only those can become scaffolds); `idLimit`: the ids the words can hold.
    private func learnMerges(_ state: inout MergeState, vocabulary: inout VocabularyBuilder, merges: [(UInt32, UInt32)],
                             firstMergedID: Int, idLimit: Int, progress: ProgressBar?) -> BPEVocabulary {
        var merges = merges
        let prefix = continuingSubwordPrefix.map { Array($0.utf8) }
        // Tokens in the vocabulary (all of them but scaffolds).
        var kept = vocabulary.count
        var history: [BPEVocabulary.ScaffoldEvent] = []
        progress?.begin("Compute merges", total: vocabularySize)
        while kept < vocabularySize {
            if scaffold {
                let best = state.nextMergeCount(minimumFrequency: minimumFrequency) ?? 0
                if let back = state.mostFrequentScaffold(), UInt64(back.count) > best, back.count >= max(1, minimumFrequency) {
                    state.restoreScaffold(back.token)
                    history.append(.init(merges: merges.count, token: back.token, becameScaffold: false))
                    kept += 1
                    progress?.advance(to: kept)
                    continue
                }
                if vocabulary.count >= idLimit { break }
            }
            guard let top = state.nextMerge(minimumFrequency: minimumFrequency) else { break }
            let left = vocabulary.tokens[Int(top.first)]
            var right = vocabulary.tokens[Int(top.second)][...]
            if let prefix, right.starts(with: prefix) { right = right.dropFirst(prefix.count) }
            let before = vocabulary.count
            let id = vocabulary.insert(left + right)
            if vocabulary.count > before { kept += 1 }
            merges.append((top.first, top.second))
            state.apply(top, replacement: id)
            if scaffold {
                state.requeueScaffold(id)
                let next = state.nextMergeCount(minimumFrequency: minimumFrequency) ?? 0
                for part in top.first == top.second ? [top.first] : [top.first, top.second]
                where Int(part) >= firstMergedID && !state.isScaffold[Int(part)] && UInt64(state.tokenCounts[Int(part)]) < next {
                    state.makeScaffold(part)
                    history.append(.init(merges: merges.count, token: part, becameScaffold: true))
                    kept -= 1
                }
            }
            progress?.advance(to: kept)
        }
        progress?.finish()
        var trained = BPEVocabulary(tokens: vocabulary.tokens, merges: merges,
                                    specialTokens: specialTokens, continuingSubwordPrefix: continuingSubwordPrefix,
                                    endOfWordSuffix: endOfWordSuffix, unknownToken: nil, byteFallback: byteFallback,
                                    characterCoverage: characterCoverage)
        trained.scaffoldHistory = history
        if scaffold {
            trained.moveScaffoldsLast(vocabulary.tokens.indices.filter { state.isScaffold[$0] }.map { UInt32($0) })
        }
        return trained
    }

    private func addAlphabet(of words: borrowing WordCounts, to vocabulary: inout VocabularyBuilder) {
        var counts = PairMap<Int>(capacity: 4096, placeholder: 0)
        words.words.forEach { word, count in
            word.forEachScalar { scalar in counts.update(UInt64(scalar), default: 0) { $0 += count } }
        }
        // Raw byte-level words: each byte is one character of the byte-level alphabet, so a
        // table of 256 counts replaces mapping every word to its characters and hashing them.
        var byteCounts = [Int](repeating: 0, count: 256)
        byteCounts.withUnsafeMutableBufferPointer { byteCounts in
            words.rawByteLevelWords.forEach { raw, count in
                for byte in raw { byteCounts[Int(byte)] += count }
            }
        }
        for (byte, count) in byteCounts.enumerated() where count > 0 {
            counts.update(UInt64(ByteLevelAlphabet.scalarForByte[byte]), default: 0) { $0 += count }
        }
        for scalar in initialAlphabet { counts.update(UInt64(scalar.value), default: 0) { $0 = .max } }
        var kept: [(scalar: UInt32, count: Int)] = []
        counts.forEach { scalar, count in kept.append((UInt32(scalar), count)) }
        if let characterCoverage {
            // SentencePiece's rule: the most frequent first (ties by code point), until the
            // characters taken cover the fraction (computed in double, compared as float).
            kept.sort { $0.count != $1.count ? $0.count > $1.count : $0.scalar < $1.scalar }
            // (`initialAlphabet`'s characters, counted as .max, sort first and are always kept.)
            let all = kept.reduce(0.0) { $0 + ($1.count == .max ? 0 : Double($1.count)) }
            var covered = 0.0
            var keep = 0
            while keep < kept.count && (kept[keep].count == .max || Float(covered / all) < Float(characterCoverage)) {
                if kept[keep].count != .max { covered += Double(kept[keep].count) }
                keep += 1
            }
            kept.removeLast(kept.count - keep)
        }
        if let limitAlphabet, kept.count > limitAlphabet {
            // The reference sorts by count alone (unstable): equal counts at the cut are its choice;
            // here the lower code point goes first, so the result is at least reproducible.
            kept.sort { ($0.count, $0.scalar) < ($1.count, $1.scalar) }
            kept.removeFirst(kept.count - limitAlphabet)
        }
        kept.sort { $0.scalar < $1.scalar }
        for (scalar, _) in kept { vocabulary.insert(utf8(of: scalar)) }
    }

    /// Splits every word into its characters' ids (with the prefix and suffix when set), in the
    /// order the words were first seen: the reference walks a hash map, so when a prefix or suffix
    /// creates new tokens their ids depend on that walk; here they do not.
    private func tokenize(_ words: borrowing WordCounts, vocabulary: inout VocabularyBuilder, largestID: Int) -> TrainingWords {
        let prefix = continuingSubwordPrefix.map { Array($0.utf8) }
        let suffix = endOfWordSuffix.map { Array($0.utf8) }
        // The id of each character's own string (UInt32.max: not in the vocabulary, so the
        // character is dropped from words), and of its prefixed/suffixed forms, looked up once.
        var characterIDs = PairMap<UInt32>(capacity: 4096, placeholder: 0)
        var formIDs = PairMap<UInt32>(capacity: 4096, placeholder: 0)
        // Merges add ids up to the vocabulary size; characters and their prefixed forms may lie
        // beyond it (`append` widens the ids then).
        var result = TrainingWords(tracksLengths: maximumTokenLength != nil, largestID: largestID)
        var scalars: [UInt32] = []
        var symbols: [UInt32] = []
        func characterID(_ scalar: UInt32, _ vocabulary: inout VocabularyBuilder) -> UInt32 {
            var id = UInt32.max
            characterIDs.update(UInt64(scalar), default: vocabulary.id(of: utf8(of: scalar)) ?? .max) { id = $0 }
            return id
        }
        // A character outside the vocabulary is dropped from its word (`tokenizers`), or, under a
        // character coverage, ends a run that merges cannot cross.
        func skipCharacter(count: Int) {
            if characterCoverage != nil && !symbols.isEmpty {
                result.append(symbols, count: count)
                symbols.removeAll(keepingCapacity: true)
            }
        }
        func split(_ word: UnsafeBufferPointer<UInt8>, count: Int) {
            scalars.removeAll(keepingCapacity: true)
            word.forEachScalar { scalars.append($0) }
            symbols.removeAll(keepingCapacity: true)
            for (index, scalar) in scalars.enumerated() {
                var id = characterID(scalar, &vocabulary)
                guard id != .max else {
                    skipCharacter(count: count)
                    continue
                }
                let continues = index > 0 && prefix != nil
                let ends = index == scalars.count - 1 && suffix != nil
                if continues || ends {
                    let key = UInt64(scalar) | (continues ? 1 << 32 : 0) | (ends ? 1 << 33 : 0)
                    formIDs.update(key, default: vocabulary.insert((continues ? prefix! : []) + utf8(of: scalar) + (ends ? suffix! : []))) {
                        id = $0
                    }
                }
                symbols.append(id)
            }
            result.append(symbols, count: count)
        }
        words.words.forEach(split)
        guard prefix == nil && suffix == nil else {
            words.forEachRawByteLevelEntry(split)
            return result
        }
        // Raw byte-level words without prefix or suffix forms: one id per byte, from a table.
        let idForByte = (0..<256).map { characterID(ByteLevelAlphabet.scalarForByte[$0], &vocabulary) }
        words.rawByteLevelWords.forEach { raw, count in
            symbols.removeAll(keepingCapacity: true)
            for byte in raw {
                let id = idForByte[Int(byte)]
                guard id != .max else {
                    skipCharacter(count: count)
                    continue
                }
                symbols.append(id)
            }
            result.append(symbols, count: count)
        }
        return result
    }
}

func utf8(of scalar: UInt32) -> [UInt8] {
    var bytes: [UInt8] = []
    UTF8.append(scalar, to: &bytes)
    return bytes
}

/// A pair of adjacent token ids, ordered as the reference orders them (first id, then second).
struct SymbolPair: Comparable {
    var first: UInt32
    var second: UInt32
    var packed: UInt64 { UInt64(first) << 32 | UInt64(second) }
    init(first: UInt32, second: UInt32) {
        self.first = first
        self.second = second
    }
    init(packed: UInt64) {
        first = UInt32(truncatingIfNeeded: packed >> 32)
        second = UInt32(truncatingIfNeeded: packed)
    }
    static func < (a: SymbolPair, b: SymbolPair) -> Bool { a.packed < b.packed }
}

/// The words being merged, end to end in one buffer (an array per word would cost more than
/// the word itself: the corpora have millions of distinct words). Ids take 16 bits while they
/// fit (vocabularies of up to 65,536 tokens, the common case), else 32. Symbol lengths (in
/// characters) are kept only when a maximum token length needs them.
struct TrainingWords {
    /// The ids of every word, narrow (16-bit) until an id does not fit, then wide.
    private var narrowIDs: [UInt16] = []
    private var wideIDs: [UInt32] = []
    private(set) var isWide: Bool
    /// The length of each symbol, parallel to the ids; empty when lengths are not tracked.
    private var symbolLengths: [UInt32] = []
    private let tracksLengths: Bool
    /// Where each word starts (32 bits: a corpus with more than 4 G symbols in its distinct
    /// words would need tens of gigabytes anyway; `append` checks).
    private var starts: [UInt32] = []
    /// The current number of symbols of each word (merges shrink words in place).
    private var lengths: [UInt32] = []
    private(set) var counts: [Int] = []

    /// `largestID`: the largest id merges may create, which decides whether 16 bits are enough.
    init(tracksLengths: Bool, largestID: Int) {
        self.tracksLengths = tracksLengths
        isWide = largestID > Int(UInt16.max)
    }

    var count: Int { counts.count }

    private var symbolCount: Int { isWide ? wideIDs.count : narrowIDs.count }

    private func range(of index: Int) -> Range<Int> {
        let start = Int(starts[index])
        return start..<(start + Int(lengths[index]))
    }

    /// Adds a word of single characters (length 1 each).
    mutating func append(_ word: [UInt32], count: Int) {
        precondition(symbolCount + word.count <= Int(UInt32.max), "more than 4 G characters in the distinct words")
        starts.append(UInt32(symbolCount))
        lengths.append(UInt32(word.count))
        counts.append(count)
        if !isWide, word.contains(where: { $0 > UInt32(UInt16.max) }) { widen() }
        if isWide {
            wideIDs += word
        } else {
            for id in word { narrowIDs.append(UInt16(truncatingIfNeeded: id)) }
        }
        if tracksLengths { symbolLengths += repeatElement(1, count: word.count) }
    }

    /// Switches to 32-bit ids (a character beyond the 16-bit range).
    private mutating func widen() {
        wideIDs = narrowIDs.map { UInt32($0) }
        narrowIDs = []
        isWide = true
    }

    /// Calls `body` with the ids of every word and its index.
    func forEachWord(_ body: (UnsafeBufferPointer<UInt32>, Int) -> Void) {
        if isWide {
            wideIDs.withUnsafeBufferPointer { all in
                for index in 0..<counts.count { body(UnsafeBufferPointer(rebasing: all[range(of: index)]), index) }
            }
            return
        }
        var word: [UInt32] = []
        for index in 0..<counts.count {
            word.removeAll(keepingCapacity: true)
            for id in narrowIDs[range(of: index)] { word.append(UInt32(id)) }
            word.withUnsafeBufferPointer { body($0, index) }
        }
    }

    /// Calls `body` with direct access to the words' symbols, through which words are merged (one
    /// access for a whole merge instead of one per word).
    mutating func withStorage<R>(_ body: (Storage) -> R) -> R {
        let tracks = tracksLengths
        return symbolLengths.withUnsafeMutableBufferPointer { symbolLengths in
            lengths.withUnsafeMutableBufferPointer { lengths in
                starts.withUnsafeBufferPointer { starts in
                    counts.withUnsafeBufferPointer { counts in
                        narrowIDs.withUnsafeMutableBufferPointer { narrow in
                            wideIDs.withUnsafeMutableBufferPointer { wide in
                                body(Storage(narrowIDs: narrow, wideIDs: wide, isWide: isWide, tracksLengths: tracks,
                                             symbolLengths: symbolLengths, starts: starts, lengths: lengths, counts: counts))
                            }
                        }
                    }
                }
            }
        }
    }

    /// The words' buffers, valid inside `withStorage`.
    struct Storage {
        let narrowIDs: UnsafeMutableBufferPointer<UInt16>
        let wideIDs: UnsafeMutableBufferPointer<UInt32>
        let isWide: Bool
        let tracksLengths: Bool
        let symbolLengths: UnsafeMutableBufferPointer<UInt32>
        let starts: UnsafeBufferPointer<UInt32>
        let lengths: UnsafeMutableBufferPointer<UInt32>
        let counts: UnsafeBufferPointer<Int>

        /// Merges every (non-overlapping, left to right) occurrence of `pair` in word `index` and
        /// reports the changes to the counts of the neighbouring pairs, as the reference's
        /// `Word::merge` does: the pair before loses one and the pair with the new token gains one
        /// (unless that would make a token longer than `maximumLength`), likewise after.
        /// Returns how many occurrences were merged.
        @inline(__always) @discardableResult
        func merge(word index: Int, _ pair: SymbolPair, replacement: UInt32, maximumLength: UInt32,
                   _ change: (SymbolPair, Int) -> Void) -> Int {
            precondition(isWide || replacement <= UInt32(UInt16.max), "a merge beyond the id range the words were sized for")
            let start = Int(starts[index])
            let range = start..<(start + Int(lengths[index]))
            guard range.count > 1 else { return 0 }
            let wordLengths = tracksLengths ? UnsafeMutableBufferPointer(rebasing: symbolLengths[range]) : symbolLengths
            if isWide {
                lengths[index] = TrainingWords.merge(UnsafeMutableBufferPointer(rebasing: wideIDs[range]), lengths: wordLengths,
                                                     tracks: tracksLengths, pair, replacement: replacement,
                                                     maximumLength: maximumLength, change)
            } else {
                lengths[index] = TrainingWords.merge(UnsafeMutableBufferPointer(rebasing: narrowIDs[range]), lengths: wordLengths,
                                                     tracks: tracksLengths, pair, replacement: replacement,
                                                     maximumLength: maximumLength, change)
            }
            return range.count - Int(lengths[index])
        }
    }

    /// The merge of one word's symbols, in place: the write index never passes the read index,
    /// and the symbol after a pair is read before anything is written over it.
    @inline(__always)
    fileprivate static func merge<ID: FixedWidthInteger & UnsignedInteger>(
        _ ids: UnsafeMutableBufferPointer<ID>, lengths: UnsafeMutableBufferPointer<UInt32>, tracks: Bool,
        _ pair: SymbolPair, replacement: UInt32, maximumLength: UInt32, _ change: (SymbolPair, Int) -> Void
    ) -> UInt32 {
        let n = ids.count
        let first = ID(truncatingIfNeeded: pair.first), second = ID(truncatingIfNeeded: pair.second)
        let merged = ID(truncatingIfNeeded: replacement)
        // Untracked lengths never reach the maximum (which is then UInt32.max, as usize::MAX
        // is in the reference).
        func fits(_ a: Int, _ b: UInt32) -> Bool { !tracks || lengths[a] + b < maximumLength }
        var r = 0, w = 0
        while r < n {
            if ids[r] == first && r + 1 < n && ids[r + 1] == second {
                let newLength: UInt32 = tracks ? lengths[r] + lengths[r + 1] : 0
                if w > 0 {
                    let before = UInt32(ids[w - 1])
                    change(SymbolPair(first: before, second: pair.first), -1)
                    if fits(w - 1, newLength) { change(SymbolPair(first: before, second: replacement), 1) }
                }
                if r + 2 < n {
                    let after = UInt32(ids[r + 2])
                    change(SymbolPair(first: pair.second, second: after), -1)
                    if fits(r + 2, newLength) { change(SymbolPair(first: replacement, second: after), 1) }
                }
                ids[w] = merged
                if tracks { lengths[w] = newLength }
                r += 2
            } else {
                ids[w] = ids[r]
                if tracks { lengths[w] = lengths[r] }
                r += 1
            }
            w += 1
        }
        return UInt32(w)
    }
}

/// Token strings (UTF-8) and their ids, in insertion order.
struct VocabularyBuilder {
    private(set) var tokens: [[UInt8]] = []
    private var ids: [[UInt8]: UInt32] = [:]

    var count: Int { tokens.count }

    func id(of token: [UInt8]) -> UInt32? { ids[token] }

    /// The id of `token`, added at the end if it is new.
    @discardableResult
    mutating func insert(_ token: [UInt8]) -> UInt32 {
        if let id = ids[token] { return id }
        let id = UInt32(tokens.count)
        tokens.append(token)
        ids[token] = id
        return id
    }
}

extension Array where Element == Int32 {
    /// Appends `index` unless it is already the last element (words are visited one at a time).
    mutating func appendUnique(_ index: Int32) {
        if last != index { append(index) }
    }
}

/// A max-heap of candidate merges: higher count first, then the smaller pair.
struct MergeQueue {
    struct Entry: HeapElement {
        var count: UInt64
        var pair: SymbolPair
        /// The words where the pair was seen. Most pairs a merge creates in a large corpus occur
        /// in a single word, and an array costs more than the entry: that word is kept inline
        /// (the enum takes 8 bytes, as the array reference alone would).
        private enum Words {
            case one(Int32)
            case many([Int32])
        }
        private var storedWords: Words

        init(count: UInt64, pair: SymbolPair, words: [Int32]) {
            self.count = count
            self.pair = pair
            storedWords = words.count == 1 ? .one(words[0]) : .many(words)
        }

        var words: [Int32] {
            switch storedWords {
            case .one(let word): [word]
            case .many(let words): words
            }
        }

        func precedes(_ other: Entry) -> Bool {
            count != other.count ? count > other.count : pair < other.pair
        }
    }

    private var heap = BinaryHeap<Entry>()

    var top: Entry? { heap.top }

    mutating func push(_ entry: Entry) { heap.push(entry) }

    mutating func pop() -> Entry? { heap.pop() }
}

/// What a `BinaryHeap` orders: `precedes` is true when `self` comes out first.
protocol HeapElement {
    func precedes(_ other: Self) -> Bool
}

/// A binary heap, the element that precedes all others on top. The queues' tie-breaking
/// follows from its exact sift order, which the trainers' reproducibility relies on.
struct BinaryHeap<Element: HeapElement> {
    private var heap: [Element] = []

    var top: Element? { heap.first }

    mutating func push(_ element: Element) {
        heap.append(element)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Element? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { break }
            var best = left
            if left + 1 < heap.count && heap[left + 1].precedes(heap[left]) { best = left + 1 }
            guard heap[best].precedes(heap[parent]) else { break }
            heap.swapAt(best, parent)
            parent = best
        }
        return top
    }
}
