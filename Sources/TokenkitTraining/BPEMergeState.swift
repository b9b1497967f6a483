import CTokenkitSupport
import Tokenkit

/// Pair counts, where each pair occurs, and the priority queue of candidate merges: the state
/// `BPETrainer` merges with, one merge at a time.
///
/// Merges run on one thread. Running the words of large merges on several threads (each thread
/// merging a share of the words and listing the count changes, then applying the changes of
/// its shard of pairs, the queue fed in the order one thread would feed it) gave the same
/// output but was slower on two cores (the 24 MB benchmark: large merges 0.14 s on one thread,
/// 0.21 s on two; most of the merge time is in the tens of thousands of small merges and their
/// queue updates, which depend on each other), so it was removed.
struct MergeState {
    var words: TrainingWords
    let maximumTokenLength: UInt32
    /// Counts are never reset after a merge, as in the reference (a pair merged once can come back
    /// only through a token string formed twice).
    private var pairCounts: PairMap<Int>
    private var queue = MergeQueue()
    /// The words where pairs gained occurrences during one merge (reused between merges).
    private var gained = PairMap<[Int32]>(placeholder: [])
    /// How often each token occurs in the words (weighted by word counts), when tracked
    /// (Scaffold-BPE needs it); empty otherwise.
    private(set) var tokenCounts: [Int] = []
    /// Scaffold-BPE: the tokens out of the vocabulary, and a queue of them by count.
    private(set) var isScaffold: [Bool] = []
    private var scaffoldQueue = TokenQueue()
    /// The words of the pair `nextMerge` returned.
    private var pending: [Int32] = []
    /// Word indices freed since the heap was last trimmed.
    private var freedSinceTrim = 0

    /// `tokenCapacity`: when not nil, token counts are tracked for ids below it.
    init(words: TrainingWords, maximumTokenLength: UInt32, tokenCapacity: Int? = nil) {
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
        positions.forEach { pair, words in push(pair, words: words) }
        if let tokenCapacity {
            var tokenCounts = [Int](repeating: 0, count: tokenCapacity)
            words.forEachWord { symbols, index in
                for id in symbols { tokenCounts[Int(id)] += counts[index] }
            }
            self.tokenCounts = tokenCounts
            isScaffold = [Bool](repeating: false, count: tokenCapacity)
        }
        _ = tokenkit_return_freed_memory()
    }

    private func count(of pair: UInt64) -> Int { pairCounts[pair] ?? 0 }

    /// Queues `pair` with its current count, unless it no longer occurs.
    private mutating func push(_ pair: UInt64, words: [Int32]) {
        let count = count(of: pair)
        if count > 0 {
            queue.push(MergeQueue.Entry(count: UInt64(count), pair: SymbolPair(packed: pair), words: words))
        }
    }

    /// The next pair to merge, or nil when none is frequent enough.
    mutating func nextMerge(minimumFrequency: Int) -> SymbolPair? {
        while var top = queue.pop() {
            // Counts are compared as the reference does (its signed count read as unsigned).
            let current = UInt64(bitPattern: Int64(count(of: top.pair.packed)))
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

    /// The count of the pair `nextMerge` would return, or nil when none is frequent enough;
    /// refreshes stale entries exactly as `nextMerge` would, so it changes nothing that follows.
    mutating func nextMergeCount(minimumFrequency: Int) -> UInt64? {
        while let top = queue.top {
            let current = UInt64(bitPattern: Int64(count(of: top.pair.packed)))
            if top.count != current {
                var entry = queue.pop()!
                entry.count = current
                queue.push(entry)
                continue
            }
            if top.count < 1 || UInt64(max(0, minimumFrequency)) > top.count { return nil }
            return top.count
        }
        return nil
    }

    /// Merges `pair` into `replacement` in the words `nextMerge` found it in.
    mutating func apply(_ pair: SymbolPair, replacement: UInt32) {
        gained.removeAll()
        let maximumLength = maximumTokenLength
        // Occurrences merged, weighted by word counts (for the token counts).
        var merged = 0
        words.withStorage { storage in
            for index in pending {
                let count = storage.counts[Int(index)]
                merged += count * storage.merge(word: Int(index), pair, replacement: replacement, maximumLength: maximumLength) { changed, delta in
                    pairCounts.update(changed.packed, default: 0) { $0 += delta * count }
                    if delta > 0 { gained.update(changed.packed, default: []) { $0.appendUnique(index) } }
                }
            }
        }
        if !tokenCounts.isEmpty {
            tokenCounts[Int(pair.first)] -= merged
            tokenCounts[Int(pair.second)] -= merged
            tokenCounts[Int(replacement)] += merged
        }
        freedSinceTrim += pending.count
        pending = []
        // Insertion order is the order pairs first gained.
        let gainedPairs = gained
        gainedPairs.forEach { pair, words in push(pair, words: words) }
        // The word lists of merged pairs are freed as training goes; past 64 MB, return the pages.
        if freedSinceTrim > 16 << 20 {
            _ = tokenkit_return_freed_memory()
            freedSinceTrim = 0
        }
    }

    // MARK: - Scaffold-BPE

    /// Takes `token` out of the vocabulary (a scaffold) and queues it by its count, so that it
    /// comes back when it is more frequent than the best pair.
    mutating func makeScaffold(_ token: UInt32) {
        isScaffold[Int(token)] = true
        scaffoldQueue.push(count: tokenCounts[Int(token)], token: token)
    }

    /// Queues `token` again if it is a scaffold (its count grew: a merge formed its string again).
    mutating func requeueScaffold(_ token: UInt32) {
        if isScaffold[Int(token)] { scaffoldQueue.push(count: tokenCounts[Int(token)], token: token) }
    }

    /// The most frequent scaffold (ties: the smaller id) and its current count; stale entries
    /// (a count that changed, a token already back) are refreshed or dropped.
    mutating func mostFrequentScaffold() -> (token: UInt32, count: Int)? {
        while let top = scaffoldQueue.top {
            let current = tokenCounts[Int(top.token)]
            if !isScaffold[Int(top.token)] || current <= 0 {
                _ = scaffoldQueue.pop()
                continue
            }
            if current != top.count {
                _ = scaffoldQueue.pop()
                scaffoldQueue.push(count: current, token: top.token)
                continue
            }
            return (top.token, current)
        }
        return nil
    }

    /// Brings `token` (the most frequent scaffold) back into the vocabulary.
    mutating func restoreScaffold(_ token: UInt32) {
        isScaffold[Int(token)] = false
    }
}

/// A max-heap of tokens by count (ties: the smaller id first), for Scaffold-BPE's scaffolds.
struct TokenQueue {
    struct Entry: HeapElement {
        var count: Int
        var token: UInt32

        func precedes(_ other: Entry) -> Bool {
            count != other.count ? count > other.count : token < other.token
        }
    }

    private var heap = BinaryHeap<Entry>()

    var top: Entry? { heap.top }

    mutating func push(count: Int, token: UInt32) { heap.push(Entry(count: count, token: token)) }

    mutating func pop() -> Entry? { heap.pop() }
}
