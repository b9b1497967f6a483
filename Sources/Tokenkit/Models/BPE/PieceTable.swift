// Performance notes: the fast encoder's first and, for almost every piece, only
// lookup. On English with cl100k nine pieces in ten are one token and nearly all
// the rest are at most four, so one table answers both: seeded with the
// vocabulary's short tokens when pieces are looked up whole (tiktoken files,
// `ignore_merges`), it also keeps the merge results of the short pieces seen so
// far. An entry is 32 bytes (key and up to four ids), two to a cache line, and
// the probe of a line is branch-free: both entries are compared, the matching
// one's ids are stored whatever they are, and the caller advances its output by
// the count only on a hit. The table is per worker (written on misses), bounded
// (it doubles when three quarters full, up to `maximumCapacity`, then is cleared
// and seeded again), and megabytes wide, so the encoder prefetches the lines of a
// batch of pieces before probing them. Doubling rather than clearing at the start
// matters on text in many scripts: 6 MB of the multilingual corpus has some
// 140,000 distinct short pieces, more than a first table for cl100k holds beside
// its 100,000 seeds, and each clearing cost a pass over the table, a new seeding
// and the merges of every piece seen again.

import CTokenkitSupport

/// A short piece's key (see `PieceTable`) and hash, computed once per piece by the fast
/// encoder's key pass.
struct PieceKey {
    var a: UInt64
    var b: UInt64
    var hash: UInt64

    /// The longest piece the table keys: its length shares the key's last byte.
    static let maximumLength = 15

    /// The key of the `n` bytes at `base`, which lie in a `PaddedText` (16 bytes may be read).
    /// Longer pieces get a key that matches no entry.
    @inline(__always)
    init(padded base: UnsafePointer<UInt8>, count n: Int) {
        // A longer piece is keyed as its first 16 bytes with the length 16: bit 60, a count bit,
        // is then set in the key, and no entry's key has it (the probes mask the count out of
        // entries, not out of keys). One clamp, where a clamp to 15 and a select would be two.
        let m = min(n, Self.maximumLength &+ 1)
        let (a, b) = paddedShortKeyWords(base, m)
        let keyB = b | UInt64(truncatingIfNeeded: m) << 56
        self.a = a
        self.b = keyB
        self.hash = hashPieceKey(a, keyB)
    }

    /// A key that matches no entry (it only pads the keys buffer for the last prefetches).
    static let padding = PieceKey(a: 0, b: .max, hash: 0)

    private init(a: UInt64, b: UInt64, hash: UInt64) {
        self.a = a
        self.b = b
        self.hash = hash
    }

    /// The key of an entry's first two words (the second with its count bits cleared).
    init(a: UInt64, b: UInt64) {
        self.init(a: a, b: b, hash: hashPieceKey(a, b))
    }

    /// The key of a piece of 1...15 bytes that may not be over-read.
    init(bytes base: UnsafePointer<UInt8>, count n: Int) {
        let (a, b) = shortKeyWords(base, n)
        let keyB = b | UInt64(truncatingIfNeeded: n) << 56
        self.a = a
        self.b = keyB
        self.hash = hashPieceKey(a, keyB)
    }
}

/// One worker's table from short pieces (1 to 15 bytes) to the ids BPE gives them (1 to 4),
/// for the fast encoder: open addressing over 32-byte entries, two per 64-byte line.
///
/// An entry is four words: the key's bytes 0–7; its bytes 8–14 with the length in bits 56–59
/// and the id count in bits 60–62 (0 in the whole word: empty); then four ids. A piece of more
/// ids is a spilled entry: bit 63 set and no count (so that the branch-free probe never takes
/// it), then where its ids start in the table's arena and how many there are. Seeded with the
/// single bytes and, for models that look pieces up whole, the vocabulary's short tokens; the
/// merge results of other pieces are added as they are met. When the table is three quarters
/// full it doubles, up to `maximumCapacity` entries; at that size, or when its arena is full,
/// it is cleared and seeded again.
struct PieceTable {
    /// The bits of an entry's second word that belong to the key for the branch-free probe (the
    /// count is left out; the spilled bit stays, so that the probe does not match the entry).
    static let keyMask: UInt64 = ~(0x7 << 60)
    /// The bits of the key alone.
    static let keyOnlyMask: UInt64 = ~(0xF << 60)
    static let spilledBit: UInt64 = 1 << 63
    /// The most ids an entry holds itself.
    static let maximumIDs = 4
    /// The most ids the arena of spilled entries holds.
    static let arenaCapacity = 1 << 18
    /// The most entries the table grows to (32 MB).
    static let maximumCapacity = 1 << 20

    private(set) var view: View
    /// Entries in use.
    private var entries = 0
    /// The most entries the table grows to.
    private var capacityLimit = PieceTable.maximumCapacity
    /// Entries the storage holds (a power of two): two per line.
    var capacity: Int { (view.lineMask + 1) * 2 }
    /// The most entries before the table grows or is cleared.
    private var limit: Int { capacity / 4 * 3 }
    /// The ids of spilled entries.
    private var arena: UnsafeMutablePointer<TokenID>?
    private var arenaCount = 0

    /// The table's base and mask as a value, for loops to keep in registers.
    struct View {
        var lines: UnsafeMutableRawPointer?
        /// Lines - 1 (a power of two minus one).
        var lineMask: Int

        @inline(__always)
        func line(_ hash: UInt64) -> UnsafeMutablePointer<UInt64> {
            (lines.unsafelyUnwrapped + (Int(truncatingIfNeeded: hash) & lineMask) &<< 6).assumingMemoryBound(to: UInt64.self)
        }

        /// Walks the key's lines from its first: where it is, or the empty entry where it would go.
        @inline(__always)
        func find(_ key: PieceKey) -> Probe {
            var line = Int(truncatingIfNeeded: key.hash) & lineMask
            let base = lines.unsafelyUnwrapped.assumingMemoryBound(to: UInt64.self)
            while true {
                for half in 0..<2 {
                    let entry = base + (line &<< 3) + (half &<< 2)
                    if entry[1] == 0 { return .empty(entry) }
                    if entry[0] == key.a && entry[1] & PieceTable.keyOnlyMask == key.b { return .found(entry) }
                }
                line = (line &+ 1) & lineMask
            }
        }

        /// Starts loading the line where the probe of a hash begins.
        @inline(__always)
        func prefetch(_ hash: UInt64) { tokenkit_prefetch(UnsafeRawPointer(line(hash))) }

        /// Probes the key's first line without a branch: stores the ids of the matching entry (or
        /// of another: four ids whatever the count) at `out` and returns whether one matched and
        /// its count (when neither entry of the line is the key, it may still be further on: see
        /// `find`).
        @inline(__always)
        func emit(_ key: PieceKey, to out: UnsafeMutablePointer<TokenID>) -> (hit: Bool, count: Int) {
            let line = self.line(key.hash)
            let d0 = (line[0] ^ key.a) | ((line[1] & PieceTable.keyMask) ^ key.b)
            let d1 = (line[4] ^ key.a) | ((line[5] & PieceTable.keyMask) ^ key.b)
            let count = PieceTable.storeInlineIDs(of: line + (d1 == 0 ? 4 : 0), to: out)
            return (min(d0, d1) == 0, count)
        }
    }

    /// Stores an entry's four id lanes at `out` whatever its count, and returns the count.
    @inline(__always)
    static func storeInlineIDs(of entry: UnsafeMutablePointer<UInt64>, to out: UnsafeMutablePointer<TokenID>) -> Int {
        // (One vector: the lanes are 16-byte aligned in the table, the output need not be.)
        let lanes = UnsafeRawPointer(entry + 2).load(as: SIMD16<UInt8>.self)
        UnsafeMutableRawPointer(out).storeBytes(of: lanes, as: SIMD16<UInt8>.self)
        return Int(truncatingIfNeeded: entry[1] >> 60)
    }

    /// An empty table; `prepare(for:)` gives it its storage and seeds.
    init() { view = View(lines: nil, lineMask: 0) }

    var isPrepared: Bool { view.lines != nil }

    func deallocate() {
        if let lines = view.lines { deallocateZeroedTable(lines, byteCount: capacity * 32) }
        arena?.deallocate()
    }

    /// Sizes the table for the model (or gives it `capacity` entries, a power of two of at
    /// least 4, growing up to `maximumCapacity`, for tests) and seeds it.
    mutating func prepare(for model: BPEModel, capacity: Int? = nil, maximumCapacity: Int = PieceTable.maximumCapacity) {
        // Seeds fill at most 40%; misses add entries up to 75%. At least 16 MB: a doubling costs
        // a pass over the table and the zeroing of twice its pages (some 5 ms from 8 MB), which
        // a table this size only pays after some 10 MB of text in many scripts.
        var capacity = capacity ?? 1 << 19
        let seeds = model.pieceTableSeedCount
        while capacity * 2 < seeds * 5 { capacity <<= 1 }
        allocate(capacity: capacity)
        capacityLimit = max(capacity, maximumCapacity)
        arena = .allocate(capacity: Self.arenaCapacity)
        seed(from: model)
    }

    private mutating func allocate(capacity: Int) {
        view = View(lines: allocateZeroedTable(byteCount: capacity * 32), lineMask: capacity / 2 - 1)
    }

    /// Moves every entry to a table twice as large (the arena stays as it is).
    private mutating func grow() {
        let old = view, oldCapacity = capacity
        allocate(capacity: capacity * 2)
        let entries = old.lines.unsafelyUnwrapped.assumingMemoryBound(to: UInt64.self)
        Self.placeInBatches(in: view, { emit in
            for index in 0..<oldCapacity {
                let entry = entries + index &* 4
                if entry[1] != 0 { emit(PieceKey(a: entry[0], b: entry[1] & Self.keyOnlyMask), entry) }
            }
        }, place: { _, entry, slot in slot.update(from: entry, count: 4) })
        deallocateZeroedTable(old.lines.unsafelyUnwrapped, byteCount: oldCapacity * 32)
    }

    private mutating func seed(from model: BPEModel) {
        entries = 0
        arenaCount = 0
        Self.placeInBatches(in: view, { emit in model.forEachPieceTableSeed(emit) }, place: { key, id, slot in
            var id = id
            store(key, ids: &id, count: 1, at: slot)
        })
    }

    /// Places many keys (seeds, or the entries of a table that grows) a batch at a time, each
    /// batch's lines requested before any of them is probed: the table is megabytes wide, and
    /// an entry written without waiting for its line costs a fraction of one written after a
    /// miss. `produce` gives each key with what `place` needs to fill the empty entry found for
    /// it; a key already in the table is skipped.
    private static func placeInBatches<Payload>(in view: View, _ produce: ((PieceKey, Payload) -> Void) -> Void,
                                                place: (PieceKey, Payload, UnsafeMutablePointer<UInt64>) -> Void) {
        let batch = 32
        // (`produce` does not call back into this function, so `place` cannot be entered twice.)
        withoutActuallyEscaping(place) { place in
            withUnsafeTemporaryAllocation(of: (PieceKey, Payload).self, capacity: batch) { pending in
                var count = 0
                func flush() {
                    for i in 0..<count {
                        let (key, payload) = pending[i]
                        guard case .empty(let slot) = view.find(key) else { continue }
                        place(key, payload, slot)
                    }
                    count = 0
                }
                produce { key, payload in
                    view.prefetch(key.hash)
                    pending[count] = (key, payload)
                    count += 1
                    if count == batch { flush() }
                }
                flush()
            }
        }
    }

    /// Where a key is, or the empty entry where it would go.
    enum Probe {
        case found(UnsafeMutablePointer<UInt64>)
        case empty(UnsafeMutablePointer<UInt64>)
    }

    /// Walks the key's lines from its first.
    @inline(__always)
    func find(_ key: PieceKey) -> Probe { view.find(key) }

    /// Writes the ids of an entry `find` found to `out` (room for the count, and at least
    /// `maximumIDs`); returns their count.
    @inline(__always)
    func copyIDs(of entry: UnsafeMutablePointer<UInt64>, to out: UnsafeMutablePointer<TokenID>) -> Int {
        guard entry[1] & Self.spilledBit != 0 else { return Self.storeInlineIDs(of: entry, to: out) }
        let count = Int(truncatingIfNeeded: entry[3])
        out.update(from: arena.unsafelyUnwrapped + Int(truncatingIfNeeded: entry[2]), count: count)
        return count
    }

    /// Remembers the ids of a key that is not in the table (at least one), at the empty entry
    /// `find` gave for it when there is one (`slot`). Grows the table first when it is full, or
    /// clears and seeds it again when it cannot grow or its arena is full.
    mutating func insert(_ key: PieceKey, ids: UnsafePointer<TokenID>, count: Int, model: BPEModel,
                         at slot: UnsafeMutablePointer<UInt64>? = nil) {
        guard count >= 1 && count <= Self.arenaCapacity else { return }
        let arenaFull = count > Self.maximumIDs && arenaCount + count > Self.arenaCapacity
        var slot = slot
        if entries >= limit && capacity < capacityLimit && !arenaFull {
            grow()
            slot = nil
        } else if entries >= limit || arenaFull {
            // (Fresh pages rather than clearing these: the system zeroes them as they are touched.)
            let capacity = self.capacity
            deallocateZeroedTable(view.lines.unsafelyUnwrapped, byteCount: capacity * 32)
            allocate(capacity: capacity)
            seed(from: model)
            slot = nil
        }
        if slot == nil {
            guard case .empty(let empty) = find(key) else { return }
            slot = empty
        }
        store(key, ids: ids, count: count, at: slot.unsafelyUnwrapped)
    }

    /// Fills an empty entry: the ids in its lanes, or (more than `maximumIDs`) in the arena,
    /// which the caller made room in.
    private mutating func store(_ key: PieceKey, ids: UnsafePointer<TokenID>, count: Int, at entry: UnsafeMutablePointer<UInt64>) {
        entry[0] = key.a
        if count > Self.maximumIDs {
            entry[1] = key.b | Self.spilledBit
            entry[2] = UInt64(arenaCount)
            entry[3] = UInt64(count)
            (arena.unsafelyUnwrapped + arenaCount).update(from: ids, count: count)
            arenaCount += count
        } else {
            entry[1] = key.b | UInt64(count) << 60
            let lanes = UnsafeMutableRawPointer(entry + 2)
            lanes.initializeMemory(as: UInt8.self, repeating: 0, count: 16)
            lanes.copyMemory(from: ids, byteCount: count * 4)
        }
        entries += 1
    }
}

extension BPEModel {
    /// How many entries `forEachPieceTableSeed` gives (an upper bound).
    var pieceTableSeedCount: Int {
        var count = 256
        if looksUpWholePieces {
            vocabulary.forEach { key, _ in if key.count >= 2 && key.count <= PieceKey.maximumLength { count += 1 } }
        }
        return count
    }

    /// The pieces whose ids are known before any merge: the single bytes, and the tokens of 2 to
    /// 15 bytes when pieces are looked up whole (the first id of a duplicate key comes first,
    /// as in the vocabulary's own lookups).
    func forEachPieceTableSeed(_ body: (PieceKey, TokenID) -> Void) {
        for byte in 0..<256 {
            guard let id = byteIDs[byte] else { continue }
            var value = UInt8(byte)
            body(PieceKey(bytes: &value, count: 1), id)
        }
        guard looksUpWholePieces else { return }
        vocabulary.forEach { key, id in
            guard key.count >= 2 && key.count <= PieceKey.maximumLength else { return }
            body(PieceKey(bytes: key.baseAddress!, count: key.count), id)
        }
    }
}
