// Performance notes: the suffix array is built by SA-IS (Nong, Zhang & Chan 2009), linear in
// the text, on Int32 symbols with an explicit unique sentinel. Unigram seeding only needs
// substrings of at most `maximumPieceLength` characters, so the LCP array is capped at one more
// than that and computed by comparing neighbouring suffixes directly (at most cap symbols each)
// into one byte per suffix: no PLCP or rank arrays (two more Int32 arrays of the text's size,
// which SentencePiece's esaxx keeps, along with L, R and D for every internal node).

/// A suffix array over a text of integer symbols, and the repeated substrings it reveals.
struct SuffixArray {
    /// The text; its last symbol is the sentinel 0, which occurs nowhere else.
    let text: [Int32]
    /// Start of each suffix in sorted order, the sentinel's suffix excluded.
    let suffixes: [Int32]

    /// Sorts the suffixes of `text` (symbols in 1..<alphabetSize; a sentinel is added).
    /// - Complexity: O(n + alphabetSize).
    init(text symbols: consuming [Int32], alphabetSize: Int) {
        var text = symbols
        text.append(0)
        var sorted = [Int32](repeating: -1, count: text.count)
        text.withUnsafeBufferPointer { t in
            sorted.withUnsafeMutableBufferPointer { sa in
                Self.sais(t, sa, alphabetSize: max(alphabetSize, 1))
            }
        }
        // The sentinel's suffix is the smallest.
        sorted.removeFirst()
        self.text = text
        self.suffixes = sorted
    }

    /// The length of the common prefix of each suffix and the one before it in sorted order,
    /// capped at `cap` (entry 0 is 0).
    func cappedLCP(_ cap: Int) -> [UInt8] {
        precondition(cap <= 255)
        var lcp = [UInt8](repeating: 0, count: suffixes.count)
        text.withUnsafeBufferPointer { t in
            suffixes.withUnsafeBufferPointer { sa in
                for i in 1..<max(1, sa.count) {
                    let a = Int(sa[i - 1]), b = Int(sa[i])
                    var h = 0
                    // The unique sentinel ends every comparison inside the text.
                    while h < cap && t[a + h] == t[b + h] && t[a + h] != 0 { h += 1 }
                    lcp[i] = UInt8(h)
                }
            }
        }
        return lcp
    }

    /// Calls `body(start, length, weight)` for every internal node of the suffix tree up to depth
    /// `maximumDepth`: each substring that occurs at least twice and is followed by at least two
    /// different symbols (or ends the text), given by one of its occurrences and its length.
    /// `weight` is the sum of `weights(start)` over its occurrences. Nodes come inner first, in
    /// the order of their last suffix, as esaxx enumerates them.
    func forEachRepeat(maximumDepth: Int, weight: (Int32) -> Int64, _ body: (Int32, Int, Int64) -> Void) {
        let n = suffixes.count
        guard n > 1 else { return }
        let lcp = cappedLCP(maximumDepth + 1)
        // Open intervals: depth, left boundary, weight so far (leaves and closed children).
        var depths: [Int] = [0]
        var lefts: [Int] = [0]
        var sums: [Int64] = [0]
        suffixes.withUnsafeBufferPointer { sa in
            for i in 1...n {
                let leaf = weight(sa[i - 1])
                let h = i < n ? Int(lcp[i]) : -1
                // Suffix i - 1 belongs to the deepest interval containing it: a new one shared
                // with suffix i when that is deeper than the innermost open one, else that one.
                if h > depths[depths.count - 1] {
                    depths.append(h)
                    lefts.append(i - 1)
                    sums.append(leaf)
                    continue
                }
                sums[sums.count - 1] += leaf
                var left = i - 1
                var carried: Int64 = 0
                while !depths.isEmpty && h < depths[depths.count - 1] {
                    let depth = depths.removeLast()
                    left = lefts.removeLast()
                    let sum = sums.removeLast()
                    if depth > 0 && depth <= maximumDepth { body(sa[left], depth, sum) }
                    // The closed interval is a child of the next open one, or of the one opened
                    // below (which starts where it did).
                    if depths.isEmpty || h > depths[depths.count - 1] {
                        carried = sum
                        break
                    }
                    sums[sums.count - 1] += sum
                }
                if h >= 0 && (depths.isEmpty || h > depths[depths.count - 1]) {
                    depths.append(h)
                    lefts.append(left)
                    sums.append(carried)
                }
            }
        }
    }

    // MARK: - SA-IS

    /// Fills `sa` with the sorted suffixes of `t`, whose last symbol must be a unique 0.
    private static func sais(_ t: UnsafeBufferPointer<Int32>, _ sa: UnsafeMutableBufferPointer<Int32>, alphabetSize k: Int) {
        let n = t.count
        if n == 1 {
            sa[0] = 0
            return
        }
        // S-type (true) or L-type suffixes; the sentinel is S.
        var isS = [Bool](repeating: false, count: n)
        isS[n - 1] = true
        for i in stride(from: n - 2, through: 0, by: -1) {
            isS[i] = t[i] < t[i + 1] || (t[i] == t[i + 1] && isS[i + 1])
        }
        var counts = [Int](repeating: 0, count: k)
        for c in t { counts[Int(c)] += 1 }
        func isLMS(_ i: Int) -> Bool { i > 0 && isS[i] && !isS[i - 1] }
        func bucketEnds() -> [Int] {
            var ends = counts
            var sum = 0
            for c in 0..<k { sum += counts[c]; ends[c] = sum }
            return ends
        }
        func bucketStarts() -> [Int] {
            var starts = counts
            var sum = 0
            for c in 0..<k { starts[c] = sum; sum += counts[c] }
            return starts
        }
        func induce() {
            var starts = bucketStarts()
            for i in 0..<n {
                let j = Int(sa[i]) - 1
                if j >= 0 && !isS[j] {
                    let c = Int(t[j])
                    sa[starts[c]] = Int32(j)
                    starts[c] += 1
                }
            }
            var ends = bucketEnds()
            for i in stride(from: n - 1, through: 0, by: -1) {
                let j = Int(sa[i]) - 1
                if j >= 0 && isS[j] {
                    let c = Int(t[j])
                    ends[c] -= 1
                    sa[ends[c]] = Int32(j)
                }
            }
        }

        // 1. Sort the LMS substrings: LMS positions at their bucket ends, then induce.
        for i in 0..<n { sa[i] = -1 }
        var ends = bucketEnds()
        for i in 1..<n where isLMS(i) {
            let c = Int(t[i])
            ends[c] -= 1
            sa[ends[c]] = Int32(i)
        }
        induce()

        // 2. Name the LMS substrings in sorted order; equal substrings share a name.
        var m = 0
        for i in 0..<n where isLMS(Int(sa[i])) {
            sa[m] = sa[i]
            m += 1
        }
        for i in m..<n { sa[i] = -1 }
        var name = 0
        var previous = -1
        for i in 0..<m {
            let p = Int(sa[i])
            var differs = previous < 0
            if !differs {
                var d = 0
                while true {
                    if t[p + d] != t[previous + d] || isS[p + d] != isS[previous + d] {
                        differs = true
                        break
                    }
                    if d > 0 && (isLMS(p + d) || isLMS(previous + d)) { break }
                    d += 1
                }
            }
            if differs {
                name += 1
                previous = p
            }
            sa[m + p / 2] = Int32(name - 1)
        }
        // The reduced string, in text order, at the end of sa.
        var j = n - 1
        for i in stride(from: n - 1, through: m, by: -1) where sa[i] >= 0 {
            sa[j] = sa[i]
            j -= 1
        }

        // 3. Sort the LMS suffixes: recursively unless every name is unique.
        let reduced = UnsafeMutableBufferPointer(rebasing: sa[(n - m)..<n])
        let reducedSA = UnsafeMutableBufferPointer(rebasing: sa[0..<m])
        if name < m {
            let copy = Array(reduced)
            copy.withUnsafeBufferPointer { sais($0, reducedSA, alphabetSize: name) }
        } else {
            for i in 0..<m { reducedSA[Int(reduced[i])] = Int32(i) }
        }
        // Map ranks in the reduced string back to text positions.
        j = 0
        for i in 1..<n where isLMS(i) {
            reduced[j] = Int32(i)
            j += 1
        }
        for i in 0..<m { reducedSA[i] = reduced[Int(reducedSA[i])] }
        for i in m..<n { sa[i] = -1 }

        // 4. Sorted LMS suffixes at their bucket ends (largest first), then induce the rest.
        ends = bucketEnds()
        for i in stride(from: m - 1, through: 0, by: -1) {
            let p = Int(sa[i])
            sa[i] = -1
            let c = Int(t[p])
            ends[c] -= 1
            sa[ends[c]] = Int32(p)
        }
        induce()
    }
}
