// Performance notes: a piece that misses the caches is merged from its bytes,
// and its first n - 1 candidates are all pairs of single bytes; on text in
// other scripts that is four lookups in ten of the merge loop. This table
// answers them with one load from 512 KB instead of a hash probe.

/// The merge of every pair of bytes of a byte-level model, as `BPEModel.merge` gives it
/// (rank << 32 | result, or `.max` when the two bytes' tokens do not merge), indexed by
/// first byte << 8 | second byte. Built once with the model and read-only.
final class BytePairMerges: @unchecked Sendable {   // (immutable after init)
    let entries: UnsafeMutablePointer<UInt64>

    /// The table of a model that merges as tiktoken does (two parts merge into the token their
    /// concatenation is): its two-byte tokens.
    init(concatenating vocabulary: ByteStringTable) {
        entries = .allocate(capacity: 1 << 16)
        entries.initialize(repeating: .max, count: 1 << 16)
        vocabulary.forEach { key, _ in
            guard key.count == 2 else { return }
            // (The vocabulary's own lookup, so that a duplicate key gives the id it gives.)
            guard let id = vocabulary.value(for: key) else { return }
            entries[Int(key[0]) << 8 | Int(key[1])] = UInt64(id) << 32 | UInt64(id)
        }
    }

    /// The table of a model with a merge list, over the tokens of the single bytes.
    init(merging merges: PairTable, byteIDs: [TokenID?]) {
        entries = .allocate(capacity: 1 << 16)
        entries.initialize(repeating: .max, count: 1 << 16)
        for first in 0..<256 {
            guard let left = byteIDs[first] else { continue }
            for second in 0..<256 {
                // (65,536 lookups, each a miss in a table of several MB: slots are requested ahead.)
                if second + 8 < 256, let ahead = byteIDs[second + 8] { merges.prefetchSlot(left: left, right: ahead) }
                guard let right = byteIDs[second], let m = merges.lookup(left: left, right: right) else { continue }
                entries[first << 8 | second] = m
            }
        }
    }

    deinit { entries.deallocate() }

    /// The entries as a value (read-only), for loops to use without retaining the table.
    var view: View { View(entries: entries) }

    /// See `BytePairMerges.view`.
    struct View: @unchecked Sendable {   // (a read-only pointer into the immutable table)
        let entries: UnsafePointer<UInt64>

        /// The merge of the tokens of bytes `first` and `second`.
        @inline(__always)
        subscript(_ first: UInt8, _ second: UInt8) -> UInt64 { entries[Int(first) &<< 8 | Int(second)] }
    }
}
