// Performance notes: vocabularies are looked up by byte strings millions of
// times per second and hold up to a few hundred thousand entries. Swift's
// `Dictionary<[UInt8], UInt32>` allocates per key and hashes with SipHash;
// these open-addressing tables store all keys in one buffer, hash with a
// multiply-rotate function over 8-byte words, and look up directly from an
// `UnsafeBufferPointer` slice of the input, with no allocation.

@inline(__always)
private func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
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

/// A fast hash of a byte string (wyhash-style multiply-mix over 16-byte blocks).
@inline(__always)
func hashBytes(_ base: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
    let lengthSeed = 0xA076_1D64_78BD_642F ^ UInt64(truncatingIfNeeded: count)
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
struct ByteStringTable: Sendable {
    /// All keys, concatenated.
    private(set) var keyBytes: [UInt8] = []
    /// Start of each key in `keyBytes`; entry i spans keyStarts[i]..<keyStarts[i+1].
    private(set) var keyStarts: [UInt32] = [0]
    private(set) var values: [UInt32] = []
    /// Slots: 0 = empty, otherwise (high 32 bits of the hash) << 32 | (entry index + 1).
    private var slots: [UInt64] = []
    private var mask = 0

    init(expectedCount: Int = 0) {
        reserve(expectedCount)
    }

    var count: Int { values.count }

    private mutating func reserve(_ n: Int) {
        var capacity = 16
        while capacity < n * 2 { capacity <<= 1 }
        if capacity <= slots.count { return }
        slots = [UInt64](repeating: 0, count: capacity)
        mask = capacity - 1
        keyBytes.withUnsafeBufferPointer { bytes in
            for entry in 0..<values.count {
                let start = Int(keyStarts[entry])
                let length = Int(keyStarts[entry + 1]) - start
                let h = hashBytes(bytes.baseAddress! + start, length)
                insertSlot(hash: h, entry: entry)
            }
        }
    }

    private mutating func insertSlot(hash h: UInt64, entry: Int) {
        var i = Int(truncatingIfNeeded: h) & mask
        while slots[i] != 0 { i = (i &+ 1) & mask }
        slots[i] = (h >> 32) << 32 | UInt64(entry + 1)
    }

    /// Inserts or replaces the value for `key`.
    mutating func set(_ key: UnsafeBufferPointer<UInt8>, _ value: UInt32) {
        if let entry = entryIndex(key) {
            values[entry] = value
            return
        }
        if (values.count + 1) * 2 > slots.count { reserve(max(16, (values.count + 1) * 2)) }
        keyBytes.append(contentsOf: key)
        keyStarts.append(UInt32(keyBytes.count))
        values.append(value)
        let h = key.isEmpty ? hashBytes(UnsafePointer(bitPattern: 1)!, 0) : hashBytes(key.baseAddress!, key.count)
        insertSlot(hash: h, entry: values.count - 1)
    }

    mutating func set(_ key: [UInt8], _ value: UInt32) {
        key.withUnsafeBufferPointer { set($0, value) }
    }

    @inline(__always)
    private func entryIndex(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        let h = key.isEmpty ? hashBytes(UnsafePointer(bitPattern: 1)!, 0) : hashBytes(key.baseAddress!, key.count)
        return entryIndex(key, hash: h)
    }

    @inline(__always)
    private func entryIndex(_ key: UnsafeBufferPointer<UInt8>, hash h: UInt64) -> Int? {
        guard !slots.isEmpty else { return nil }
        let count = key.count
        let tag = h >> 32
        return slots.withUnsafeBufferPointer { slots in
            keyStarts.withUnsafeBufferPointer { starts in
                keyBytes.withUnsafeBufferPointer { bytes in
                    var i = Int(truncatingIfNeeded: h) & mask
                    while true {
                        let slot = slots[i]
                        if slot == 0 { return nil }
                        if slot >> 32 == tag {
                            let entry = Int(slot & 0xFFFF_FFFF) - 1
                            let start = Int(starts[entry])
                            if Int(starts[entry + 1]) - start == count
                                && (count == 0 || bytesEqual(bytes.baseAddress! + start, key.baseAddress!, count)) {
                                return entry
                            }
                        }
                        i = (i &+ 1) & mask
                    }
                }
            }
        }
    }

    @inline(__always)
    func value(for key: UnsafeBufferPointer<UInt8>) -> UInt32? {
        entryIndex(key).map { values[$0] }
    }

    /// Lookup with the key's `hashBytes` already computed (it is shared with other tables).
    @inline(__always)
    func value(for key: UnsafeBufferPointer<UInt8>, hash: UInt64) -> UInt32? {
        entryIndex(key, hash: hash).map { values[$0] }
    }

    func value(for key: [UInt8]) -> UInt32? {
        key.withUnsafeBufferPointer { value(for: $0) }
    }

    func value(for key: String) -> UInt32? {
        var key = key
        return key.withUTF8 { value(for: $0) }
    }

    /// Calls `body` with every key and its value, in insertion order.
    func forEach(_ body: (UnsafeBufferPointer<UInt8>, UInt32) throws -> Void) rethrows {
        try keyBytes.withUnsafeBufferPointer { bytes in
            for entry in 0..<values.count {
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
struct PairTable: Sendable {
    /// slots[2i] = key (left << 32 | right, or `empty`), slots[2i + 1] = rank << 32 | result.
    private var slots: [UInt64]
    private var mask: Int
    private(set) var count = 0
    private static let empty = UInt64.max

    init(expectedCount: Int) {
        var capacity = 16
        while capacity < expectedCount * 2 { capacity <<= 1 }
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

    private mutating func insertNew(_ key: UInt64, _ value: UInt64) {
        var i = Self.slot(key, mask)
        while slots[2 * i] != Self.empty {
            if slots[2 * i] == key { slots[2 * i + 1] = value; return }
            i = (i &+ 1) & mask
        }
        slots[2 * i] = key
        slots[2 * i + 1] = value
        count += 1
    }

    /// Sets the merge of (left, right). When `keepExisting` is true an existing entry is kept
    /// (used to keep the best, i.e. first, rank).
    mutating func set(left: UInt32, right: UInt32, rank: UInt32, result: UInt32, keepExisting: Bool = false) {
        if (count + 1) * 2 > mask + 1 { grow() }
        let key = UInt64(left) << 32 | UInt64(right)
        if keepExisting, lookup(left: left, right: right) != nil { return }
        insertNew(key, UInt64(rank) << 32 | UInt64(result))
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
