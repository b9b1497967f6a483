// Performance notes: with several workers, each worker's own caches (`BPEPieceCache`) merge
// every piece the worker has not seen, so a piece new to the text is merged once per worker:
// measured on cl100k en with two workers, 22% more instructions than one worker for the same
// text. This table keeps merge results for all the workers of one encoder. It is written
// without locks: an entry is written to arena memory the worker has reserved for itself (a
// block at a time, one atomic add per block), then published by one compare-and-swap of its
// slot; readers load slots with acquire ordering. It never deletes: when its arena or its
// probe window is full, results are no longer added (the workers' own caches go on as before),
// so its memory is bounded (a 4 MiB arena, 512 KiB of slots, mapped lazily by the system).
// With a single worker it stays unused.

import CTokenkitSupport
import Foundation

/// Merge results of byte-level BPE pieces, shared by the workers of one fast encoder.
///
/// Entries are immutable once published; the same piece may be stored twice when two workers
/// merge it at the same time, which costs space only. Pieces longer than `maximumKeyLength`
/// bytes or with more than `maximumIDs` ids are not stored.
final class SharedMergeCache: @unchecked Sendable {
    static let slotCount = 1 << 16
    static let arenaBytes = 1 << 22
    /// What a worker reserves of the arena at a time.
    static let blockBytes = 1 << 14
    static let maximumKeyLength = 64
    static let maximumIDs = 64
    /// How many slots an insertion or a lookup probes.
    private static let probeLimit = 8

    /// Per slot: 0 (empty), or the entry's tag (32 high bits of the hash, never 0) and its offset.
    private let slots: UnsafeMutablePointer<UInt64>
    /// Entries: key length and id count (UInt32 each), the key bytes (padded to four), the ids.
    private let arena: UnsafeMutableRawPointer
    /// How much of the arena has been handed out in blocks, then how many workers' caches use
    /// the table, on a cache line of its own.
    private let reserved: UnsafeMutablePointer<UInt64>

    init() {
        // calloc: the system maps zero pages, so untouched slots cost no resident memory.
        slots = calloc(Self.slotCount, 8)!.assumingMemoryBound(to: UInt64.self)
        arena = malloc(Self.arenaBytes)!
        let line = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
        reserved = line.initializeMemory(as: UInt64.self, repeating: 0, count: 8)
    }

    deinit {
        free(slots)
        free(arena)
        UnsafeMutableRawPointer(reserved).deallocate()
    }

    /// Counts one more worker's cache; the table is used from the second on (one worker would
    /// only pay for copying its results here).
    func addWorker() { _ = tokenkit_fetch_add_u64(reserved + 1, 1) }

    /// Whether more than one worker's cache uses the table.
    var isShared: Bool {
        @inline(__always) get { tokenkit_load_relaxed_u64(reserved + 1) > 1 }
    }

    @inline(__always)
    private static func tag(_ hash: UInt64) -> UInt64 { (hash >> 32) | 1 }

    /// Writes the ids stored for `piece` to `out` and returns their count, or -1.
    func lookup(_ piece: UnsafeBufferPointer<UInt8>, hash: UInt64, out: UnsafeMutablePointer<TokenID>) -> Int {
        guard piece.count <= Self.maximumKeyLength else { return -1 }
        let tag = Self.tag(hash)
        var slot = Int(truncatingIfNeeded: hash) & (Self.slotCount - 1)
        for _ in 0..<Self.probeLimit {
            let word = tokenkit_load_acquire_u64(slots + slot)
            if word == 0 { return -1 }
            if word >> 32 == tag {
                let entry = arena + Int(word & 0xFFFF_FFFF)
                let length = Int(entry.load(as: UInt32.self))
                if length == piece.count && bytesEqual((entry + 8).assumingMemoryBound(to: UInt8.self), piece.baseAddress!, length) {
                    let count = Int(entry.load(fromByteOffset: 4, as: UInt32.self))
                    out.update(from: (entry + 8 + Self.paddedLength(length)).assumingMemoryBound(to: TokenID.self), count: count)
                    return count
                }
            }
            slot = (slot + 1) & (Self.slotCount - 1)
        }
        return -1
    }

    @inline(__always)
    private static func paddedLength(_ length: Int) -> Int { (length + 3) & ~3 }

    /// Stores the ids of `piece`, writing the entry in the worker's block (`block`, the next free
    /// offset and the end of the worker's reservation; both 0 before its first block).
    func insert(_ piece: UnsafeBufferPointer<UInt8>, hash: UInt64, ids: UnsafePointer<TokenID>, count: Int,
                block: inout (next: Int, end: Int)) {
        guard piece.count <= Self.maximumKeyLength, count <= Self.maximumIDs else { return }
        let size = (8 + Self.paddedLength(piece.count) + 4 * count + 7) & ~7
        if block.next + size > block.end {
            // (A relaxed read first: once the arena is full, workers stop touching the counter.)
            guard tokenkit_load_relaxed_u64(reserved) < UInt64(Self.arenaBytes) else { return }
            let start = Int(tokenkit_fetch_add_u64(reserved, UInt64(Self.blockBytes)))
            guard start + Self.blockBytes <= Self.arenaBytes else { return }
            block = (start, start + Self.blockBytes)
        }
        let offset = block.next
        let entry = arena + offset
        entry.storeBytes(of: UInt32(piece.count), as: UInt32.self)
        entry.storeBytes(of: UInt32(count), toByteOffset: 4, as: UInt32.self)
        (entry + 8).copyMemory(from: piece.baseAddress!, byteCount: piece.count)
        (entry + 8 + Self.paddedLength(piece.count)).copyMemory(from: ids, byteCount: 4 * count)
        block.next += size
        let word = Self.tag(hash) << 32 | UInt64(offset)
        var slot = Int(truncatingIfNeeded: hash) & (Self.slotCount - 1)
        for _ in 0..<Self.probeLimit {
            if tokenkit_load_relaxed_u64(slots + slot) == 0 && tokenkit_store_u64_if_zero(slots + slot, word) { return }
            slot = (slot + 1) & (Self.slotCount - 1)
        }
    }
}
