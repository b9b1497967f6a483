import Dispatch
import Testing
@testable import Tokenkit

/// The merge results the workers of one encoder share.
@Suite struct SharedMergeCacheTests {
    func lookup(_ cache: SharedMergeCache, _ piece: [UInt8], hash: UInt64) -> [TokenID]? {
        var out = [TokenID](repeating: 0, count: 128)
        let count = piece.withUnsafeBufferPointer { p in out.withUnsafeMutableBufferPointer { cache.lookup(p, hash: hash, out: $0.baseAddress!) } }
        return count < 0 ? nil : Array(out.prefix(count))
    }

    func insert(_ cache: SharedMergeCache, _ piece: [UInt8], hash: UInt64, _ ids: [TokenID], block: inout (next: Int, end: Int)) {
        piece.withUnsafeBufferPointer { p in ids.withUnsafeBufferPointer { cache.insert(p, hash: hash, ids: $0.baseAddress!, count: ids.count, block: &block) } }
    }

    @Test func storesAndFindsPiecesBySameHashAndOtherBytes() {
        let cache = SharedMergeCache()
        var block = (next: 0, end: 0)
        insert(cache, Array("hello".utf8), hash: 42, [1, 2], block: &block)
        // The same hash (a collision) with other bytes or another length is another entry.
        insert(cache, Array("world".utf8), hash: 42, [3], block: &block)
        insert(cache, Array("hell".utf8), hash: 42, [4, 5, 6], block: &block)
        #expect(lookup(cache, Array("hello".utf8), hash: 42) == [1, 2])
        #expect(lookup(cache, Array("world".utf8), hash: 42) == [3])
        #expect(lookup(cache, Array("hell".utf8), hash: 42) == [4, 5, 6])
        #expect(lookup(cache, Array("help!".utf8), hash: 42) == nil)
        #expect(lookup(cache, Array("hello".utf8), hash: 43) == nil)
        // Too long a piece, or too many ids, is not stored.
        let long = [UInt8](repeating: 97, count: SharedMergeCache.maximumKeyLength + 1)
        insert(cache, long, hash: 7, [1], block: &block)
        #expect(lookup(cache, long, hash: 7) == nil)
        let many = (0..<TokenID(SharedMergeCache.maximumIDs + 1)).map { $0 }
        insert(cache, Array("many".utf8), hash: 8, many, block: &block)
        #expect(lookup(cache, Array("many".utf8), hash: 8) == nil)
        let most = Array(many.dropLast())
        insert(cache, Array("most".utf8), hash: 9, most, block: &block)
        #expect(lookup(cache, Array("most".utf8), hash: 9) == most)
    }

    @Test func staysBoundedWhenItsProbeWindowOrArenaIsFull() {
        let cache = SharedMergeCache()
        var block = (next: 0, end: 0)
        // Twelve pieces of one hash: the first eight fill its probe window; the rest are dropped.
        for i in 0..<12 { insert(cache, Array("p\(i)".utf8), hash: 5, [TokenID(i)], block: &block) }
        for i in 0..<8 { #expect(lookup(cache, Array("p\(i)".utf8), hash: 5) == [TokenID(i)]) }
        for i in 8..<12 { #expect(lookup(cache, Array("p\(i)".utf8), hash: 5) == nil) }
        // Entries of 64 ids (about 320 bytes) until well past the arena: the first stay, the
        // last are not stored, and nothing is written out of bounds.
        let ids = (0..<TokenID(64)).map { $0 }
        let entries = SharedMergeCache.arenaBytes / 200
        for i in 0..<entries { insert(cache, Array("q\(i)".utf8), hash: UInt64(i) &* 0x9E37_79B9_7F4A_7C15, ids, block: &block) }
        #expect(lookup(cache, Array("q0".utf8), hash: 0) == ids)
        let last = entries - 1
        #expect(lookup(cache, Array("q\(last)".utf8), hash: UInt64(last) &* 0x9E37_79B9_7F4A_7C15) == nil)
    }

    @Test func isUsedOnlyOnceASecondWorkerHasACache() {
        let pool = BPEPieceCachePool()
        #expect(!pool.sharedMerges.isShared)
        let first = pool.take()
        #expect(first.cache.sharedMerges === pool.sharedMerges && !pool.sharedMerges.isShared)
        let second = pool.take()
        #expect(pool.sharedMerges.isShared)
        pool.give(first)
        pool.give(second)
    }

    static func encode(_ word: [UInt8], _ model: BPEModel, _ cache: inout BPEPieceCache) -> [TokenID] {
        let padded = word.withUnsafeBufferPointer { cache.text.load($0, prefixSpace: false) }
        var out = [TokenID](repeating: 0, count: word.count + BPEModel.outputSlack)
        let count = out.withUnsafeMutableBufferPointer { model.encodePiece(padded.baseAddress!, padded.count, out: $0.baseAddress!, cache: &cache) }
        return Array(out.prefix(count))
    }

    /// Workers encoding the same new words at once, through one pool, each get the merges.
    @Test func concurrentWorkersGetTheMergesOfEveryPiece() {
        let model = FastPathTablesTests().wholePieceModel().0
        var generator = SeededRandomGenerator(seed: 5)
        let words: [[UInt8]] = (0..<3000).map { _ in
            (0..<Int.random(in: 2...40, using: &generator)).map { _ in UInt8.random(in: 0...3, using: &generator) * 60 }
        }
        var alone = BPEPieceCache()
        defer { alone.deallocate() }
        let expected = words.map { Self.encode($0, model, &alone) }
        let pool = BPEPieceCachePool()
        nonisolated(unsafe) var results = [[[TokenID]]](repeating: [], count: 4)
        let boxes = (0..<4).map { _ in pool.take() }
        nonisolated(unsafe) let shared = boxes
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            var own: [[TokenID]] = []
            // Each worker starts elsewhere in the list, so that some meet pieces another merged.
            for k in 0..<words.count { own.append(Self.encode(words[(k + worker * 700) % words.count], model, &shared[worker].cache)) }
            results[worker] = own
        }
        for box in boxes { pool.give(box) }
        for worker in 0..<4 {
            for k in 0..<words.count { #expect(results[worker][k] == expected[(k + worker * 700) % words.count]) }
        }
    }
}
