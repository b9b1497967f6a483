import Testing
@testable import Tokenkit

/// The fast encoder's tables: the short-token table and the hot piece cache.
@Suite struct FastPathTablesTests {
    /// Key words and hash as the fast encoder computes them (from a padded copy).
    func key(_ bytes: [UInt8]) -> PieceKey {
        let padded = bytes + [UInt8](repeating: 0xFF, count: 16)
        return padded.withUnsafeBufferPointer { p in
            let (a, b) = paddedShortKeyWords(p.baseAddress!, bytes.count)
            return PieceKey(a: a, b: b, hash: hashShortKey(a, b, lengthSeed: shortKeySeed(bytes.count)))
        }
    }

    @Test func shortTokenTableFindsEveryTokenOfTwoToSixteenBytes() {
        var vocabulary = ByteStringTable()
        var generator = SeededRandomGenerator(seed: 7)
        var keys: [[UInt8]: UInt32] = [:]
        // Random keys of 1 to 20 bytes, with many sharing prefixes (they differ only in length).
        while keys.count < 3000 {
            let length = Int.random(in: 1...20, using: &generator)
            let key = (0..<length).map { _ in UInt8.random(in: 0...3, using: &generator) * 60 }
            if keys[key] == nil { keys[key] = UInt32(keys.count) }
        }
        for (key, id) in keys { vocabulary.set(key, id) }
        let table = ShortTokenTable(vocabulary: vocabulary)
        #expect(table.count == keys.keys.filter { (2...16).contains($0.count) }.count)
        for (key, id) in keys where (2...16).contains(key.count) {
            let k = self.key(key)
            #expect(table.id(k.a, k.b, length: key.count, hash: k.hash) == id, "\(key)")
        }
        // Keys that are not tokens, including a token's bytes followed by zero bytes.
        for length in 2...16 {
            let absent = [UInt8](repeating: 7, count: length)
            let k = key(absent)
            #expect(table.id(k.a, k.b, length: length, hash: k.hash) == nil)
        }
        for (key, _) in keys where (2...15).contains(key.count) {
            let longer = key + [0]
            if keys[longer] == nil {
                let k = self.key(longer)
                #expect(table.id(k.a, k.b, length: longer.count, hash: k.hash) == nil)
            }
        }
    }

    @Test func hotCacheKeepsUpToTenIdsAndTheTwoNewestPiecesOfASet() {
        let cache = HotPieceCache()
        defer { cache.deallocate() }
        var out = [TokenID](repeating: 0, count: 20)
        func lookup(_ bytes: [UInt8], hash: UInt64) -> [TokenID] {
            let k = key(bytes)
            let n = out.withUnsafeMutableBufferPointer { cache.lookup(k.a, k.b, length: bytes.count, hash: hash, out: $0.baseAddress!) }
            return Array(out.prefix(n))
        }
        func insert(_ bytes: [UInt8], hash: UInt64, _ ids: [TokenID]) {
            let k = key(bytes)
            var ids = ids
            ids.withUnsafeMutableBufferPointer { cache.insert(k.a, k.b, length: bytes.count, hash: hash, ids: $0.baseAddress!, count: $0.count) }
        }
        let word = Array("abcdefghijklmnop".utf8)
        for count in 1...10 {
            let ids = (0..<count).map { TokenID(100 + $0) }
            insert(Array(word.prefix(count + 2)), hash: UInt64(count) << 40, ids)
            #expect(lookup(Array(word.prefix(count + 2)), hash: UInt64(count) << 40) == ids)
        }
        // Eleven ids are left to the big cache.
        insert(word, hash: 11 << 40, (0..<11).map { TokenID($0) })
        #expect(lookup(word, hash: 11 << 40).isEmpty)
        // One set (same hash bits): the third piece drops the first.
        let set: UInt64 = 12 << 40
        insert(Array("one".utf8), hash: set, [1])
        insert(Array("two".utf8), hash: set, [2, 2])
        #expect(lookup(Array("one".utf8), hash: set) == [1])
        #expect(lookup(Array("two".utf8), hash: set) == [2, 2])
        insert(Array("three".utf8), hash: set, [3])
        #expect(lookup(Array("one".utf8), hash: set).isEmpty)
        #expect(lookup(Array("two".utf8), hash: set) == [2, 2])
        #expect(lookup(Array("three".utf8), hash: set) == [3])
        // Same bytes, other length: no hit.
        #expect(lookup(Array("thre".utf8), hash: set).isEmpty)
    }
}
