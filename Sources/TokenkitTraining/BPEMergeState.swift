import Dispatch
import Tokenkit

/// Pair counts, where each pair occurs, and the priority queue of candidate merges: the state
/// `BPETrainer` merges with, one merge at a time.
///
/// A merge that touches many words runs on several threads, with the same result as on one:
/// each thread merges a contiguous share of the words (words are independent) and lists the
/// count changes in word order; then each thread applies the changes of the pairs in its shard
/// of the counts (pairs are sharded by a hash, so no two threads touch one pair), walking the
/// lists in word order, so each pair's words come out in the order one thread would see them.
/// The queue is then fed in the order pairs first gained, as one thread feeds it: the queue
/// breaks ties between entries of equal count and pair by their insertion history, so this
/// order is what keeps the output byte-identical whatever the thread count.
struct MergeState {
    var words: TrainingWords
    let maximumTokenLength: UInt32
    /// Threads for large merges (1: every merge on the calling thread).
    private let workers: Int
    /// Merges touching at least this many words run on `workers` threads; smaller ones cost
    /// less than waking the threads.
    private let parallelThreshold: Int
    /// Words per thread and round of a parallel merge: bounds the change lists (about 4 changes
    /// a word, 16 bytes each) however many words a merge touches.
    private let wordsPerRound: Int
    /// Pair counts, in 2^`shardBits` maps (at least one per worker) chosen by `shard(of:)`. Counts are never reset after a
    /// merge, as in the reference (a pair merged once can come back only through a token string
    /// formed twice).
    private var pairCounts: [PairMap<Int>]
    private let shardBits: Int
    private var queue = MergeQueue()
    /// Per shard: the words where pairs gained occurrences during one merge (reused between
    /// merges), and for each pair in insertion order, where in the merge's changes it first gained.
    private var gained: [PairMap<[Int32]>]
    private var firstGained: [[Int]]
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
    init(words: TrainingWords, maximumTokenLength: UInt32, threads: Int = 1, parallelThreshold: Int = 1024,
         wordsPerRound: Int = 1 << 16, tokenCapacity: Int? = nil) {
        self.words = words
        self.maximumTokenLength = maximumTokenLength
        workers = max(1, threads)
        self.parallelThreshold = max(1, parallelThreshold)
        self.wordsPerRound = max(1, wordsPerRound)
        var bits = 0
        while 1 << bits < workers { bits += 1 }
        shardBits = bits
        let shards = 1 << bits
        // Distinct pairs are far fewer than words (a few hundred thousand for millions of words):
        // the maps grow as needed rather than starting at the number of words.
        pairCounts = Array(repeating: PairMap<Int>(capacity: (1 << 16) >> bits, placeholder: 0), count: shards)
        gained = Array(repeating: PairMap<[Int32]>(placeholder: []), count: shards)
        firstGained = Array(repeating: [], count: shards)
        var positions = PairMap<[Int32]>(capacity: 1 << 16, placeholder: [])
        let counts = words.counts
        let shardBits = bits
        pairCounts.withUnsafeMutableBufferPointer { pairCounts in
            words.forEachWord { symbols, index in
                guard symbols.count > 1 else { return }
                for k in 0..<(symbols.count - 1) {
                    let pair = SymbolPair(first: symbols[k], second: symbols[k + 1]).packed
                    pairCounts[Self.shard(of: pair, bits: shardBits)].update(pair, default: 0) { $0 += counts[index] }
                    positions.update(pair, default: []) { $0.appendUnique(Int32(index)) }
                }
            }
        }
        positions.forEach { pair, words in push(pair, words: words) }
        if let tokenCapacity {
            var tokenCounts = [Int](repeating: 0, count: tokenCapacity)
            words.forEachWord { symbols, index in
                for id in symbols { tokenCounts[Int(id)] += counts[index] }
            }
            self.tokenCounts = tokenCounts
            isScaffold = [Bool](repeating: false, count: tokenCapacity)
        }
        HeapTrim.releaseFreeMemory()
    }

    /// Which map of `pairCounts` holds `pair`: the top bits of a multiplicative hash other than
    /// the maps' own (whose top bits pick the slot, which would leave half of each map unused).
    @inline(__always)
    private static func shard(of pair: UInt64, bits: Int) -> Int {
        Int(truncatingIfNeeded: (pair &* 0xD6E8_FEB8_6659_FD93) >> UInt64(64 - bits))
    }

    private func count(of pair: UInt64) -> Int {
        pairCounts[Self.shard(of: pair, bits: shardBits)][pair] ?? 0
    }

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
        let pending = self.pending
        self.pending = []
        let merged: Int
        if workers > 1 && pending.count >= parallelThreshold {
            merged = applyInParallel(pair, replacement: replacement, in: pending)
        } else {
            merged = applyOnThisThread(pair, replacement: replacement, in: pending)
        }
        if !tokenCounts.isEmpty {
            tokenCounts[Int(pair.first)] -= merged
            tokenCounts[Int(pair.second)] -= merged
            tokenCounts[Int(replacement)] += merged
        }
        freedSinceTrim += pending.count
        // The word lists of merged pairs are freed as training goes; past 64 MB, return the pages.
        if freedSinceTrim > 16 << 20 {
            HeapTrim.releaseFreeMemory()
            freedSinceTrim = 0
        }
    }

    /// Returns the occurrences merged, weighted by word counts.
    private mutating func applyOnThisThread(_ pair: SymbolPair, replacement: UInt32, in pending: [Int32]) -> Int {
        let maximumLength = maximumTokenLength, bits = shardBits
        var merged = 0
        // Through buffer pointers: the maps are elements of arrays, whose mutating accessors
        // would check uniqueness on every update.
        pairCounts.withUnsafeMutableBufferPointer { counts in
            gained.withUnsafeMutableBufferPointer { gained in
                words.withStorage { storage in
                    gained[0].removeAll()
                    for index in pending {
                        let count = storage.counts[Int(index)]
                        merged += count * storage.merge(word: Int(index), pair, replacement: replacement, maximumLength: maximumLength) { changed, delta in
                            let key = changed.packed
                            counts[Self.shard(of: key, bits: bits)].update(key, default: 0) { $0 += delta * count }
                            if delta > 0 { gained[0].update(key, default: []) { $0.appendUnique(index) } }
                        }
                    }
                }
            }
        }
        // Insertion order is the order pairs first gained.
        let gainedPairs = gained[0]
        gainedPairs.forEach { pair, words in push(pair, words: words) }
        return merged
    }

    /// A change of one occurrence to a pair's count in a word (the count changes by the word's
    /// count): 16 bytes, since a merge of millions of words lists tens of millions of them.
    private struct Change {
        var pair: UInt64
        var word: Int32
        var delta: Int32
    }


    /// Returns the occurrences merged, weighted by word counts.
    private mutating func applyInParallel(_ pair: SymbolPair, replacement: UInt32, in pending: [Int32]) -> Int {
        let workers = self.workers, maximumLength = maximumTokenLength, bits = shardBits, wordsPerRound = self.wordsPerRound
        let shards = pairCounts.count
        var changes = [[Change]](repeating: [], count: workers)
        var merged = [Int](repeating: 0, count: workers)
        // Where the next round's changes start in the order one thread would list them.
        var position = 0
        for shard in 0..<shards {
            gained[shard].removeAll()
            firstGained[shard].removeAll(keepingCapacity: true)
        }
        words.withStorage { storage in
            var roundStart = 0
            while roundStart < pending.count {
                let round = roundStart..<min(pending.count, roundStart + workers * wordsPerRound)
                roundStart = round.upperBound
                // 1. Each thread merges a contiguous share of the words, listing the changes in order.
                changes.withUnsafeMutableBufferPointer { changes in
                  merged.withUnsafeMutableBufferPointer { merged in
                    let shared = UncheckedSendable((storage, changes, pending, merged))
                    DispatchQueue.concurrentPerform(iterations: workers) { worker in
                        let (storage, changes, pending, merged) = shared.value
                        let share = round.count / workers
                        let start = round.lowerBound + worker * share
                        let end = worker == workers - 1 ? round.upperBound : start + share
                        changes[worker].removeAll(keepingCapacity: true)
                        for index in pending[start..<end] {
                            let occurrences = storage.merge(word: Int(index), pair, replacement: replacement,
                                                            maximumLength: maximumLength) { changed, delta in
                                changes[worker].append(Change(pair: changed.packed, word: index, delta: Int32(delta)))
                            }
                            merged[worker] += occurrences * storage.counts[Int(index)]
                        }
                    }
                  }
                }
                // 2. Each thread applies the changes of its shard of pairs, in word order.
                pairCounts.withUnsafeMutableBufferPointer { counts in
                    gained.withUnsafeMutableBufferPointer { gained in
                        firstGained.withUnsafeMutableBufferPointer { firstGained in
                            let shared = UncheckedSendable((counts, gained, firstGained, changes, storage, position))
                            DispatchQueue.concurrentPerform(iterations: shards) { shard in
                                let (counts, gained, firstGained, changes, storage, roundPosition) = shared.value
                                var at = roundPosition
                                for list in changes {
                                    for change in list {
                                        defer { at += 1 }
                                        guard Self.shard(of: change.pair, bits: bits) == shard else { continue }
                                        let amount = Int(change.delta) * storage.counts[Int(change.word)]
                                        counts[shard].update(change.pair, default: 0) { $0 += amount }
                                        guard change.delta > 0 else { continue }
                                        let before = gained[shard].count
                                        gained[shard].update(change.pair, default: []) { $0.appendUnique(change.word) }
                                        if gained[shard].count > before { firstGained[shard].append(at) }
                                    }
                                }
                            }
                        }
                    }
                }
                position += changes.reduce(0) { $0 + $1.count }
            }
        }
        // 3. The queue is fed in the order pairs first gained, across the shards.
        let entries = gained.map { map in
            var list: [(UInt64, [Int32])] = []
            list.reserveCapacity(map.count)
            map.forEach { list.append(($0, $1)) }
            return list
        }
        var next = [Int](repeating: 0, count: shards)
        while true {
            var best = -1
            for shard in 0..<shards where next[shard] < entries[shard].count {
                if best < 0 || firstGained[shard][next[shard]] < firstGained[best][next[best]] { best = shard }
            }
            guard best >= 0 else { break }
            let (pair, words) = entries[best][next[best]]
            next[best] += 1
            push(pair, words: words)
        }
        return merged.reduce(0, +)
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
    private var heap: [(count: Int, token: UInt32)] = []

    var top: (count: Int, token: UInt32)? { heap.first }

    private static func precedes(_ a: (count: Int, token: UInt32), _ b: (count: Int, token: UInt32)) -> Bool {
        a.count != b.count ? a.count > b.count : a.token < b.token
    }

    mutating func push(count: Int, token: UInt32) {
        heap.append((count, token))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.precedes(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (count: Int, token: UInt32)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { break }
            var best = left
            if left + 1 < heap.count && Self.precedes(heap[left + 1], heap[left]) { best = left + 1 }
            guard Self.precedes(heap[best], heap[parent]) else { break }
            heap.swapAt(best, parent)
            parent = best
        }
        return top
    }
}
