// Performance notes: the id-only path of byte-level BPE. Per piece: single
// bytes map through a table; otherwise one hash of the piece serves the hot
// direct-mapped cache, the whole-piece vocabulary lookup (tiktoken and
// `ignore_merges` models: most words are one token) and the bounded piece
// cache; only misses run the merge loop, on stack buffers (no allocation) for
// pieces up to 128 bytes and with the heap algorithm beyond, so that a 1 MB
// word stays O(n log n). Ids are written to a caller-provided buffer: byte-level
// BPE never produces more tokens than bytes, so the caller sizes it once.

extension BPEModel {
    /// Encodes one piece of raw bytes (byte-level vocabularies) into `out`, which must have room
    /// for `piece.count` ids; returns the number of ids written.
    @inline(__always)
    func encodePiece(_ piece: UnsafeBufferPointer<UInt8>, out: UnsafeMutablePointer<TokenID>, cache: inout BPEPieceCache) -> Int {
        let n = piece.count
        let base = piece.baseAddress!
        if n == 1, let id = byteIDs[Int(base[0])] {
            out[0] = id
            return 1
        }
        if n <= 16 {
            let (a, b) = shortKeyWords(base, n)
            let h = hashShortKey(a, b, lengthSeed: 0xA076_1D64_78BD_642F ^ UInt64(truncatingIfNeeded: n))
            let hot = cache.hot.lookup(a, b, length: n, hash: h, out: out)
            if hot > 0 { return hot }
            let count = encodeUncached(piece, hash: h, out: out, cache: &cache)
            cache.hot.insert(a, b, length: n, hash: h, ids: out, count: count)
            return count
        }
        return encodeUncached(piece, hash: hashBytes(base, n), out: out, cache: &cache)
    }

    @inline(__always)
    private func encodeUncached(_ piece: UnsafeBufferPointer<UInt8>, hash h: UInt64, out: UnsafeMutablePointer<TokenID>,
                                cache: inout BPEPieceCache) -> Int {
        if options.ignoreMerges, let id = vocabulary.value(for: piece, hash: h) {
            out[0] = id
            return 1
        }
        let cached = cache.lookup(piece, hash: h, out: out)
        if cached >= 0 { return cached }
        let count = mergeBytes(piece, out: out)
        cache.insert(piece, hash: h, ids: UnsafeBufferPointer(start: out, count: count))
        return count
    }

    /// Runs BPE merges on the bytes of a piece, writing the resulting ids; returns their number.
    func mergeBytes(_ piece: UnsafeBufferPointer<UInt8>, out: UnsafeMutablePointer<TokenID>) -> Int {
        let n = piece.count
        guard n <= 128, piece.allSatisfy({ byteIDs[Int($0)] != nil }) else {
            // Long pieces, or bytes without a token (byte fallback, unknowns): the general algorithm.
            var ids: [TokenID] = []
            encodeRawBytes(Array(piece), into: &ids)
            out.update(from: ids, count: ids.count)
            return ids.count
        }
        // Symbols are built in `out` itself (the merged result is never longer than the bytes).
        let symbols = out
        for i in 0..<n { symbols[i] = byteIDs[Int(piece[i])]! }
        var count = n
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: n) { ranks in
            @inline(__always) func pairRank(_ i: Int) -> UInt64 {
                merges.lookup(left: symbols[i], right: symbols[i + 1]) ?? .max
            }
            for i in 0..<(count - 1) { ranks[i] = pairRank(i) }
            while count > 1 {
                // The lowest rank wins; among equal ranks the leftmost (rank is in the high bits).
                var best = UInt64.max
                var k = -1
                for i in 0..<(count - 1) where ranks[i] >> 32 < best >> 32 {
                    best = ranks[i]
                    k = i
                }
                if k < 0 { break }
                symbols[k] = UInt32(truncatingIfNeeded: best)
                // Remove symbol k+1 and the pair rank that started at it.
                var j = k + 1
                while j < count - 1 {
                    symbols[j] = symbols[j + 1]
                    if j < count - 2 { ranks[j] = ranks[j + 1] }
                    j += 1
                }
                count -= 1
                ranks[k] = k + 1 < count ? pairRank(k) : .max
                if k > 0 { ranks[k - 1] = pairRank(k - 1) }
            }
        }
        return count
    }
}
