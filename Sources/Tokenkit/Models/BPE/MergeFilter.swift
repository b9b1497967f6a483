// Performance notes: most merge lookups that reach the model find nothing (60%
// of them on English, 75% on the multilingual corpus, behind the pair cache),
// and each costs a miss in a table of several megabytes: a merge list's pair
// table, or the short tokens of a tiktoken file. A Bloom filter of about 12
// bits per merge, two bits in one 64-bit word, stays in the L2 cache (256 KB
// for cl100k) and answers most of those lookups with one load, wrongly letting
// through about 2% of the pairs that do not merge (which the table then
// rejects).

/// A blocked Bloom filter over the merges of a model, checked before its merge table: when it
/// says no, the pair does not merge. (It serves any set of well-mixed 64-bit hashes: the long
/// tokens of a model that looks pieces up whole use one too.) Built once, read-only, shared by
/// every thread.
final class MergeFilter: @unchecked Sendable {
    private let words: UnsafeMutablePointer<UInt64>
    private let wordMask: Int

    /// An empty filter sized for `count` members; its owner inserts them while it builds.
    init(count: Int) {
        var wordCount = 1024
        while wordCount * 64 < count * 12 { wordCount <<= 1 }
        words = .allocate(capacity: wordCount)
        words.initialize(repeating: 0, count: wordCount)
        wordMask = wordCount - 1
    }

    /// A filter of `count` members, each given by `forEachHash` as a 64-bit hash whose bits are
    /// all well mixed.
    convenience init(count: Int, forEachHash: ((UInt64) -> Void) -> Void) {
        self.init(count: count)
        forEachHash(insert)
    }

    /// Adds a member (only while the filter is being built: it is read without locks).
    func insert(_ hash: UInt64) {
        let (index, bits) = view.position(hash)
        words[index] |= bits
    }

    deinit { words.deallocate() }

    /// The filter's words as a value, for loops to keep in registers.
    var view: View { View(words: words, wordMask: wordMask) }

    /// See `MergeFilter.view`.
    struct View: @unchecked Sendable {   // (read-only after the filter's init)
        let words: UnsafeMutablePointer<UInt64>
        let wordMask: Int

        /// The word of a hash (its low bits) and its two bits there (its top twelve bits), which
        /// the tables' own indices (middle bits) leave independent.
        @inline(__always)
        func position(_ hash: UInt64) -> (Int, UInt64) {
            let bits = 1 &<< (hash >> 52 & 63) | 1 &<< (hash >> 58)
            return (Int(truncatingIfNeeded: hash) & wordMask, bits)
        }

        /// False when no member has this hash; true when one may.
        @inline(__always)
        func mayContain(_ hash: UInt64) -> Bool {
            let (index, bits) = position(hash)
            return words[index] & bits == bits
        }
    }
}

/// The filter hash of a merge-list pair (a different mix from `PairTable`'s slot index).
@inline(__always)
func pairFilterHash(left: UInt32, right: UInt32) -> UInt64 {
    mix(UInt64(left) ^ 0x9E37_79B9_7F4A_7C15, UInt64(right) ^ 0xD6E8_FEB8_6659_FD93)
}
