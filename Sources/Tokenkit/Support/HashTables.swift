// Performance notes: vocabularies are looked up by byte strings millions of
// times per second and hold up to a few hundred thousand entries. Swift's
// `Dictionary<[UInt8], UInt32>` allocates per key and hashes with SipHash;
// these open-addressing tables store all keys in one buffer, hash with a
// multiply-rotate function over 8-byte words, and look up directly from an
// `UnsafeBufferPointer` slice of the input, with no allocation.

import CTokenkitSupport

@inline(__always)
func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let product = a.multipliedFullWidth(by: b)
    return product.high ^ product.low
}

/// Up to 16 bytes packed little-endian into two words, zero-padded (overlapping loads,
/// never reading outside the bytes). Equal keys of equal length have equal words.
@inline(__always)
func shortKeyWords(_ base: UnsafePointer<UInt8>, _ count: Int) -> (UInt64, UInt64) {
    let raw = UnsafeRawPointer(base)
    switch count {
    case 0:
        return (0, 0)
    case 1:
        return (UInt64(base[0]), 0)
    case 2:
        return (UInt64(raw.loadUnaligned(as: UInt16.self)), 0)
    case 3:
        return (UInt64(raw.loadUnaligned(as: UInt16.self)) | UInt64(base[2]) << 16, 0)
    case 4...8:
        let low = UInt64(raw.loadUnaligned(as: UInt32.self))
        let high = UInt64(raw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
        return (low | high << UInt64((count - 4) * 8), 0)
    default:
        let a = raw.loadUnaligned(as: UInt64.self)
        let b = raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) >> UInt64((16 - count) * 8)
        return (a, b)
    }
}

/// The length seed of `hashBytes` (shared by every caller that hashes short keys itself).
@inline(__always)
func shortKeySeed(_ count: Int) -> UInt64 {
    0xA076_1D64_78BD_642F ^ UInt64(truncatingIfNeeded: count)
}

/// `shortKeyWords` for a key of 1 to 16 bytes that may be over-read by up to 16 bytes (a
/// `PaddedText`): two loads and two masks from a table, no branch on the length.
@inline(__always)
func paddedShortKeyWords(_ base: UnsafePointer<UInt8>, _ count: Int) -> (UInt64, UInt64) {
    let raw = UnsafeRawPointer(base)
    let a = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
    let b = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    let masks = tokenkit_short_key_masks() + 2 &* count
    return (a & masks[0], b & masks[1])
}

/// A fast hash of a byte string (wyhash-style multiply-mix over 16-byte blocks).
@inline(__always)
func hashBytes(_ base: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
    let lengthSeed = shortKeySeed(count)
    if count <= 16 {
        let (a, b) = shortKeyWords(base, count)
        return hashShortKey(a, b, lengthSeed: lengthSeed)
    }
    let raw = UnsafeRawPointer(base)
    var h = lengthSeed
    var i = 0
    while i + 16 < count {
        h = mix(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ 0xE703_7ED1_A0B4_28DB,
                raw.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self) ^ h)
        i += 16
    }
    let a = raw.loadUnaligned(fromByteOffset: count - 16, as: UInt64.self)
    let b = raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
    return mix(0x8EBC_6AF0_9C88_C6E3 ^ lengthSeed, mix(a ^ 0xE703_7ED1_A0B4_28DB, b ^ h))
}

/// The hash of a key of at most 16 bytes from its `shortKeyWords`.
@inline(__always)
func hashShortKey(_ a: UInt64, _ b: UInt64, lengthSeed: UInt64) -> UInt64 {
    mix(0x8EBC_6AF0_9C88_C6E3 ^ lengthSeed, mix(a ^ 0xE703_7ED1_A0B4_28DB, b ^ lengthSeed))
}

/// The hash of a `PieceKey`'s two words (the length is in the second).
@inline(__always)
func hashPieceKey(_ a: UInt64, _ b: UInt64) -> UInt64 {
    mix(a ^ 0xE703_7ED1_A0B4_28DB, b ^ 0x8EBC_6AF0_9C88_C6E3)
}

/// Byte equality for short keys without a function call.
@inline(__always)
func bytesEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    var i = 0
    let ra = UnsafeRawPointer(a)
    let rb = UnsafeRawPointer(b)
    while i + 8 <= count {
        if ra.loadUnaligned(fromByteOffset: i, as: UInt64.self) != rb.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
        i += 8
    }
    while i < count {
        if a[i] != b[i] { return false }
        i += 1
    }
    return true
}

/// An immutable-after-build map from byte strings to token ids.
///
/// Each slot is two words: the hash's high half with the value, and either the key itself
/// (keys of up to 7 bytes, most tokens) or the entry index of a longer key. A lookup of a short
/// key therefore touches one cache line; longer keys are compared against the key buffer.
struct ByteStringTable: Sendable {
    /// All keys, concatenated.
    private(set) var keyBytes: [UInt8] = []
    /// Start of each key in `keyBytes`; entry i spans keyStarts[i]..<keyStarts[i+1].
    private(set) var keyStarts: [UInt32] = [0]
    private(set) var values: [UInt32] = []
    /// slots[2i] = tag << 32 | value (0 = empty, see `occupied`), slots[2i+1] = inline key or long-key entry.
    private var slots: [UInt64] = []
    private var mask = 0
    /// How full the index gets before it doubles.
    private enum Fill {
        /// The default.
        case half
        /// A little slower, a third smaller: for counters of millions of strings rather than
        /// vocabularies (`init(denselyPacked:)`).
        case threeQuarters
        /// For a vocabulary that is complete once read, whose hot lookups go through other
        /// tables (`init(compactFor:)`, `compactIndex`).
        case fourFifths

        func isExceeded(by count: Int, capacity: Int) -> Bool {
            switch self {
            case .half: count * 2 > capacity
            case .threeQuarters: count * 4 > capacity * 3
            case .fourFifths: count * 5 > capacity * 4
            }
        }
    }

    private var fill = Fill.half

    /// A table for millions of keys that grows as needed and, when `denselyPacked`, fills to
    /// three quarters rather than half (see `Fill`).
    init(denselyPacked: Bool) {
        fill = denselyPacked ? .threeQuarters : .half
    }

    init(expectedCount: Int = 0) {
        reserve(expectedCount)
        values.reserveCapacity(expectedCount)
        keyStarts.reserveCapacity(expectedCount + 1)
        keyBytes.reserveCapacity(expectedCount * 8)
    }

    /// A table for `count` keys whose index starts at the size `compactIndex` gives (up to 80%
    /// full), for a vocabulary that is complete once read: no second index to build, and half
    /// the memory touched while reading. More keys than `count` grow it as usual.
    init(compactFor count: Int) {
        rebuildIndex(capacity: Self.compactCapacity(count))
        fill = .fourFifths
        values.reserveCapacity(count)
        keyStarts.reserveCapacity(count + 1)
        keyBytes.reserveCapacity(count * 8)
    }

    /// The smallest index for `count` keys filled to four fifths at most.
    private static func compactCapacity(_ count: Int) -> Int {
        var capacity = 16
        while Fill.fourFifths.isExceeded(by: count, capacity: capacity) { capacity <<= 1 }
        return capacity
    }

    var count: Int { values.count }

    /// The tag stored for a hash: its high half, made odd so that an occupied slot is never 0.
    @inline(__always)
    private static func tag(_ h: UInt64) -> UInt64 { (h >> 32) | 1 }

    /// The second word of a slot for a key: the key bytes and length for keys of up to 7 bytes,
    /// else 0xFF << 56 | entry.
    @inline(__always)
    private static func keyWord(_ key: UnsafeBufferPointer<UInt8>, entry: Int) -> UInt64 {
        let n = key.count
        if n <= 7 {
            let a = n == 0 ? 0 : shortKeyWords(key.baseAddress!, n).0
            return UInt64(n) << 56 | a
        }
        return 0xFF << 56 | UInt64(entry)
    }

    private mutating func reserve(_ n: Int) {
        var capacity = 16
        while capacity < n * 2 { capacity <<= 1 }
        if capacity * 2 <= slots.count { return }
        rebuildIndex(capacity: capacity)
    }

    /// Rebuilds the index up to 80% full (rather than half): for a table that is complete, such
    /// as a vocabulary whose hot lookups go through other tables. Adding to it afterwards grows
    /// it back as usual.
    mutating func compactIndex() {
        let capacity = Self.compactCapacity(values.count)
        if capacity * 2 < slots.count { rebuildIndex(capacity: capacity) }
    }

    private mutating func rebuildIndex(capacity: Int) {
        slots = [UInt64](repeating: 0, count: capacity * 2)
        mask = capacity - 1
        keyBytes.withUnsafeBufferPointer { bytes in
            for entry in 0..<values.count {
                let start = Int(keyStarts[entry])
                let key = UnsafeBufferPointer(rebasing: bytes[start..<Int(keyStarts[entry + 1])])
                insertSlot(hash: Self.hash(key), key: key, entry: entry, value: values[entry])
            }
        }
    }

    /// The hash the table keys `key` by (also for `prefetchSlots` and `set(_:_:hash:)`).
    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        key.isEmpty ? hashBytes(UnsafePointer(bitPattern: 1)!, 0) : hashBytes(key.baseAddress!, key.count)
    }

    private mutating func insertSlot(hash h: UInt64, key: UnsafeBufferPointer<UInt8>, entry: Int, value: UInt32) {
        let mask = self.mask
        // (Through a pointer: indexing the array checks its uniqueness and bounds at every step.)
        slots.withUnsafeMutableBufferPointer { slots in
            var i = Int(truncatingIfNeeded: h) & mask
            while slots[2 &* i] != 0 { i = (i &+ 1) & mask }
            slots[2 &* i] = Self.tag(h) << 32 | UInt64(value)
            slots[2 &* i &+ 1] = Self.keyWord(key, entry: entry)
        }
    }

    /// Inserts or replaces the value for `key`.
    mutating func set(_ key: UnsafeBufferPointer<UInt8>, _ value: UInt32) {
        set(key, value, hash: Self.hash(key))
    }

    /// Starts loading the slots where the probes of these hashes begin: a caller that inserts or
    /// looks up many keys requests a batch of slots first, so that their misses overlap.
    func prefetchSlots<S: Sequence<UInt64>>(hashes: S) {
        guard !slots.isEmpty else { return }
        let mask = self.mask
        slots.withUnsafeBufferPointer { slots in
            for h in hashes { tokenkit_prefetch(UnsafeRawPointer(slots.baseAddress! + 2 &* (Int(truncatingIfNeeded: h) & mask))) }
        }
    }

    /// `set` with the key's hash already computed (`hash(_:)`).
    mutating func set(_ key: UnsafeBufferPointer<UInt8>, _ value: UInt32, hash h: UInt64) {
        if let slot = slotIndex(key, hash: h) {
            slots[2 * slot] = (slots[2 * slot] >> 32) << 32 | UInt64(value)
            if let entry = entryIndex(ofSlot: slot, key: key) { values[entry] = value }
            return
        }
        append(key, hash: h, value)
    }

    /// Adds `key` → `value` unless the key is present; returns whether it was added.
    mutating func insertNew(_ key: UnsafeBufferPointer<UInt8>, _ value: UInt32) -> Bool {
        insertNew(key, value, hash: Self.hash(key))
    }

    /// `insertNew` with the key's hash already computed (`hash(_:)`).
    mutating func insertNew(_ key: UnsafeBufferPointer<UInt8>, _ value: UInt32, hash h: UInt64) -> Bool {
        if slotIndex(key, hash: h) != nil { return false }
        append(key, hash: h, value)
        return true
    }

    private mutating func append(_ key: UnsafeBufferPointer<UInt8>, hash h: UInt64, _ value: UInt32) {
        // Past the fill, double: reserve gives twice the entries asked for.
        if fill.isExceeded(by: values.count + 1, capacity: slots.count / 2) { reserve(values.count + 1) }
        keyBytes.append(contentsOf: key)
        keyStarts.append(UInt32(keyBytes.count))
        values.append(value)
        insertSlot(hash: h, key: key, entry: values.count - 1, value: value)
    }

    mutating func insertNew(_ key: [UInt8], _ value: UInt32) -> Bool {
        key.withUnsafeBufferPointer { insertNew($0, value) }
    }

    mutating func set(_ key: [UInt8], _ value: UInt32) {
        key.withUnsafeBufferPointer { set($0, value) }
    }

    /// The entry of an occupied slot (a linear search for short keys, which do not store it).
    private func entryIndex(ofSlot slot: Int, key: UnsafeBufferPointer<UInt8>) -> Int? {
        let word = slots[2 * slot + 1]
        if word >> 56 == 0xFF { return Int(word & 0x00FF_FFFF_FFFF_FFFF) }
        return keyBytes.withUnsafeBufferPointer { bytes in
            (0..<values.count).first { entry in
                let start = Int(keyStarts[entry])
                let end = Int(keyStarts[entry + 1])
                return end - start == key.count && (key.isEmpty || bytesEqual(bytes.baseAddress! + start, key.baseAddress!, key.count))
            }
        }
    }

    @inline(__always)
    private func slotIndex(_ key: UnsafeBufferPointer<UInt8>, hash h: UInt64) -> Int? {
        slotIndex(key, hash: h, shortWord: key.count <= 7 ? Self.keyWord(key, entry: 0) : 0)
    }

    /// `shortWord` is the key's `keyWord` when it has at most 7 bytes.
    @inline(__always)
    private func slotIndex(_ key: UnsafeBufferPointer<UInt8>, hash h: UInt64, shortWord short: UInt64) -> Int? {
        guard !slots.isEmpty else { return nil }
        let count = key.count
        let tag = Self.tag(h)
        return slots.withUnsafeBufferPointer { slots in
            var i = Int(truncatingIfNeeded: h) & mask
            while true {
                let first = slots[2 &* i]
                if first == 0 { return nil }
                if first >> 32 == tag {
                    let word = slots[2 &* i &+ 1]
                    if count <= 7 {
                        if word == short { return i }
                    } else if word >> 56 == 0xFF {
                        let entry = Int(word & 0x00FF_FFFF_FFFF_FFFF)
                        let equal = keyStarts.withUnsafeBufferPointer { starts in
                            keyBytes.withUnsafeBufferPointer { bytes in
                                let start = Int(starts[entry])
                                return Int(starts[entry + 1]) - start == count
                                    && bytesEqual(bytes.baseAddress! + start, key.baseAddress!, count)
                            }
                        }
                        if equal { return i }
                    }
                }
                i = (i &+ 1) & mask
            }
        }
    }

    @inline(__always)
    func value(for key: UnsafeBufferPointer<UInt8>) -> UInt32? {
        value(for: key, hash: Self.hash(key))
    }

    /// Lookup with the key's `hashBytes` already computed (it is shared with other tables).
    @inline(__always)
    func value(for key: UnsafeBufferPointer<UInt8>, hash: UInt64) -> UInt32? {
        slotIndex(key, hash: hash).map { UInt32(truncatingIfNeeded: slots[2 * $0]) }
    }

    /// Lookup with the key's hash and `paddedShortKeyWords` already computed (keys of up to 16
    /// bytes inside a `PaddedText`).
    @inline(__always)
    func value(for key: UnsafeBufferPointer<UInt8>, hash: UInt64, firstWord: UInt64) -> UInt32? {
        let short = UInt64(truncatingIfNeeded: key.count) << 56 | firstWord
        return slotIndex(key, hash: hash, shortWord: short).map { UInt32(truncatingIfNeeded: slots[2 * $0]) }
    }

    /// Lookup of a key inside a `PaddedText` (its first 16 bytes may be loaded whatever its length).
    @inline(__always)
    func value(forPadded base: UnsafePointer<UInt8>, count: Int) -> UInt32? {
        let key = UnsafeBufferPointer(start: base, count: count)
        guard count <= 16 else { return value(for: key) }
        let (a, b) = paddedShortKeyWords(base, count)
        return value(for: key, hash: hashShortKey(a, b, lengthSeed: shortKeySeed(count)), firstWord: a)
    }

    func value(for key: [UInt8]) -> UInt32? {
        key.withUnsafeBufferPointer { value(for: $0) }
    }

    func value(for key: String) -> UInt32? {
        var key = key
        return key.withUTF8 { value(for: $0) }
    }

    /// The keys as strings, by value (for models whose values are token ids).
    func stringsByValue() -> [UInt32: String] {
        var strings: [UInt32: String] = [:]
        strings.reserveCapacity(count)
        forEach { key, value in strings[value] = String(decoding: key, as: UTF8.self) }
        return strings
    }

    /// Frees the hash index, keeping the keys and values: afterwards the table may only be
    /// iterated (`forEach`), not looked up or added to. For tables built only to be walked once
    /// more, such as a training corpus's word counts, whose index is their largest part.
    var hasLookupIndex: Bool { !slots.isEmpty }

    mutating func dropLookupIndex() {
        slots = []
        mask = 0
    }

    /// Calls `body` with every key and its value, in insertion order.
    func forEach(_ body: (UnsafeBufferPointer<UInt8>, UInt32) throws -> Void) rethrows {
        try forEach(entries: 0..<values.count, body)
    }

    /// Calls `body` with the keys and values of the entries inserted `entries`-th, in order.
    func forEach(entries: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>, UInt32) throws -> Void) rethrows {
        try keyBytes.withUnsafeBufferPointer { bytes in
            for entry in entries {
                let start = Int(keyStarts[entry])
                let end = Int(keyStarts[entry + 1])
                try body(UnsafeBufferPointer(rebasing: bytes[start..<end]), values[entry])
            }
        }
    }
}

/// A map from pairs of token ids to (merge rank, merged token id).
///
/// Keys and values are interleaved (one 16-byte slot) so that a successful lookup touches
/// one cache line: merge loops probe it for every adjacent pair, in a table of several MB.
/// It fills up to 80% before growing: the fast encoder reads it through a cache of recent pairs,
/// and a vocabulary of 200 K merges then takes 4 MB rather than 8.
struct PairTable: Sendable {
    /// slots[2i] = key (left << 32 | right, or `empty`), slots[2i + 1] = rank << 32 | result.
    private var slots: [UInt64]
    private var mask: Int
    private(set) var count = 0
    private static let empty = UInt64.max

    init(expectedCount: Int) {
        var capacity = 16
        while capacity * 4 < expectedCount * 5 { capacity <<= 1 }
        slots = Self.emptySlots(capacity)
        mask = capacity - 1
    }

    private static func emptySlots(_ capacity: Int) -> [UInt64] {
        var slots = [UInt64](repeating: 0, count: capacity * 2)
        for i in stride(from: 0, to: slots.count, by: 2) { slots[i] = empty }
        return slots
    }

    @inline(__always)
    private static func slot(_ key: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    private mutating func grow() {
        let old = slots
        let capacity = (mask + 1) * 2
        slots = Self.emptySlots(capacity)
        mask = capacity - 1
        count = 0
        for i in stride(from: 0, to: old.count, by: 2) where old[i] != Self.empty {
            insertNew(old[i], old[i + 1])
        }
    }

    /// Inserts a slot; for a key already present, `keepingFirst` keeps whichever of the two
    /// values has the lower rank (else the higher one).
    private mutating func insertNew(_ key: UInt64, _ value: UInt64, keepingFirst: Bool = false) {
        var i = Self.slot(key, mask)
        while slots[2 * i] != Self.empty {
            if slots[2 * i] == key {
                // (Ranks are the values' high halves.)
                if keepingFirst ? value < slots[2 * i + 1] : value > slots[2 * i + 1] { slots[2 * i + 1] = value }
                return
            }
            i = (i &+ 1) & mask
        }
        slots[2 * i] = key
        slots[2 * i + 1] = value
        count += 1
    }

    /// Sets the merge of (left, right). A pair listed more than once keeps its highest rank
    /// (`tokenizers`, whose merge map is collected from the list in order), or its lowest when
    /// `keepingFirst` is true (llama.cpp), whatever order the ranks are set in.
    mutating func set(left: UInt32, right: UInt32, rank: UInt32, result: UInt32, keepingFirst: Bool = false) {
        if (count + 1) * 5 > (mask + 1) * 4 { grow() }
        insertNew(UInt64(left) << 32 | UInt64(right), UInt64(rank) << 32 | UInt64(result), keepingFirst: keepingFirst)
    }

    /// Starts loading the slot where the probe for a pair begins (a caller setting many pairs
    /// requests slots a few pairs ahead, so that the misses overlap).
    @inline(__always)
    func prefetchSlot(left: UInt32, right: UInt32) {
        let i = Self.slot(UInt64(left) << 32 | UInt64(right), mask)
        slots.withUnsafeBufferPointer { tokenkit_prefetch(UnsafeRawPointer($0.baseAddress! + 2 &* i)) }
    }

    /// Calls `body` with every pair (in slot order).
    func forEachPair(_ body: (_ left: UInt32, _ right: UInt32) -> Void) {
        slots.withUnsafeBufferPointer { slots in
            for i in stride(from: 0, to: slots.count, by: 2) where slots[i] != Self.empty {
                body(UInt32(truncatingIfNeeded: slots[i] >> 32), UInt32(truncatingIfNeeded: slots[i]))
            }
        }
    }

    /// Returns (rank << 32 | result), or nil when the pair does not merge.
    @inline(__always)
    func lookup(left: UInt32, right: UInt32) -> UInt64? {
        let key = UInt64(left) << 32 | UInt64(right)
        return slots.withUnsafeBufferPointer { slots in
            var i = Self.slot(key, mask)
            while true {
                let k = slots[2 &* i]
                if k == key { return slots[2 &* i &+ 1] }
                if k == Self.empty { return nil }
                i = (i &+ 1) & mask
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
