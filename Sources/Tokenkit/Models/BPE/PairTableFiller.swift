import Foundation

/// Builds a `PairTable` from merges given in rank order. With many merges and more than one
/// core, the table is allocated and filled on a thread of its own: the caller appends entries
/// and publishes them in chunks, and the inserts — each a cache miss in a table of several
/// megabytes — overlap with the caller's work (reading the file, resolving merges to ids). The
/// same thread fills the fast path's `MergeFilter` when asked to.
final class PairTableFiller: @unchecked Sendable {
    /// Merges per published chunk.
    static let chunk = 8192
    private struct Entry { var left: TokenID, right: TokenID, rank: UInt32, result: TokenID }

    private let mergeCount: Int
    /// When a pair is listed twice: true keeps the first rank (llama.cpp), false the last
    /// (`tokenizers`, whose merge map is collected from the list in order).
    private let keepFirst: Bool
    private var pairs: PairTable?
    /// The filter of the pairs (when asked for), complete once `finish` has returned.
    let filter: MergeFilter?
    /// Threaded mode: the entries so far, and how many of them each published chunk ends at.
    private var entries: UnsafeMutablePointer<Entry>?
    private var count = 0
    private var chunkEnds: UnsafeMutablePointer<Int>?
    private var published = 0
    private let chunkReady = DispatchSemaphore(value: 0)
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
        let chunks = (mergeCount + Self.chunk - 1) / Self.chunk
        chunkEnds = .allocate(capacity: chunks)
        let thread = Thread { [self] in
            var table = PairTable(expectedCount: mergeCount)
            let entries = entries!
            let keepFirst = keepFirst
            let filter = filter
            var start = 0
            for c in 0..<chunks {
                chunkReady.wait()
                let end = chunkEnds![c]
                for i in start..<end {
                    let e = entries[i]
                    table.set(left: e.left, right: e.right, rank: e.rank, result: e.result, keepExisting: keepFirst)
                    filter?.insert(pairFilterHash(left: e.left, right: e.right))
                }
                start = end
            }
            pairs = table
            done.signal()
        }
        thread.start()
    }

    deinit {
        entries?.deallocate()
        chunkEnds?.deallocate()
    }

    /// Adds the merge of the next rank (ranks must increase).
    @inline(__always)
    func add(left: TokenID, right: TokenID, rank: UInt32, result: TokenID) {
        if let entries {
            entries[count] = Entry(left: left, right: right, rank: rank, result: result)
            count += 1
        } else {
            pairs!.set(left: left, right: right, rank: rank, result: result, keepExisting: keepFirst)
            filter?.insert(pairFilterHash(left: left, right: right))
        }
    }

    /// Hands the entries added so far to the filling thread: call after every `chunk` merges
    /// (`finish` hands over the rest).
    func publish() {
        guard let chunkEnds, published < (mergeCount + Self.chunk - 1) / Self.chunk else { return }
        chunkEnds[published] = count
        published += 1
        chunkReady.signal()
    }

    /// The table, once every merge has been added.
    func finish() -> PairTable {
        if entries != nil {
            while published < (mergeCount + Self.chunk - 1) / Self.chunk { publish() }
            done.wait()
        }
        return pairs!
    }
}

