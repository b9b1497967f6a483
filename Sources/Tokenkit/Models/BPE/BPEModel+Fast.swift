// Performance notes: the id-only path of byte-level BPE. Per piece: one key
// and hash of its bytes (padded loads, masked) and one branch-free probe of the
// worker's `PieceTable`, which holds the single bytes, the vocabulary's short
// tokens (tiktoken files and `ignore_merges` models: most words are one token)
// and the merge results of the short pieces seen so far; the batch loop asks
// for their lines a dozen pieces ahead. Only the rest (pieces of 16 bytes or
// more, results of over four ids, pieces not seen yet) goes out of line to the
// bounded piece cache and the merge loop, on stack buffers (no allocation) for
// pieces up to 32 bytes and with the heap algorithm beyond, so that a 1 MB word
// stays O(n log n). Ids are written to a caller-provided buffer: byte-level BPE
// never produces more tokens than bytes, so the caller sizes it once (with
// `outputSlack` more, for the probe's four-id stores).

import CTokenkitSupport

extension BPEModel {
    /// Whether the fast path looks a piece up whole before merging it (`ignoreMerges`, which
    /// tiktoken files set): the piece table is then seeded with the vocabulary's short tokens.
    @inline(__always)
    var looksUpWholePieces: Bool { options.ignoreMerges && alphabet == .byteLevel }

    /// How many ids past the last one the fast path may write (garbage, then overwritten or
    /// cut off): callers' buffers need that much room beyond one id per byte.
    static let outputSlack = PieceTable.maximumIDs

    /// Encodes one piece of raw bytes (byte-level vocabularies) into `out`, which must have room
    /// for `n` + `outputSlack` ids; returns the number of ids written. The piece lies in a
    /// `PaddedText`, so its first 16 bytes may be loaded whatever its length.
    @inline(__always)
    func encodePiece(_ base: UnsafePointer<UInt8>, _ n: Int, out: UnsafeMutablePointer<TokenID>, cache: inout BPEPieceCache) -> Int {
        if !cache.table.isPrepared { cache.table.prepare(for: self) }
        let key = PieceKey(padded: base, count: n)
        let (hit, found) = cache.table.view.emit(key, to: out)
        return hit ? found : encodeOffLine(base, n, key, out: out, cache: &cache)
    }

    /// How many pieces ahead the batch loop requests table lines; the keys buffer of
    /// `encodePieces` needs that many entries more than the batch.
    static let lookahead = 12

    /// Encodes the `count` successive pieces of the padded text `p` from `start` that end at
    /// `ends`, into `out`; returns the number of ids. In two passes: the first computes every
    /// piece's key into `keys` (room for `count` + `lookahead`), the second probes the table,
    /// starting to load each line `lookahead` pieces before its probe (enough to cover a miss
    /// to memory, few enough that the requests do not queue up behind one another).
    @inline(__always)
    func encodePieces(_ p: UnsafePointer<UInt8>, from start: Int, ends: UnsafePointer<Int>, count: Int,
                      keys: UnsafeMutablePointer<PieceKey>, out: UnsafeMutablePointer<TokenID>,
                      cache: inout BPEPieceCache) -> Int {
        if !cache.table.isPrepared { cache.table.prepare(for: self) }
        var s = start
        for e in 0..<count {
            let end = ends[e]
            keys[e] = PieceKey(padded: p + s, count: end &- s)
            s = end
        }
        // The keys past the batch only serve the last prefetches.
        for e in count..<(count &+ Self.lookahead) { keys[e] = .padding }
        var table = cache.table.view
        for e in 0..<min(Self.lookahead, count) { table.prefetch(keys[e].hash) }
        var o = out
        for e in 0..<count {
            table.prefetch(keys[e &+ Self.lookahead].hash)
            let (hit, found) = table.emit(keys[e], to: o)
            if hit {
                o += found
            } else {
                // (Only here is the piece itself needed.)
                let s = e == 0 ? start : ends[e &- 1]
                o += encodeOffLine(p + s, ends[e] &- s, keys[e], out: o, cache: &cache)
                table = cache.table.view
            }
        }
        return o - out
    }

    /// A piece the table's first line does not answer: further along the table, in the piece
    /// cache, or merged (and then remembered).
    @inline(never)
    private func encodeOffLine(_ base: UnsafePointer<UInt8>, _ n: Int, _ key: PieceKey,
                               out: UnsafeMutablePointer<TokenID>, cache: inout BPEPieceCache) -> Int {
        let piece = UnsafeBufferPointer(start: base, count: n)
        guard n <= PieceKey.maximumLength else {
            return encodeLong(piece, out: out, cache: &cache)
        }
        let slot: UnsafeMutablePointer<UInt64>
        switch cache.table.find(key) {
        case .found(let entry): return cache.table.copyIDs(of: entry, to: out)
        case .empty(let empty): slot = empty
        }
        // (A short piece missing from the table is no token when pieces are looked up whole: the
        // table was seeded with every short token.) Merging leaves the table alone, so the empty
        // entry found is still where the piece goes, unless the table must grow or be cleared.
        let count = mergeSharing(piece, hash: key.hash, out: out, cache: &cache)
        cache.table.insert(key, ids: out, count: count, model: self, at: slot)
        return count
    }

    /// A piece too long for the piece table: the piece cache, then the whole-piece vocabulary
    /// lookup of `ignoreMerges`, then the merges (remembered in the piece cache).
    @inline(__always)
    private func encodeLong(_ piece: UnsafeBufferPointer<UInt8>, out: UnsafeMutablePointer<TokenID>, cache: inout BPEPieceCache) -> Int {
        let h = hashBytes(piece.baseAddress!, piece.count)
        let cached = cache.lookup(piece, hash: h, out: out)
        if cached >= 0 { return cached }
        if let longTokenFilterView, longTokenFilterView.mayContain(h),
           let id = vocabulary.value(forPadded: piece.baseAddress!, count: piece.count) {
            out[0] = id
            return 1
        }
        let count = mergeSharing(piece, hash: h, out: out, cache: &cache)
        cache.insert(piece, hash: h, ids: UnsafeBufferPointer(start: out, count: count))
        return count
    }

    /// The merges of a piece the worker's caches do not hold: from the results the encoder's
    /// workers share, else merged and shared.
    private func mergeSharing(_ piece: UnsafeBufferPointer<UInt8>, hash: UInt64, out: UnsafeMutablePointer<TokenID>,
                              cache: inout BPEPieceCache) -> Int {
        guard let shared = cache.sharedMerges, shared.isShared else { return mergeBytes(piece, out: out, pairs: cache.pairs) }
        let found = shared.lookup(piece, hash: hash, out: out)
        if found >= 0 { return found }
        let count = mergeBytes(piece, out: out, pairs: cache.pairs)
        shared.insert(piece, hash: hash, ids: out, count: count, block: &cache.sharedBlock)
        return count
    }

    /// Runs BPE merges on the bytes of a piece, writing the resulting ids; returns their number.
    func mergeBytes(_ piece: UnsafeBufferPointer<UInt8>, out: UnsafeMutablePointer<TokenID>, pairs: PairLookupCache) -> Int {
        let n = piece.count
        // Symbols are built in `out` itself (the merged result is never longer than the bytes).
        let symbols = out
        let complete = byteIDs.withUnsafeBufferPointer { ids in
            for i in 0..<n {
                guard let id = ids[Int(piece[i])] else { return false }
                symbols[i] = id
            }
            return true
        }
        guard complete else {
            // Bytes without a token (byte fallback, unknowns): the general algorithm.
            var ids: [TokenID] = []
            encodeRawBytes(Array(piece), into: &ids)
            out.update(from: ids, count: ids.count)
            return ids.count
        }
        if n >= Self.rankBucketThreshold, let count = mergeWithRankBuckets(piece, symbols, pairs) { return count }
        if n <= 1 { return n }
        if n <= Self.smallPieceLimit {
            if let count = mergeSmall(piece, symbols, pairs) { return count }
            // It may have merged a few symbols before declining: start again from the bytes.
            for i in 0..<n { symbols[i] = byteIDs[Int(piece[i])]! }
        }
        return mergeWithHeap(piece, symbols, pairs)
    }

    /// Pieces up to this many bytes merge with `mergeSmall`: a symbol's start fits the low bits
    /// of its pair's key.
    static let smallPieceLimit = 32

    /// The merge loop for short pieces (most of them), on stack buffers and without a heap:
    /// each pair's candidate is one 32-bit key, rank << 5 | position (plus `keyBias`), so the
    /// next merge (the lowest rank, the leftmost among equal ranks) is the minimum key, found by a
    /// branch-free pass four keys at a time; merged-away symbols keep their slot with the key
    /// `noCandidate` and are unlinked, so no array is shifted. The minimum is taken on the keys'
    /// bits read as floats (`tokenkit_minimum_key`): they are positive normal numbers, which
    /// order as their bits do, and the baseline x86-64 instruction set has a float minimum but no
    /// 32-bit integer one. Keys are written four at a time too (the group is loaded,
    /// one lane replaced, and stored back): the next pass's loads of 16 bytes are then forwarded
    /// from those stores, where after a 4-byte store they would wait for it to reach the cache.
    /// Returns nil when a rank does not fit in 25 bits (the caller then uses the heap).
    @inline(__always)
    private func mergeSmall(_ piece: UnsafeBufferPointer<UInt8>, _ symbols: UnsafeMutablePointer<TokenID>,
                            _ pairs: PairLookupCache) -> Int? {
        let n = piece.count
        let base = piece.baseAddress!
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: 2 &* Self.smallPieceLimit) { buffer in
            withUnsafeTemporaryAllocation(of: Int8.self, capacity: 2 &* Self.smallPieceLimit &+ 1) { linkBuffer in
                let keys = buffer.baseAddress!
                let results = keys + Self.smallPieceLimit
                // next[i]: where the symbol after the one at i starts (n at the end); previous[i]: the
                // symbol before (-1 at the start).
                let next = linkBuffer.baseAddress!
                let previous = next + Self.smallPieceLimit
                // Every rank looked up, or-ed together: they must fit in 25 bits, so that keys
                // stay below 2^30 and read as finite floats. (Returned rather than kept in a
                // captured variable, which would cost an exclusivity check per call.)
                var rankBits: UInt64 = 0
                let laneMasks = UnsafeRawPointer(tokenkit_lane_masks()!)
                @inline(__always) func setKey(_ i: Int, _ key: Int32) {
                    let group = UnsafeMutableRawPointer(keys + (i & ~3))
                    let old = group.loadUnaligned(as: SIMD4<Int32>.self)
                    // All ones in lane i % 4.
                    let lane = laneMasks.load(fromByteOffset: (i & 3) &<< 4, as: SIMD4<Int32>.self)
                    group.storeBytes(of: (old & ~lane) | (SIMD4(repeating: key) & lane), as: SIMD4<Int32>.self)
                }
                /// The key of the merge (rank << 32 | result) of the pair at p, its result kept.
                @inline(__always) func key(_ m: UInt64, at p: Int) -> Int32 {
                    results[p] = Int32(truncatingIfNeeded: UInt32(truncatingIfNeeded: m))
                    return m == .max ? Self.noCandidate
                        : (Int32(truncatingIfNeeded: m >> 32) << 5 | Int32(truncatingIfNeeded: p)) &+ Self.keyBias
                }
                /// Files the candidate of the symbols at p and q; returns its rank's bits.
                @inline(__always) func lookup(_ p: Int, _ q: Int, initial: Bool = false) -> UInt64 {
                    let end = Int(next[q])
                    let m = pairs.lookup(left: symbols[p], right: symbols[q],
                                         covering: UnsafeBufferPointer(start: base + p, count: end &- p), in: self) ?? .max
                    if initial { keys[p] = key(m, at: p) } else { setKey(p, key(m, at: p)) }
                    return m == .max ? 0 : m >> 32
                }
                for i in 0..<n {
                    next[i] = Int8(truncatingIfNeeded: i &+ 1)
                    previous[i] = Int8(truncatingIfNeeded: i &- 1)
                }
                if let bytePairs = bytePairEntries {
                    // The first candidates are pairs of bytes: one load each.
                    for i in 0..<(n &- 1) {
                        let m = bytePairs[base[i], base[i &+ 1]]
                        keys[i] = key(m, at: i)
                        rankBits |= m == .max ? 0 : m >> 32
                    }
                } else {
                    for i in 0..<(n &- 1) { rankBits |= lookup(i, i &+ 1, initial: true) }
                }
                keys[n &- 1] = Self.noCandidate
                // The minimum is taken over a multiple of four keys: the ones past the piece hold
                // `noCandidate` for good.
                let paddedCount = (n &+ 3) & ~3
                for i in n..<paddedCount { keys[i] = Self.noCandidate }
                while true {
                    let best = tokenkit_minimum_key(keys, paddedCount)
                    if best == Self.noCandidate { break }
                    guard rankBits < 1 << 25 else { return nil }
                    let p = Int(best & 31)
                    let q = Int(next[p])
                    let after = Int(next[q])
                    symbols[p] = TokenID(truncatingIfNeeded: results[p])
                    setKey(q, Self.noCandidate)
                    next[p] = Int8(truncatingIfNeeded: after)
                    if after < n { previous[after] = Int8(truncatingIfNeeded: p) }
                    if after < n { rankBits |= lookup(p, after) } else { setKey(p, Self.noCandidate) }
                    let before = Int(previous[p])
                    if before >= 0 { rankBits |= lookup(before, p) }
                }
                guard rankBits < 1 << 25 else { return nil }
                // Move the surviving symbols to the front, in order.
                var write = 0
                var i = 0
                while i < n {
                    symbols[write] = symbols[i]
                    write &+= 1
                    i = Int(next[i])
                }
                return write
            }
        }
    }

    /// Added to `mergeSmall`'s keys so that, read as floats, none is subnormal (whose handling
    /// may be slow): the exponent field is at least 1. Its low bits are zero, so a key's position
    /// stays in its low 5 bits.
    private static let keyBias: Int32 = 1 << 23
    /// `mergeSmall`'s key of no merge: the largest finite float's bits, above every key.
    private static let noCandidate: Int32 = 0x7F7F_FFFF

    /// Pieces from this many bytes merge with rank buckets (linear) rather than the heap.
    static let rankBucketThreshold = 1 << 14

    /// The linear variant of the merge loop for very long pieces (a 1 MB word), where a heap's
    /// log n random accesses leave the CPU caches: candidates go into one bucket per rank, and the
    /// buckets are emptied in rank order. That order is the heap's as long as every merge only
    /// creates pairs of higher rank than its own, which holds for trained vocabularies (a token
    /// is learnt after its parts). When a vocabulary breaks the rule, or has a rank beyond the
    /// buckets, it gives up (returning nil, the symbols reset to bytes) and the heap runs instead.
    /// Within a bucket candidates are taken left to right, as the heap's (rank, position) order.
    private func mergeWithRankBuckets(_ piece: UnsafeBufferPointer<UInt8>, _ symbols: UnsafeMutablePointer<TokenID>,
                                      _ pairs: PairLookupCache) -> Int? {
        let n = piece.count
        let base = piece.baseAddress!
        let bucketCount = max(idUpperBound, merges.count) &+ 1
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: 2 &* n) { links in
            let list = LinkedSymbols(symbols: symbols, bytes: base, count: n, links: links.baseAddress!)
            @inline(__always) func merge(_ p: Int, _ q: Int) -> UInt64? { list.merge(p, q, self, pairs) }
            // The initial candidates, counting-sorted by rank (so by position within a rank): `firsts`
            // holds each rank's slice of `initial`, which reading a bucket walks in memory order.
            var firsts = [Int32](repeating: 0, count: bucketCount &+ 1)
            var initial = [Int32](repeating: 0, count: n)
            var initialRanks = [Int32](repeating: -1, count: n)
            for i in 0..<(n - 1) {
                guard let m = merge(i, i + 1) else { continue }
                let rank = Int(truncatingIfNeeded: m >> 32)
                guard rank < bucketCount else { return nil }
                initialRanks[i] = Int32(rank)
                firsts[rank &+ 1] &+= 1
            }
            for r in 0..<bucketCount { firsts[r &+ 1] &+= firsts[r] }
            var fill = firsts
            for i in 0..<(n - 1) where initialRanks[i] >= 0 {
                let r = Int(initialRanks[i])
                initial[Int(fill[r])] = Int32(i)
                fill[r] &+= 1
            }
            initialRanks = []
            fill = []
            // Candidates made by merges: a list per rank through `later` (position, next item).
            var heads = [Int32](repeating: -1, count: bucketCount)
            var later = [Int32](repeating: 0, count: 4 &* n)
            var laterCount = 0
            var bucket: [Int32] = []
            var failed = false
            /// Files the candidate; false when its rank cannot be processed in order.
            func file(_ m: UInt64, at p: Int, after current: Int) -> Bool {
                let rank = Int(truncatingIfNeeded: m >> 32)
                guard rank > current, rank < bucketCount else { return false }
                later[2 &* laterCount] = Int32(truncatingIfNeeded: p)
                later[2 &* laterCount &+ 1] = heads[rank]
                heads[rank] = Int32(truncatingIfNeeded: laterCount)
                laterCount &+= 1
                return true
            }
            ranks: for rank in 0..<bucketCount where firsts[rank] != firsts[rank &+ 1] || heads[rank] >= 0 {
                bucket.removeAll(keepingCapacity: true)
                bucket.append(contentsOf: initial[Int(firsts[rank])..<Int(firsts[rank &+ 1])])
                var item = Int(heads[rank])
                if item >= 0 {
                    while item >= 0 {
                        bucket.append(later[2 &* item])
                        item = Int(later[2 &* item &+ 1])
                    }
                    // Only overlapping candidates (a run of equal symbols) need left to right,
                    // but sorting is cheap and simple.
                    bucket.sort()
                }
                for position in bucket {
                    let p = Int(position)
                    // Skipped when merged away, or when the pair changed since it was filed.
                    guard let (q, m) = list.current(p, rank: UInt64(rank), self, pairs) else { continue }
                    let (before, after) = list.apply(p, q, merged: m)
                    if before >= 0, let m2 = merge(before, p), !file(m2, at: before, after: rank) { failed = true; break ranks }
                    if after >= 0, let m3 = merge(p, after), !file(m3, at: p, after: rank) { failed = true; break ranks }
                }
            }
            if failed {
                for i in 0..<n { symbols[i] = byteIDs[Int(piece[i])]! }
                return nil
            }
            return list.compact()
        }
    }

    /// The heap variant of the merge loop (O(n log n)) for longer pieces, on stack buffers:
    /// symbols are linked (`LinkedSymbols`), candidate merges are (rank << 32 | position)
    /// in a binary min-heap, and stale candidates are recognised by their rank.
    private func mergeWithHeap(_ piece: UnsafeBufferPointer<UInt8>, _ symbols: UnsafeMutablePointer<TokenID>,
                               _ pairs: PairLookupCache) -> Int {
        let n = piece.count
        let base = piece.baseAddress!
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: 2 * n) { links in
            withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 3 * n) { heap in
                var heapCount = 0
                @inline(__always) func push(_ v: UInt64) {
                    var i = heapCount
                    heapCount += 1
                    while i > 0 {
                        let parent = (i - 1) >> 1
                        if heap[parent] <= v { break }
                        heap[i] = heap[parent]
                        i = parent
                    }
                    heap[i] = v
                }
                @inline(__always) func pop() -> UInt64 {
                    let top = heap[0]
                    heapCount -= 1
                    let last = heap[heapCount]
                    var i = 0
                    while true {
                        let left = 2 * i + 1
                        if left >= heapCount { break }
                        var child = left
                        if left + 1 < heapCount && heap[left + 1] < heap[left] { child = left + 1 }
                        if heap[child] >= last { break }
                        heap[i] = heap[child]
                        i = child
                    }
                    heap[i] = last
                    return top
                }
                let list = LinkedSymbols(symbols: symbols, bytes: base, count: n, links: links.baseAddress!)
                @inline(__always) func merge(_ p: Int, _ q: Int) -> UInt64? { list.merge(p, q, self, pairs) }
                for i in 0..<(n - 1) {
                    if let m = merge(i, i + 1) { push((m >> 32) << 32 | UInt64(i)) }
                }
                while heapCount > 0 {
                    let top = pop()
                    let p = Int(top & 0xFFFF_FFFF)
                    // Skipped when merged away, or stale (the pair has another rank now).
                    guard let (q, m) = list.current(p, rank: top >> 32, self, pairs) else { continue }
                    let (before, after) = list.apply(p, q, merged: m)
                    if before >= 0, let m2 = merge(before, p) { push((m2 >> 32) << 32 | UInt64(before)) }
                    if after >= 0, let m3 = merge(p, after) { push((m3 >> 32) << 32 | UInt64(p)) }
                }
                return list.compact()
            }
        }
    }
}

/// The symbols of a long piece as a doubly linked list over the piece's bytes, for the heap and
/// rank-bucket merge loops: a symbol is indexed by the byte where it starts and ends where the
/// next one starts; a merged-away symbol has `previous` -2. Views of caller-owned buffers.
struct LinkedSymbols {
    let symbols: UnsafeMutablePointer<TokenID>
    let next: UnsafeMutablePointer<Int32>
    let previous: UnsafeMutablePointer<Int32>
    let bytes: UnsafePointer<UInt8>
    let count: Int

    /// Links the `count` one-byte symbols; `links` has room for 2 * count.
    init(symbols: UnsafeMutablePointer<TokenID>, bytes: UnsafePointer<UInt8>, count: Int, links: UnsafeMutablePointer<Int32>) {
        self.symbols = symbols
        self.bytes = bytes
        self.count = count
        next = links
        previous = links + count
        for i in 0..<count {
            next[i] = Int32(i + 1 < count ? i + 1 : -1)
            previous[i] = Int32(i - 1)
        }
    }

    /// The model's merge (rank << 32 | result) of the adjacent symbols starting at p and q.
    @inline(__always)
    func merge(_ p: Int, _ q: Int, _ model: BPEModel, _ pairs: PairLookupCache) -> UInt64? {
        let end = next[q] < 0 ? count : Int(next[q])
        return pairs.lookup(left: symbols[p], right: symbols[q], covering: UnsafeBufferPointer(start: bytes + p, count: end &- p), in: model)
    }

    /// The symbol after the one at p, when the candidate merge at p (of the given rank) still
    /// applies: p is alive, has a successor, and their merge has that rank.
    @inline(__always)
    func current(_ p: Int, rank: UInt64, _ model: BPEModel, _ pairs: PairLookupCache) -> (q: Int, merge: UInt64)? {
        let q = Int(next[p])
        guard q >= 0, previous[p] != -2, let m = merge(p, q, model, pairs), m >> 32 == rank else { return nil }
        return (q, m)
    }

    /// Replaces the symbols at p and q (its successor) by `merged`; returns their neighbours
    /// (-1 at an end).
    @inline(__always)
    func apply(_ p: Int, _ q: Int, merged: UInt64) -> (before: Int, after: Int) {
        symbols[p] = TokenID(truncatingIfNeeded: merged)
        let after = Int(next[q])
        next[p] = Int32(after)
        if after >= 0 { previous[after] = Int32(p) }
        previous[q] = -2
        return (Int(previous[p]), after)
    }

    /// Moves the surviving symbols to the front, in order; returns how many.
    func compact() -> Int {
        var write = 0
        var i = 0
        while i >= 0 {
            symbols[write] = symbols[i]
            write += 1
            i = Int(next[i])
        }
        return write
    }
}
