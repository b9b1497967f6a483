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
    public func train(_ words: consuming WordCounts, progress: TrainingProgress? = nil) -> BPEVocabulary {
        var vocabulary = VocabularyBuilder()
        for token in specialTokens { vocabulary.insert(Array(token.utf8)) }
        if byteFallback {
            for byte in 0...255 { vocabulary.insert(Array(byteFallbackPieceName(UInt8(byte)).utf8)) }
        }
        // The word counts are only needed until the words are split into ids.
        var state = { (words: consuming WordCounts, vocabulary: inout VocabularyBuilder) in
            var words = words
            words.finishCounting()
            addAlphabet(of: words, to: &vocabulary)
            let split = tokenize(words, vocabulary: &vocabulary)
            _ = consume words
            return MergeState(words: split, maximumTokenLength: maximumTokenLength.map { UInt32(clamping: $0) } ?? .max)
        }(words, &vocabulary)
        var merges: [(UInt32, UInt32)] = []
        let prefix = continuingSubwordPrefix.map { Array($0.utf8) }
        progress?.begin("Compute merges", total: vocabularySize)
        while vocabulary.count < vocabularySize, let top = state.nextMerge(minimumFrequency: minimumFrequency) {
            let left = vocabulary.tokens[Int(top.first)]
            var right = vocabulary.tokens[Int(top.second)][...]
            if let prefix, right.starts(with: prefix) { right = right.dropFirst(prefix.count) }
            let id = vocabulary.insert(left + right)
            merges.append((top.first, top.second))
            state.apply(top, replacement: id)
            progress?.advance(to: vocabulary.count)
        }
        progress?.finish()
        return BPEVocabulary(tokens: vocabulary.tokens, merges: merges,
                             specialTokens: specialTokens, continuingSubwordPrefix: continuingSubwordPrefix,
                             endOfWordSuffix: endOfWordSuffix, unknownToken: nil, byteFallback: byteFallback,
                             characterCoverage: characterCoverage)
    }

    private func addAlphabet(of words: borrowing WordCounts, to vocabulary: inout VocabularyBuilder) {
        var counts = PairMap<Int>(capacity: 4096, placeholder: 0)
        words.forEachEntry { word, count in
            word.forEachScalar { scalar in counts.update(UInt64(scalar), default: 0) { $0 += count } }
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
    private func tokenize(_ words: borrowing WordCounts, vocabulary: inout VocabularyBuilder) -> TrainingWords {
        let prefix = continuingSubwordPrefix.map { Array($0.utf8) }
        let suffix = endOfWordSuffix.map { Array($0.utf8) }
        // The id of each character's own string (UInt32.max: not in the vocabulary, so the
        // character is dropped from words), and of its prefixed/suffixed forms, looked up once.
        var characterIDs = PairMap<UInt32>(capacity: 4096, placeholder: 0)
        var formIDs = PairMap<UInt32>(capacity: 4096, placeholder: 0)
        // Merges add ids up to the vocabulary size; characters and their prefixed forms may lie
        // beyond it (`append` widens the ids then).
        var result = TrainingWords(tracksLengths: maximumTokenLength != nil, largestID: max(vocabularySize, vocabulary.count) - 1)
        var scalars: [UInt32] = []
        var symbols: [UInt32] = []
        words.forEachEntry { word, count in
            scalars.removeAll(keepingCapacity: true)
            word.forEachScalar { scalars.append($0) }
            symbols.removeAll(keepingCapacity: true)
            for (index, scalar) in scalars.enumerated() {
                var id = UInt32.max
                characterIDs.update(UInt64(scalar), default: vocabulary.id(of: utf8(of: scalar)) ?? .max) { id = $0 }
                guard id != .max else {
                    // Outside the vocabulary: dropped from the word (`tokenizers`), or, under a
                    // character coverage, the end of a run that merges cannot cross.
                    if characterCoverage != nil && !symbols.isEmpty {
                        result.append(symbols, count: count)
                        symbols.removeAll(keepingCapacity: true)
                    }
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

    /// Merges every (non-overlapping, left to right) occurrence of `pair` in word `index` and
    /// reports the changes to the counts of the neighbouring pairs, as the reference's
    /// `Word::merge` does: the pair before loses one and the pair with the new token gains one
    /// (unless that would make a token longer than `maximumLength`), likewise after.
    mutating func merge(word index: Int, _ pair: SymbolPair, replacement: UInt32, maximumLength: UInt32,
                        _ change: (SymbolPair, Int) -> Void) {
        precondition(isWide || replacement <= UInt32(UInt16.max), "a merge beyond the id range the words were sized for")
        let range = range(of: index)
        guard range.count > 1 else { return }
        let tracks = tracksLengths
        lengths[index] = symbolLengths.withUnsafeMutableBufferPointer { allLengths in
            let lengths = tracks ? UnsafeMutableBufferPointer(rebasing: allLengths[range]) : allLengths
            if isWide {
                return wideIDs.withUnsafeMutableBufferPointer { all in
                    Self.merge(UnsafeMutableBufferPointer(rebasing: all[range]), lengths: lengths, tracks: tracks,
                               pair, replacement: replacement, maximumLength: maximumLength, change)
                }
            }
            return narrowIDs.withUnsafeMutableBufferPointer { all in
                Self.merge(UnsafeMutableBufferPointer(rebasing: all[range]), lengths: lengths, tracks: tracks,
                           pair, replacement: replacement, maximumLength: maximumLength, change)
            }
        }
    }

    /// The merge of one word's symbols, in place: the write index never passes the read index,
    /// and the symbol after a pair is read before anything is written over it.
    @inline(__always)
    private static func merge<ID: FixedWidthInteger & UnsignedInteger>(
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

/// Pair counts, where each pair occurs, and the priority queue of candidate merges.
struct MergeState {
    var words: TrainingWords
    let maximumTokenLength: UInt32
    /// Counts are never reset after a merge, as in the reference (a pair merged once can come back
    /// only through a token string formed twice).
    private var pairCounts: PairMap<Int>
    private var queue = MergeQueue()
    /// The words where pairs gained occurrences during one merge (reused between merges).
    private var gained = PairMap<[Int32]>(placeholder: [])

    init(words: TrainingWords, maximumTokenLength: UInt32) {
        self.words = words
        self.maximumTokenLength = maximumTokenLength
        // Distinct pairs are far fewer than words (a few hundred thousand for millions of words):
        // the maps grow as needed rather than starting at the number of words.
        var pairCounts = PairMap<Int>(capacity: 1 << 16, placeholder: 0)
        var positions = PairMap<[Int32]>(capacity: 1 << 16, placeholder: [])
        let counts = words.counts
        words.forEachWord { symbols, index in
            guard symbols.count > 1 else { return }
            for k in 0..<(symbols.count - 1) {
                let pair = SymbolPair(first: symbols[k], second: symbols[k + 1]).packed
                pairCounts.update(pair, default: 0) { $0 += counts[index] }
                positions.update(pair, default: []) { $0.appendUnique(Int32(index)) }
            }
        }
        self.pairCounts = pairCounts
        enqueue(positions)
        HeapTrim.releaseFreeMemory()
    }

    private mutating func enqueue(_ positions: PairMap<[Int32]>) {
        positions.forEach { pair, words in
            let count = pairCounts[pair] ?? 0
            if count > 0 {
                queue.push(MergeQueue.Entry(count: UInt64(count), pair: SymbolPair(packed: pair), words: words))
            }
        }
    }

    /// The next pair to merge, or nil when none is frequent enough.
    mutating func nextMerge(minimumFrequency: Int) -> SymbolPair? {
        while var top = queue.pop() {
            // Counts are compared as the reference does (its signed count read as unsigned).
            let current = UInt64(bitPattern: Int64(pairCounts[top.pair.packed] ?? 0))
            if top.count != current {
                top.count = current
                queue.push(top)
                continue
            }
            if top.count < 1 || UInt64(max(0, minimumFrequency)) > top.count { return nil }
            pending = top.words
            return top.pair
        }
        return nil
    }

    /// The words of the pair `nextMerge` returned.
    private var pending: [Int32] = []

    mutating func apply(_ pair: SymbolPair, replacement: UInt32) {
        gained.removeAll()
        for index in pending {
            let count = words.counts[Int(index)]
            words.merge(word: Int(index), pair, replacement: replacement, maximumLength: maximumTokenLength) { changed, delta in
                pairCounts.update(changed.packed, default: 0) { $0 += delta * count }
                if delta > 0 { gained.update(changed.packed, default: []) { $0.appendUnique(index) } }
            }
        }
        freedSinceTrim += pending.count
        pending = []
        enqueue(gained)
        // The word lists of merged pairs are freed as training goes; past 64 MB, return the pages.
        if freedSinceTrim > 16 << 20 {
            HeapTrim.releaseFreeMemory()
            freedSinceTrim = 0
        }
    }

    /// Word indices freed since the heap was last trimmed.
    private var freedSinceTrim = 0
}

extension Array where Element == Int32 {
    /// Appends `index` unless it is already the last element (words are visited one at a time).
    mutating func appendUnique(_ index: Int32) {
        if last != index { append(index) }
    }
}

/// A max-heap of candidate merges: higher count first, then the smaller pair.
struct MergeQueue {
    struct Entry {
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

    private var heap: [Entry] = []


    mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Entry? {
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
