// Performance notes: tiktoken merges two parts when their concatenated bytes
// are a token, so its merge loop looks byte strings up, nearly all of them
// short. Here key and id share a slot, so a lookup is one cache line (the
// vocabulary's general table would cost two or three). Keys of up to 8 bytes
// take 16-byte slots, the others 32-byte ones, which keeps o200k's table at
// 8 MB. Most concatenations the merge loop asks for are not tokens: a
// `MergeFilter` of the keys answers those without touching the table. It is
// built once, read-only, and shared by every thread.

/// The vocabulary's tokens of 2 to 16 bytes, by their bytes, for the merge loop of tiktoken-style
/// models: one cache line per lookup.
///
/// Keys are given as `paddedShortKeyWords` with their `hashShortKey`, which the merge loop
/// computes from the padded text.
final class ShortTokenTable: @unchecked Sendable {
    /// Keys of 2...8 bytes: slot i is (key word, length << 32 | id); 0 in the second word = empty.
    private let narrow: UnsafeMutableRawPointer
    private let narrowMask: Int
    /// Keys of 9...16 bytes: slot i is (first word, second word, length << 32 | id, unused).
    private let wide: UnsafeMutableRawPointer
    private let wideMask: Int
    /// Number of tokens in the table.
    let count: Int
    /// The keys' hashes, checked first.
    private let filter: MergeFilter

    /// The table of every key of 2 to 16 bytes of `vocabulary` (raw byte-level keys).
    init(vocabulary: ByteStringTable) {
        var narrowCount = 0, wideCount = 0
        vocabulary.forEach { key, _ in
            if (2...8).contains(key.count) { narrowCount += 1 } else if (9...16).contains(key.count) { wideCount += 1 }
        }
        // At most 60% full: a lookup of a piece that is not a token stops within a few slots.
        func capacity(_ n: Int) -> Int {
            var c = 16
            while c * 3 < n * 5 { c <<= 1 }
            return c
        }
        let narrowCapacity = capacity(narrowCount), wideCapacity = capacity(wideCount)
        narrow = allocateZeroedTable(byteCount: narrowCapacity * 16)
        wide = allocateZeroedTable(byteCount: wideCapacity * 32)
        narrowMask = narrowCapacity - 1
        wideMask = wideCapacity - 1
        count = narrowCount + wideCount
        let filter = MergeFilter(count: count)
        self.filter = filter
        vocabulary.forEach { key, id in
            let n = key.count
            guard (2...16).contains(n) else { return }
            let (a, b) = shortKeyWords(key.baseAddress!, n)
            let h = hashShortKey(a, b, lengthSeed: shortKeySeed(n))
            filter.insert(h)
            let meta = UInt64(n) << 32 | UInt64(id)
            if n <= 8 {
                var i = Self.index(h, narrowMask)
                while true {
                    let slot = (narrow + 16 &* i).assumingMemoryBound(to: UInt64.self)
                    if slot[1] == 0 { slot[0] = a; slot[1] = meta; break }
                    if slot[0] == a && slot[1] >> 32 == UInt64(n) { break }   // a duplicate key: the first id stays
                    i = (i &+ 1) & narrowMask
                }
            } else {
                var i = Self.index(h, wideMask)
                while true {
                    let slot = (wide + 32 &* i).assumingMemoryBound(to: UInt64.self)
                    if slot[2] == 0 { slot[0] = a; slot[1] = b; slot[2] = meta; break }
                    if slot[0] == a && slot[1] == b && slot[2] >> 32 == UInt64(n) { break }
                    i = (i &+ 1) & wideMask
                }
            }
        }
    }

    deinit {
        deallocateZeroedTable(narrow, byteCount: (narrowMask + 1) * 16)
        deallocateZeroedTable(wide, byteCount: (wideMask + 1) * 32)
    }

    /// The slot where the probe of a hash starts, in either part.
    @inline(__always) static func index(_ h: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: h >> 17) & mask
    }

    /// The table's pointers and masks as a value, for loops to keep in registers (a class's
    /// fields are read again after every store the compiler cannot prove unrelated).
    var view: View { View(narrow: narrow, narrowMask: narrowMask, wide: wide, wideMask: wideMask, filter: filter.view) }

    /// See `ShortTokenTable.view`.
    struct View: @unchecked Sendable {   // (read-only pointers into the immutable table)
        let narrow: UnsafeMutableRawPointer
        let narrowMask: Int
        let wide: UnsafeMutableRawPointer
        let wideMask: Int
        let filter: MergeFilter.View

        /// The id of the token whose bytes are the key (2...16 bytes), or nil.
        @inline(__always)
        func id(_ a: UInt64, _ b: UInt64, length n: Int, hash h: UInt64) -> TokenID? {
            guard filter.mayContain(h) else { return nil }
            let length = UInt64(truncatingIfNeeded: n)
            if n <= 8 {
                var i = ShortTokenTable.index(h, narrowMask)
                while true {
                    let slot = (narrow + 16 &* i).assumingMemoryBound(to: UInt64.self)
                    let meta = slot[1]
                    if meta >> 32 == length && slot[0] == a { return TokenID(truncatingIfNeeded: meta) }
                    if meta == 0 { return nil }
                    i = (i &+ 1) & narrowMask
                }
            }
            var i = ShortTokenTable.index(h, wideMask)
            while true {
                let slot = (wide + 32 &* i).assumingMemoryBound(to: UInt64.self)
                let meta = slot[2]
                if meta >> 32 == length && slot[0] == a && slot[1] == b { return TokenID(truncatingIfNeeded: meta) }
                if meta == 0 { return nil }
                i = (i &+ 1) & wideMask
            }
        }
    }

    /// The id of the token whose bytes are the key (2...16 bytes), or nil.
    @inline(__always)
    func id(_ a: UInt64, _ b: UInt64, length n: Int, hash h: UInt64) -> TokenID? {
        view.id(a, b, length: n, hash: h)
    }
}
