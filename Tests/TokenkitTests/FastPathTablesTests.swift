import Testing
@testable import Tokenkit

/// The fast encoder's tables: the short-token table and the per-worker piece table.
@Suite struct FastPathTablesTests {
    /// Key words and hash as the short-token table's users compute them (from a padded copy).
    func key(_ bytes: [UInt8]) -> (a: UInt64, b: UInt64, hash: UInt64) {
        let padded = bytes + [UInt8](repeating: 0xFF, count: 16)
        return padded.withUnsafeBufferPointer { p in
            let (a, b) = paddedShortKeyWords(p.baseAddress!, bytes.count)
            return (a, b, hashShortKey(a, b, lengthSeed: shortKeySeed(bytes.count)))
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

    @Test func mergeFilterKeepsEveryMemberAndRejectsMostOthers() {
        var generator = SeededRandomGenerator(seed: 3)
        let members = (0..<20_000).map { _ in UInt64.random(in: .min ... .max, using: &generator) }
        let filter = MergeFilter(count: members.count) { insert in members.forEach(insert) }
        let view = filter.view
        for hash in members { #expect(view.mayContain(hash)) }
        // About 12 bits per member, two bits in one word: roughly 2% of others get through.
        let others = 100_000
        var passed = 0
        for _ in 0..<others where view.mayContain(UInt64.random(in: .min ... .max, using: &generator)) { passed += 1 }
        #expect(passed < others / 20, "\(passed) of \(others)")
        #expect(passed > 0)
    }

    @Test func mergeListFastLookupAgreesWithThePairTable() {
        // A byte-level merge list over random pairs of ids; the fast path checks the filter first.
        var vocabulary = ByteStringTable()
        for byte in 0..<256 { vocabulary.set([UInt8(byte)], UInt32(byte)) }
        var generator = SeededRandomGenerator(seed: 5)
        var merges = PairTable(expectedCount: 5000)
        var expected: [UInt64: UInt64] = [:]
        var id: UInt32 = 256
        while expected.count < 5000 {
            let left = UInt32.random(in: 0..<id, using: &generator), right = UInt32.random(in: 0..<id, using: &generator)
            let key = UInt64(left) << 32 | UInt64(right)
            guard expected[key] == nil else { continue }
            vocabulary.set(Array("t\(id)".utf8), id)
            merges.set(left: left, right: right, rank: id - 256, result: id)
            expected[key] = UInt64(id - 256) << 32 | UInt64(id)
            id += 1
        }
        let model = BPEModel(alphabet: .byteLevel, vocabulary: vocabulary, merges: merges, options: .init())
        let bytes: [UInt8] = [1, 2, 3, 4]
        bytes.withUnsafeBufferPointer { bytes in
            for (key, value) in expected {
                #expect(model.merge(UInt32(key >> 32), UInt32(truncatingIfNeeded: key), covering: bytes) == value)
            }
            var rejected = 0
            for _ in 0..<20_000 {
                let left = UInt32.random(in: 0..<id, using: &generator), right = UInt32.random(in: 0..<id, using: &generator)
                let found = model.merge(left, right, covering: bytes)
                #expect(found == expected[UInt64(left) << 32 | UInt64(right)])
                if found == nil { rejected += 1 }
            }
            #expect(rejected > 0)
        }
    }

    /// A piece's key as the fast encoder computes it (from a padded copy, 0xFF after the bytes).
    func pieceKey(_ bytes: [UInt8]) -> PieceKey {
        let padded = bytes + [UInt8](repeating: 0xFF, count: 16)
        return padded.withUnsafeBufferPointer { PieceKey(padded: $0.baseAddress!, count: bytes.count) }
    }

    /// What the table answers for a piece: the ids of a first-line hit or of an entry further
    /// on, or nil.
    func lookup(_ table: PieceTable, _ bytes: [UInt8]) -> [TokenID]? {
        let key = pieceKey(bytes)
        var out = [TokenID](repeating: 0, count: 16)
        return out.withUnsafeMutableBufferPointer { out -> [TokenID]? in
            let (hit, count) = table.view.emit(key, to: out.baseAddress!)
            if hit { return Array(out.prefix(count)) }
            guard case .found(let entry) = table.find(key) else { return nil }
            return Array(out.prefix(table.copyIDs(of: entry, to: out.baseAddress!)))
        }
    }

    func insert(_ table: inout PieceTable, _ bytes: [UInt8], _ ids: [TokenID], model: BPEModel) {
        ids.withUnsafeBufferPointer { table.insert(pieceKey(bytes), ids: $0.baseAddress!, count: ids.count, model: model) }
    }

    /// A tiktoken-style model (pieces looked up whole) over random tokens of 1 to 20 bytes, many
    /// of them differing only in length or in a trailing zero byte.
    func wholePieceModel() -> (BPEModel, [[UInt8]: TokenID]) {
        var generator = SeededRandomGenerator(seed: 11)
        var tokens: [[UInt8]: TokenID] = [:]
        for byte in 0..<256 { tokens[[UInt8(byte)]] = TokenID(byte) }
        while tokens.count < 3000 {
            let length = Int.random(in: 2...20, using: &generator)
            let key = (0..<length).map { _ in UInt8.random(in: 0...3, using: &generator) * 60 }
            if tokens[key] == nil { tokens[key] = TokenID(tokens.count) }
        }
        var ranks = ByteStringTable()
        for (key, id) in tokens { ranks.set(key, id) }
        var options = BPEModel.Options()
        options.ignoreMerges = true
        return (BPEModel(tiktokenRanks: ranks, options: options), tokens)
    }

    @Test func pieceTableIsSeededWithTheTokensOfUpToFifteenBytes() {
        let (model, tokens) = wholePieceModel()
        var table = PieceTable()
        table.prepare(for: model)
        defer { table.deallocate() }
        for (key, id) in tokens {
            #expect(lookup(table, key) == (key.count <= 15 ? [id] : nil), "\(key)")
        }
        // Not tokens: other bytes, and a token's bytes followed by a zero byte.
        #expect(lookup(table, [7, 7, 7]) == nil)
        for (key, _) in tokens where key.count < 15 && tokens[key + [0]] == nil {
            #expect(lookup(table, key + [0]) == nil)
        }
        // Longer pieces are keyed by their first 16 bytes and match no entry, whatever their
        // length (also lengths whose low bits are a short length's).
        for (key, _) in tokens where key.count == 15 {
            for extra in [1, 2, 113, 241, 242, 497] {
                #expect(lookup(table, key + [UInt8](repeating: key[14], count: extra)) == nil)
            }
        }
        // A merge-list model without whole-piece lookups is seeded with the single bytes only.
        var bytesOnly = ByteStringTable()
        for byte in 0..<256 { bytesOnly.set([UInt8(byte)], UInt32(byte)) }
        bytesOnly.set(Array("ab".utf8), 256)
        let mergeList = BPEModel(alphabet: .byteLevel, vocabulary: bytesOnly, merges: PairTable(expectedCount: 0), options: .init())
        var plain = PieceTable()
        plain.prepare(for: mergeList)
        defer { plain.deallocate() }
        #expect(lookup(plain, Array("a".utf8)) == [97])
        #expect(lookup(plain, Array("ab".utf8)) == nil)
    }

    @Test func longTokensAreFoundWholeBehindTheirFilter() {
        let (model, tokens) = wholePieceModel()
        let filter = try! #require(model.longTokenFilterView)
        var cache = BPEPieceCache()
        defer { cache.deallocate() }
        var longTokens = 0
        for (key, id) in tokens where key.count > PieceKey.maximumLength {
            longTokens += 1
            #expect(filter.mayContain(key.withUnsafeBufferPointer { hashBytes($0.baseAddress!, $0.count) }))
            // The fast path (piece cache, filter, vocabulary) gives the token itself.
            let padded = key.withUnsafeBufferPointer { cache.text.load($0, prefixSpace: false) }
            var out = [TokenID](repeating: 0, count: key.count + BPEModel.outputSlack)
            let count = out.withUnsafeMutableBufferPointer { model.encodePiece(padded.baseAddress!, padded.count, out: $0.baseAddress!, cache: &cache) }
            #expect(Array(out.prefix(count)) == [id], "\(key)")
        }
        #expect(longTokens > 500)
        // Models that merge every piece have no such filter.
        #expect(BPEModel(tiktokenRanks: ByteStringTable(), options: .init()).longTokenFilter == nil)
    }

    @Test func pieceTableKeepsThePiecesOfUpToFifteenBytesAndSpillsMoreThanFourIds() {
        let (model, _) = wholePieceModel()
        var table = PieceTable()
        table.prepare(for: model)
        defer { table.deallocate() }
        let word = Array("qwertyuiopasdfghjkl".utf8)
        for count in 1...5 {
            let piece = Array(word.prefix(count + 10))
            let ids = (0..<count).map { TokenID(5000 + $0) }
            insert(&table, piece, ids, model: model)
            #expect(lookup(table, piece) == ids, "\(count) ids")
        }
        // More than four ids are not answered by the branch-free probe (they are spilled).
        var out = [TokenID](repeating: 0, count: 16)
        let (hit, _) = out.withUnsafeMutableBufferPointer { table.view.emit(pieceKey(Array(word.prefix(15))), to: $0.baseAddress!) }
        #expect(!hit)
        let fifteen = (0..<15).map { TokenID(6000 + $0) }
        insert(&table, Array("abcdefghijklmno".utf8), fifteen, model: model)
        #expect(lookup(table, Array("abcdefghijklmno".utf8)) == fifteen)
        // Sixteen bytes and more are never keyed.
        insert(&table, Array(word.prefix(16)), [1], model: model)
        #expect(lookup(table, Array(word.prefix(16))) == nil)
        // Same bytes, other length.
        #expect(lookup(table, Array(word.prefix(12))) == [5000, 5001])
        #expect(lookup(table, Array(word.prefix(11))) == [5000])
    }

    @Test func pieceTableStaysBoundedAndKeepsItsSeedsWhenItFills() {
        let (model, tokens) = wholePieceModel()
        var table = PieceTable()
        // The smallest table the seeds allow, not allowed to grow: it fills after a few thousand
        // new pieces.
        table.prepare(for: model, capacity: 4, maximumCapacity: 4)
        defer { table.deallocate() }
        let capacity = (table.view.lineMask + 1) * 2
        for i in 0..<(capacity * 2) {
            insert(&table, Array("n\(i)".utf8), [TokenID(10_000 + i)], model: model)
        }
        // Still its size; the seeds came back after each clearing; the newest piece is there.
        #expect((table.view.lineMask + 1) * 2 == capacity)
        for (key, id) in tokens where key.count <= 15 { #expect(lookup(table, key) == [id]) }
        #expect(lookup(table, Array("n\(capacity * 2 - 1)".utf8)) == [TokenID(10_000 + capacity * 2 - 1)])
        var occupied = 0
        for entry in 0..<capacity where table.view.lines!.load(fromByteOffset: entry * 32 + 8, as: UInt64.self) != 0 { occupied += 1 }
        #expect(occupied <= capacity / 4 * 3 + 1)
    }

    @Test func pieceTableDoublesUpToItsLimitKeepingEveryEntry() {
        let (model, tokens) = wholePieceModel()
        var sizing = PieceTable()
        sizing.prepare(for: model, capacity: 4)
        let start = sizing.capacity
        sizing.deallocate()
        // Room for two doublings; then the table is cleared instead.
        var table = PieceTable()
        table.prepare(for: model, capacity: 4, maximumCapacity: start * 4)
        defer { table.deallocate() }
        #expect(table.capacity == start)
        // Pieces of one id and spilled ones (six ids), up to the largest table's limit.
        let pieces = start * 4 / 4 * 3 - tokens.count - 256
        for i in 0..<pieces {
            insert(&table, Array("g\(i)".utf8), i % 3 == 0 ? (0..<6).map { TokenID(i &+ $0) } : [TokenID(20_000 + i)], model: model)
        }
        #expect(table.capacity == start * 4)
        for i in 0..<pieces {
            #expect(lookup(table, Array("g\(i)".utf8)) == (i % 3 == 0 ? (0..<6).map { TokenID(i &+ $0) } : [TokenID(20_000 + i)]))
        }
        for (key, id) in tokens where key.count <= 15 { #expect(lookup(table, key) == [id]) }
        // Full at its limit: cleared and seeded again, at the same size.
        for i in 0..<(start * 2) { insert(&table, Array("h\(i)".utf8), [TokenID(30_000 + i)], model: model) }
        #expect(table.capacity == start * 4)
        #expect(lookup(table, Array("g0".utf8)) == nil)
        for (key, id) in tokens where key.count <= 15 { #expect(lookup(table, key) == [id]) }
    }

    @Test func pieceTableKeepsSpilledIdsWithinItsArena() {
        let (model, tokens) = wholePieceModel()
        var table = PieceTable()
        table.prepare(for: model)
        defer { table.deallocate() }
        // Eight ids a piece: the arena fills (and the table is cleared) several times.
        let pieces = PieceTable.arenaCapacity / 8 * 3
        for i in 0..<pieces {
            insert(&table, Array("s\(i)".utf8), (0..<8).map { TokenID(i &+ $0) }, model: model)
        }
        let last = pieces - 1
        #expect(lookup(table, Array("s\(last)".utf8)) == (0..<8).map { TokenID(last + $0) })
        for (key, id) in tokens where key.count <= 15 { #expect(lookup(table, key) == [id]) }
    }

    @Test func bytePairTableGivesEveryPairsMerge() {
        // A tiktoken-style model (merge = the concatenation's token) and one with a merge list.
        let (tiktoken, _) = wholePieceModel()
        var vocabulary = ByteStringTable()
        for byte in 0..<256 { vocabulary.set([UInt8(byte)], UInt32(byte)) }
        vocabulary.set(Array("ab".utf8), 256)
        vocabulary.set(Array("ba".utf8), 257)
        var merges = PairTable(expectedCount: 2)
        merges.set(left: 97, right: 98, rank: 0, result: 256)
        merges.set(left: 98, right: 97, rank: 1, result: 257)
        let mergeList = BPEModel(alphabet: .byteLevel, vocabulary: vocabulary, merges: merges, options: .init())
        for model in [tiktoken, mergeList] {
            let table = model.bytePairEntries!
            var merged = 0
            for first in 0..<256 {
                for second in 0..<256 {
                    let expected = model.merge(model.byteIDs[first]!, model.byteIDs[second]!)
                    let entry = table[UInt8(first), UInt8(second)]
                    #expect(entry == (expected ?? .max), "\(first) \(second)")
                    if expected != nil { merged += 1 }
                }
            }
            #expect(merged > 1)
        }
    }
}
