import Testing
@testable import Tokenkit

/// The BPE core on tiny vocabularies built in code.
@Suite struct BPEModelTests {
    /// Vocabulary a b c d ab bc abc cd, merges (a,b) (b,c) (ab,c) (c,d) in that order.
    func model(alphabet: BPEModel.Alphabet = .unicode, options: BPEModel.Options = .init()) -> BPEModel {
        var vocab = ByteStringTable()
        let tokens = ["a", "b", "c", "d", "ab", "bc", "abc", "cd", "<unk>", "<0x41>"]
        for (i, t) in tokens.enumerated() { vocab.set(Array(t.utf8), UInt32(i)) }
        var merges = PairTable(expectedCount: 8)
        merges.set(left: 0, right: 1, rank: 0, result: 4)   // a b -> ab
        merges.set(left: 1, right: 2, rank: 1, result: 5)   // b c -> bc
        merges.set(left: 4, right: 2, rank: 2, result: 6)   // ab c -> abc
        merges.set(left: 2, right: 3, rank: 3, result: 7)   // c d -> cd
        return BPEModel(alphabet: alphabet, vocabulary: vocab, merges: merges, options: options)
    }

    func ids(_ m: BPEModel, _ text: String) throws -> [TokenID] {
        try m.tokenize(Array(text.utf8)).map(\.id)
    }

    @Test func lowestRankMergesFirst() throws {
        let m = model()
        #expect(try ids(m, "abc") == [6])          // (a b) first, then (ab c)
        #expect(try ids(m, "bcd") == [5, 3])       // (b c) outranks (c d)
        #expect(try ids(m, "abcd") == [6, 3])
        #expect(try ids(m, "dabcabc") == [3, 6, 6])
    }

    @Test func longWordsUseTheHeapWithTheSameResult() throws {
        let m = model()
        let text = String(repeating: "abcd", count: 40)
        #expect(try ids(m, text) == Array(repeating: [6, 3], count: 40).flatMap { $0 })
    }

    @Test func offsetsCoverBytes() throws {
        let tokens = try model().tokenize(Array("abcd".utf8))
        #expect(tokens.map(\.offsets) == [0..<3, 3..<4])
        #expect(tokens.map(\.value) == ["abc", "d"])
    }

    @Test func unknownCharactersAreFusedOrDropped() throws {
        var options = BPEModel.Options()
        let dropped = try ids(model(options: options), "axxb")
        #expect(dropped == [4])   // no unk token: x is dropped, then a and b merge as in tokenizers
        options.unknownToken = "<unk>"
        #expect(try ids(model(options: options), "axxb") == [0, 8, 8, 1])
        options.fuseUnknown = true
        #expect(try ids(model(options: options), "axxb") == [0, 8, 1])
        options.unknownToken = "<missing>"
        #expect(throws: TokenizationError.unknownTokenMissing("<missing>")) { try model(options: options).tokenize(Array("x".utf8)) }
    }

    @Test func byteFallback() throws {
        var options = BPEModel.Options()
        options.byteFallback = true
        options.unknownToken = "<unk>"
        #expect(try ids(model(options: options), "aA") == [0, 9])     // A -> <0x41>
        #expect(try ids(model(options: options), "aZ") == [0, 8])     // no <0x5A>: unk
    }

    @Test func ignoreMergesLooksUpWholeWords() throws {
        var vocab = ByteStringTable()
        for (i, t) in ["a", "b", "ab", "ba", "aba"].enumerated() { vocab.set(Array(t.utf8), UInt32(i)) }
        var merges = PairTable(expectedCount: 2)
        merges.set(left: 1, right: 0, rank: 0, result: 3)   // b a -> ba (aba is not reachable by merges)
        let plain = BPEModel(alphabet: .unicode, vocabulary: vocab, merges: merges, options: .init())
        #expect(try ids(plain, "aba") == [0, 3])
        var options = BPEModel.Options()
        options.ignoreMerges = true
        let direct = BPEModel(alphabet: .unicode, vocabulary: vocab, merges: merges, options: options)
        #expect(try ids(direct, "aba") == [4])
    }

    @Test func dropoutOneNeverMerges() throws {
        var options = BPEModel.Options()
        options.dropout = 1
        #expect(try ids(model(options: options), "abcd") == [0, 1, 2, 3])
    }

    /// `encodePiece`, the fast path, on raw bytes in a `PaddedText` (as `FastEncoder` calls it).
    func fastIDs(_ m: BPEModel, _ bytes: [UInt8]) -> [TokenID] {
        var cache = BPEPieceCache()
        defer { cache.deallocate() }
        let padded = bytes.withUnsafeBufferPointer { cache.text.load($0, prefixSpace: false) }
        var out = [TokenID](repeating: 0, count: bytes.count + BPEModel.outputSlack)
        let count = out.withUnsafeMutableBufferPointer { m.encodePiece(padded.baseAddress!, padded.count, out: $0.baseAddress!, cache: &cache) }
        return Array(out.prefix(count))
    }

    /// Random words over `letters`, long enough for the rank-bucket merge.
    func longWords(_ letters: String, count: Int = 4) -> [[UInt8]] {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array(letters.utf8)
        var words = (0..<count).map { _ in (0..<(BPEModel.rankBucketThreshold + 1000)).map { _ in alphabet.randomElement(using: &generator)! } }
        words.append([UInt8](repeating: alphabet[0], count: BPEModel.rankBucketThreshold + 1))
        return words
    }

    @Test func longPiecesMergeInRankBucketsAsTheHeapDoes() throws {
        // Byte-level merges list and tiktoken ranks: the bucket merge (pieces from the threshold)
        // against the general path's heap.
        let ranks = ["a", "b", "c", "ab", "bc", "abc", "aa", "aaaa", "cab", "abcab"]
        var rankTable = ByteStringTable()
        for (i, t) in ranks.enumerated() { rankTable.set(Array(t.utf8), UInt32(i)) }
        let tiktoken = BPEModel(tiktokenRanks: rankTable, options: .init())
        let mergeList = model(alphabet: .byteLevel)
        for (m, letters) in [(tiktoken, "abc"), (mergeList, "abcd")] {
            for word in longWords(letters) {
                var general: [TokenID] = []
                m.encodeRawBytes(word, into: &general)
                expectSame(fastIDs(m, word), general)
            }
        }
    }

    @Test func rankBucketsGiveWayToTheHeapWhenAMergeMakesALowerRank() throws {
        // (ab, c) ranks before (a, b): merging a b creates a pair the buckets have passed.
        var vocab = ByteStringTable()
        for (i, t) in ["a", "b", "c", "ab", "abc"].enumerated() { vocab.set(Array(t.utf8), UInt32(i)) }
        var merges = PairTable(expectedCount: 2)
        merges.set(left: 3, right: 2, rank: 0, result: 4)   // ab c -> abc
        merges.set(left: 0, right: 1, rank: 1, result: 3)   // a b -> ab
        let m = BPEModel(alphabet: .byteLevel, vocabulary: vocab, merges: merges, options: .init())
        let word = Array(String(repeating: "abcab", count: BPEModel.rankBucketThreshold / 4).utf8)
        var general: [TokenID] = []
        m.encodeRawBytes(word, into: &general)
        #expect(general.prefix(3) == [4, 3, 4])
        expectSame(fastIDs(m, word), general)
    }

    /// Compares long id lists, reporting the first difference rather than both lists.
    func expectSame(_ ids: [TokenID], _ expected: [TokenID], sourceLocation: SourceLocation = #_sourceLocation) {
        let first = zip(ids, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? (ids.count == expected.count ? nil : min(ids.count, expected.count))
        #expect(first == nil, "the ids differ from index \(first ?? 0) (\(ids.count) ids, expected \(expected.count))", sourceLocation: sourceLocation)
    }

    @Test func ranksBeyondTheShortLoopsKeysMergeOnTheHeap() throws {
        // The short merge loop packs ranks into 25 bits; a rank above (here 2^25 + 3, tiktoken
        // ranks being ids) sends the piece to the heap, which must give the general path's ids.
        var ranks = ByteStringTable()
        for (i, t) in ["a", "b", "c", "ab", "bc"].enumerated() { ranks.set(Array(t.utf8), UInt32(i)) }
        ranks.set(Array("abc".utf8), 1 << 25 + 3)
        ranks.set(Array("abcab".utf8), 7)
        let m = BPEModel(tiktokenRanks: ranks, options: .init())
        for text in ["abc", "abcab", "cabcabc", "abcabcabcbcab", "bcabcaabcabcbbcabc"] {
            var general: [TokenID] = []
            m.encodeRawBytes(Array(text.utf8), into: &general)
            #expect(fastIDs(m, Array(text.utf8)) == general, "\(text)")
        }
        var abc: [TokenID] = []
        m.encodeRawBytes(Array("abc".utf8), into: &abc)
        #expect(abc == [1 << 25 + 3])
    }

    @Test func tiktokenStyleMergesFromRanks() throws {
        // Ranks: bytes 'a' 'b' 'c', then "ab" (3), "bc" (4), "abc" (5). Parts merge when their
        // concatenation is a token, with its rank.
        var ranks = ByteStringTable()
        for (i, t) in ["a", "b", "c", "ab", "bc", "abc"].enumerated() { ranks.set(Array(t.utf8), UInt32(i)) }
        let m = BPEModel(tiktokenRanks: ranks, options: .init())
        #expect(m.merge(0, 4).map { UInt32(truncatingIfNeeded: $0) } == 5)   // a + bc -> abc
        #expect(m.merge(3, 2).map { UInt32(truncatingIfNeeded: $0) } == 5)   // ab + c -> abc
        #expect(m.merge(2, 0) == nil)                                        // "ca" is not a token
        var out: [TokenID] = []
        m.encodeRawBytes(Array("abcab".utf8), into: &out)
        #expect(out == [5, 3])
        // The fast path (byte ranges) agrees with the general one, short and long (heap) pieces.
        for text in ["abcab", "cbacabcabcbbaaccabcabcabcabcbcbcbab", String(repeating: "abc", count: 40)] {
            var general: [TokenID] = []
            m.encodeRawBytes(Array(text.utf8), into: &general)
            var cache = BPEPieceCache()
            defer { cache.deallocate() }
            let bytes = Array(text.utf8)
            let padded = bytes.withUnsafeBufferPointer { cache.text.load($0, prefixSpace: false) }
            var fast = [TokenID](repeating: 0, count: text.utf8.count + BPEModel.outputSlack)
            let count = fast.withUnsafeMutableBufferPointer { m.encodePiece(padded.baseAddress!, padded.count, out: $0.baseAddress!, cache: &cache) }
            #expect(Array(fast.prefix(count)) == general, "\(text)")
        }
    }
}
