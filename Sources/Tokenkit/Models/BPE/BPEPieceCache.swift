// Performance notes: short pieces live in the worker's `PieceTable`; pieces of
// 16 bytes and more (indentation runs, long words) also repeat, so their merge
// results are cached here. The cache is per worker (no locks on the hot path),
// has a fixed number of slots and bounded arenas, and is simply cleared when
// full: memory stays bounded however much text passes through, and clearing
// costs less than tracking recency. Pieces beyond 256 bytes are never cached.

/// A direct-mapped cache of merge-table lookups: the same few thousand byte and token pairs
/// recur in every word of a script, and the merge table itself is megabytes wide. 16K slots
/// (256 KB) stay in the core's L2 cache: 64K slots missed less often but cost more time
/// (interleaved best-of-7 runs: multi 2-8% slower, 3 MiB per run).
struct PairLookupCache {
    static let slotBits = 14
    static let slotCount = 1 << slotBits
    /// Per slot: key (left << 32 | right), value (rank << 32 | result, or `.max` for "no merge").
    private let slots: UnsafeMutablePointer<UInt64>

    init() {
        slots = .allocate(capacity: Self.slotCount * 2)
        // Empty slots hold the key of the pair (UInt32.max, UInt32.max), which no vocabulary has.
        slots.initialize(repeating: .max, count: Self.slotCount * 2)
    }

    func deallocate() { slots.deallocate() }

    @inline(__always)
    private static func index(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - slotBits))
    }

    /// The merge of the adjacent symbols (left, right), which cover `bytes`, as the model gives it.
    @inline(__always)
    func lookup(left: UInt32, right: UInt32, covering bytes: UnsafeBufferPointer<UInt8>, in model: BPEModel) -> UInt64? {
        let key = UInt64(left) << 32 | UInt64(right)
        let slot = slots + 2 &* Self.index(key)
        if _fastPath(slot[0] == key) {
            let v = slot[1]
            return v == .max ? nil : v
        }
        return Self.fill(slot, key: key, left: left, right: right, covering: bytes, in: model)
    }

    /// A miss: asks the model and remembers its answer. (Out of line, so that the hit path
    /// stays a few instructions wherever the merge loops inline it.)
    @inline(never)
    private static func fill(_ slot: UnsafeMutablePointer<UInt64>, key: UInt64, left: UInt32, right: UInt32,
                             covering bytes: UnsafeBufferPointer<UInt8>, in model: BPEModel) -> UInt64? {
        let value = model.merge(left, right, covering: bytes)
        slot[0] = key
        slot[1] = value ?? .max
        return value
    }
}

/// A bounded cache from piece bytes to the token ids BPE produced for them.
struct BPEPieceCache {
    /// The first level: short pieces (see `PieceTable`), prepared by the model on first use.
    var table = PieceTable()
    /// Merge results shared with the other workers of the encoder (caches from its pool).
    var sharedMerges: SharedMergeCache?
    /// This worker's reservation in `sharedMerges`' arena.
    var sharedBlock = (next: 0, end: 0)
    /// Merge-table lookups of the merge loop.
    let pairs = PairLookupCache()
    /// The padded copy of the text being encoded.
    var text = PaddedText()
    /// Where the ids of the text being encoded are written before they are copied out. Encoding
    /// writes up to one id per byte (and the fast path's slack) before it knows the count, so a
    /// result array allocated up front would keep four bytes of capacity per byte of text;
    /// written here instead, the ids go to memory already in the cache, and the result is an
    /// array of exactly their number.
    var ids = ScratchBuffer<TokenID>(retainedCapacity: 1 << 18, minimumCapacity: 4096)
    /// The match ends of a batch of pieces (`KnownPatternScanner.batchSize` of them) and their
    /// keys (`BPEModel.lookahead` more): kept with the worker, where temporary buffers of their
    /// size would be allocated on the heap for every text.
    let batchEnds = UnsafeMutablePointer<Int>.allocate(capacity: KnownPatternScanner.batchSize)
    let batchKeys = UnsafeMutablePointer<PieceKey>.allocate(capacity: KnownPatternScanner.batchSize + BPEModel.lookahead)

    static let slotCount = 1 << 17
    static let maximumKeyLength = 256
    private static let maximumEntries = slotCount / 2
    private static let arenaLimit = maximumEntries * 24

    /// Slot layout: hash (0 = empty), key start, key length << 16 | value count, value start.
    private var hashes: UnsafeMutablePointer<UInt64>
    private var keyStarts: UnsafeMutablePointer<UInt32>
    private var lengths: UnsafeMutablePointer<UInt32>
    private var valueStarts: UnsafeMutablePointer<UInt32>
    private var keys: [UInt8] = []
    private var values: [UInt32] = []
    private var entries = 0

    init() {
        hashes = .allocate(capacity: Self.slotCount)
        hashes.initialize(repeating: 0, count: Self.slotCount)
        keyStarts = .allocate(capacity: Self.slotCount)
        lengths = .allocate(capacity: Self.slotCount)
        valueStarts = .allocate(capacity: Self.slotCount)
        keys.reserveCapacity(4096)
        values.reserveCapacity(1024)
    }

    /// Frees the storage (the cache is a value owned by one worker; see `BPEPieceCacheBox`).
    func deallocate() {
        table.deallocate()
        pairs.deallocate()
        var text = text
        text.deallocate()
        var ids = ids
        ids.deallocate()
        hashes.deallocate()
        keyStarts.deallocate()
        lengths.deallocate()
        valueStarts.deallocate()
        batchEnds.deallocate()
        batchKeys.deallocate()
    }

    /// Writes the cached ids of `key` to `out` and returns their number, or -1 when not cached.
    @inline(__always)
    func lookup(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64, out: UnsafeMutablePointer<TokenID>) -> Int {
        let h = hash | 1
        var slot = Int(truncatingIfNeeded: h >> 7) & (Self.slotCount - 1)
        while true {
            let stored = hashes[slot]
            if stored == 0 { return -1 }
            if stored == h {
                let packed = lengths[slot]
                let keyLength = Int(packed >> 16)
                if keyLength == key.count {
                    let start = Int(keyStarts[slot])
                    let equal = keys.withUnsafeBufferPointer { bytesEqual($0.baseAddress! + start, key.baseAddress!, keyLength) }
                    if equal {
                        let valueStart = Int(valueStarts[slot])
                        let count = Int(packed & 0xFFFF)
                        values.withUnsafeBufferPointer { out.update(from: $0.baseAddress! + valueStart, count: count) }
                        return count
                    }
                }
            }
            slot = (slot + 1) & (Self.slotCount - 1)
        }
    }

    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64, ids: UnsafeBufferPointer<TokenID>) {
        guard key.count <= Self.maximumKeyLength, ids.count < 0x10000 else { return }
        if entries >= Self.maximumEntries || keys.count + key.count > Self.arenaLimit || values.count + ids.count > Self.arenaLimit {
            clear()
        }
        let h = hash | 1
        var slot = Int(truncatingIfNeeded: h >> 7) & (Self.slotCount - 1)
        while hashes[slot] != 0 { slot = (slot + 1) & (Self.slotCount - 1) }
        hashes[slot] = h
        keyStarts[slot] = UInt32(keys.count)
        lengths[slot] = UInt32(key.count) << 16 | UInt32(ids.count)
        valueStarts[slot] = UInt32(values.count)
        keys.append(contentsOf: key)
        values.append(contentsOf: ids)
        entries += 1
    }

    mutating func clear() {
        hashes.update(repeating: 0, count: Self.slotCount)
        keys.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        entries = 0
    }
}

/// Owns a cache and frees it; handed out by `BPEPieceCachePool`.
final class BPEPieceCacheBox {
    // (Only the thread that took the box from the pool touches it: no dynamic exclusivity check
    // per call.)
    @exclusivity(unchecked) var cache = BPEPieceCache()
    deinit { cache.deallocate() }
}

/// A small pool of caches so that concurrent encode calls each get their own.
///
/// A thread gets back the cache it used last when it is free: in a parallel batch each worker
/// then keeps one cache warm in its own core's memory instead of trading caches with the
/// others (measured: 1.4x on two cores with trading, closer to 2x without). Each thread has a
/// preferred slot (from its id), where it takes its cache with one atomic exchange and puts it
/// back with one compare-and-swap, each slot on a cache line of its own: workers share no
/// written memory per text. (A lock and a shared list made that memory move between the cores
/// twice per text, and two threads encoding short texts ran slower than one.) When its slot is
/// empty the thread takes any pooled cache, else makes one; a cache given back to a full pool
/// is freed, so that memory stays bounded.
final class BPEPieceCachePool: @unchecked Sendable {
    private static let slotCount = 16
    /// Pointers per 64-byte line: one slot per line.
    private static let slotStride = 8
    private let slots: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    /// Merge results all of the pool's caches share (a piece new to the text is then merged once,
    /// not once per worker).
    let sharedMerges = SharedMergeCache()

    init() {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: Self.slotCount * Self.slotStride * 8, alignment: 64)
        slots = raw.initializeMemory(as: UnsafeMutableRawPointer?.self, repeating: nil, count: Self.slotCount * Self.slotStride)
    }

    deinit {
        for i in 0..<Self.slotCount {
            if let box = slots[i &* Self.slotStride] { Unmanaged<BPEPieceCacheBox>.fromOpaque(box).release() }
        }
        slots.deallocate()
    }

    /// The calling thread's preferred slot: its id, hashed to 0..<16.
    @inline(__always)
    private static func preferredSlot() -> Int {
        #if canImport(Darwin)
        let id = UInt64(UInt(bitPattern: pthread_self()))
        #else
        let id = UInt64(pthread_self())
        #endif
        return Int(truncatingIfNeeded: (id &* 0x9E37_79B9_7F4A_7C15) >> 60)
    }

    /// The slots in the order the calling thread tries them: its preferred one first.
    @inline(__always)
    private func slot(_ k: Int, from preferred: Int) -> UnsafeMutablePointer<UnsafeMutableRawPointer?> {
        slots + ((preferred &+ k) & (Self.slotCount &- 1)) &* Self.slotStride
    }

    func take() -> BPEPieceCacheBox {
        let preferred = Self.preferredSlot()
        for k in 0..<Self.slotCount {
            let slot = slot(k, from: preferred)
            if tokenkit_load_pointer(slot) != nil, let box = tokenkit_exchange_pointer(slot, nil) {
                return Unmanaged<BPEPieceCacheBox>.fromOpaque(box).takeRetainedValue()
            }
        }
        let box = BPEPieceCacheBox()
        box.cache.sharedMerges = sharedMerges
        sharedMerges.addWorker()
        return box
    }

    func give(_ box: BPEPieceCacheBox) {
        let preferred = Self.preferredSlot()
        let pointer = Unmanaged.passRetained(box).toOpaque()
        for k in 0..<Self.slotCount {
            let slot = slot(k, from: preferred)
            if tokenkit_load_pointer(slot) == nil && tokenkit_store_pointer_if_null(slot, pointer) { return }
        }
        Unmanaged<BPEPieceCacheBox>.fromOpaque(pointer).release()
    }

    func withCache<R>(_ body: (inout BPEPieceCache) throws -> R) rethrows -> R {
        let box = take()
        defer { give(box) }
        return try body(&box.cache)
    }
}

import CTokenkitSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
