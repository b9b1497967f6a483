import Foundation

/// Builds a `PairTable` from merges. With many merges and more than one core, the table is
/// allocated and filled on a thread of its own: callers append entries through `Writer`s,
/// which hand them over in chunks, and the inserts — each a cache miss in a table of several
/// megabytes — overlap with the callers' work (reading the file, resolving merges to ids).
/// Chunks may arrive in any order, from several writers at once, as long as together they
/// cover the slots from 0 on without a gap: they are inserted in slot order. The same thread
/// fills the fast path's `MergeFilter` when asked to.
final class PairTableFiller: @unchecked Sendable {
    /// Merges per handed-over chunk.
    static let chunk = 8192
    private static let prefetchDistance = 16
    private struct Entry { var left: TokenID, right: TokenID, rank: UInt32, result: TokenID }

    private let mergeCount: Int
    /// When a pair is listed twice: true keeps the first rank (llama.cpp), false the last
    /// (`tokenizers`).
    private let keepFirst: Bool
    private var pairs: PairTable?
    /// The filter of the pairs (when asked for), complete once `finish` has returned.
    let filter: MergeFilter?
    /// Threaded mode: room for every merge, and the ranges of it handed over and not yet
    /// inserted (each with one signal of `available`; a signal with none left ends the thread).
    private var entries: UnsafeMutablePointer<Entry>?
    private let lock = NSLock()
    private var ready: [Range<Int>] = []
    private let available = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)

    init(mergeCount: Int, keepFirst: Bool, filtered: Bool = false) {
        self.mergeCount = mergeCount
        self.keepFirst = keepFirst
        filter = filtered ? MergeFilter(count: mergeCount) : nil
        guard mergeCount >= 4 * Self.chunk, ProcessInfoLite.activeProcessorCount > 1 else {
            pairs = PairTable(expectedCount: mergeCount)
            return
        }
        entries = .allocate(capacity: mergeCount)
        let thread = Thread { [self] in
            var table = PairTable(expectedCount: mergeCount)
            let entries = entries!
            let keepFirst = keepFirst
            let filter = filter
            // Ranges are inserted in slot order (the order of the list), whatever order they come
            // in: the table's layout is then the one a single reader gives, with the first (most
            // used) merges nearest their home slots.
            var waiting: [Range<Int>] = []
            var nextSlot = 0
            func insert(_ range: Range<Int>) {
                for i in range {
                    // (Each insert misses in a table of several MB: the slots are requested ahead.)
                    if i &+ Self.prefetchDistance < range.upperBound {
                        let ahead = entries[i &+ Self.prefetchDistance]
                        table.prefetchSlot(left: ahead.left, right: ahead.right)
                    }
                    let e = entries[i]
                    table.set(left: e.left, right: e.right, rank: e.rank, result: e.result, keepingFirst: keepFirst)
                    filter?.insert(pairFilterHash(left: e.left, right: e.right))
                }
                nextSlot = range.upperBound
            }
            while true {
                available.wait()
                lock.lock()
                let range = ready.popLast()
                lock.unlock()
                guard let range else {
                    // (Closed: what is left after a malformed entry need not continue the rest.)
                    for range in waiting.sorted(by: { $0.lowerBound < $1.lowerBound }) { insert(range) }
                    break
                }
                waiting.append(range)
                while let next = waiting.firstIndex(where: { $0.lowerBound == nextSlot }) { insert(waiting.remove(at: next)) }
            }
            pairs = table
            done.signal()
        }
        thread.start()
    }

    deinit {
        entries?.deallocate()
    }

    /// Whether the table fills on its own thread, so that several writers may add at once.
    var isThreaded: Bool { entries != nil }

    /// Adds merges, each rank at most once, with the entries from `slot` on to itself: a
    /// writer that adds up to n merges owns the slots slot..<slot + n (the first writer starts
    /// at 0). Several writers may add at once only when `isThreaded`.
    func writer(startingAt slot: Int = 0) -> Writer {
        Writer(filler: self, next: slot, handedOver: slot)
    }

    /// One thread's way of adding merges to a `PairTableFiller`; `close` hands over the rest.
    struct Writer {
        fileprivate let filler: PairTableFiller
        fileprivate var next: Int
        fileprivate var handedOver: Int

        @inline(__always)
        mutating func add(left: TokenID, right: TokenID, rank: UInt32, result: TokenID) {
            guard let entries = filler.entries else {
                filler.pairs!.set(left: left, right: right, rank: rank, result: result, keepingFirst: filler.keepFirst)
                filler.filter?.insert(pairFilterHash(left: left, right: right))
                return
            }
            entries[next] = Entry(left: left, right: right, rank: rank, result: result)
            next += 1
            if next - handedOver == PairTableFiller.chunk { close() }
        }

        /// Hands the entries added so far over to the filling thread.
        mutating func close() {
            guard next > handedOver else { return }
            filler.handOver(handedOver..<next)
            handedOver = next
        }
    }

    private func handOver(_ range: Range<Int>) {
        lock.lock()
        ready.append(range)
        lock.unlock()
        available.signal()
    }

    /// The table, once every writer has been closed.
    func finish() -> PairTable {
        if entries != nil {
            available.signal()
            done.wait()
        }
        return pairs!
    }
}
