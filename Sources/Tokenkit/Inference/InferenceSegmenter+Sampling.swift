import Foundation

// Subword regularization (Kudo, 2018) on the lattice of `forEachEdge`, following the
// semantics of SentencePiece's `SampleEncode` (unigram_model.cc): forward-filtering
// backward-sampling over the whole lattice with the scores multiplied by alpha
// (`Lattice::Sample`), or a draw from the n-best list with probabilities ∝ exp(alpha · score)
// (`NBest` then a discrete distribution). Draws come from the caller's generator through
// `nextUnitDouble()`, so runs are reproducible under a seed but are not SentencePiece's
// `std::mt19937` draws. Sums are in double precision.

extension InferenceSegmenter {
    /// The edges of the lattice of one piece, grouped by where they end.
    struct Lattice {
        var starts: [Int] = []
        var ids: [Int32] = []
        var scores: [Double] = []
        /// Edge indices ending at each position 0...n.
        var ending: [[Int]]
        let count: Int

        init(_ segmenter: InferenceSegmenter, _ bytes: UnsafeBufferPointer<UInt8>) {
            count = bytes.count
            ending = Array(repeating: [], count: bytes.count + 1)
            segmenter.forEachEdge(bytes) { start, end, id, score in
                ending[end].append(starts.count)
                starts.append(start)
                ids.append(id)
                scores.append(score)
            }
        }

        /// The best score of a path from 0 to each position (-inf when none reaches it).
        func viterbiScores() -> [Double] {
            var best = [Double](repeating: -.infinity, count: count + 1)
            best[0] = 0
            for end in 1...max(1, count) where end <= count {
                for e in ending[end] where best[starts[e]] > -.infinity {
                    best[end] = max(best[end], best[starts[e]] + scores[e])
                }
            }
            return best
        }
    }

    /// The `n` best segmentations of one piece's bytes with their total scores, best first
    /// (A* from the end with the exact forward Viterbi scores as heuristic, SentencePiece's
    /// `NBest`). Equal scores come out in the order their hypotheses were made.
    ///
    /// - Complexity: about O(n · L · nbest · log) for a piece of n bytes; like SentencePiece,
    ///   the agenda is cut to its best max(512, 10 · nbest) entries when it passes 100,000.
    func nBest(_ bytes: UnsafeBufferPointer<UInt8>, _ n: Int) -> [(segments: [Segment], score: Double)] {
        guard n > 0 else { return [] }
        if bytes.isEmpty { return [([], 0)] }
        let lattice = Lattice(self, bytes)
        let heuristic = lattice.viterbiScores()
        guard heuristic[bytes.count] > -.infinity else { return [] }
        // Hypotheses: a position still to reach from 0, the score of the edges after it, and
        // the hypothesis it extends (the edge it took is `edge`).
        struct Hypothesis { var position: Int; var g: Double; var edge: Int; var parent: Int }
        var hypotheses = [Hypothesis(position: bytes.count, g: 0, edge: -1, parent: -1)]
        var agenda = PriorityQueue()
        agenda.push(priority: heuristic[bytes.count], order: 0, item: 0)
        var results: [(segments: [Segment], score: Double)] = []
        while let top = agenda.pop() {
            let h = hypotheses[top]
            if h.position == 0 {
                var segments: [Segment] = []
                var k = top
                while hypotheses[k].edge >= 0 {
                    let e = hypotheses[k].edge
                    segments.append((lattice.starts[e]..<hypotheses[hypotheses[k].parent].position, lattice.ids[e]))
                    k = hypotheses[k].parent
                }
                results.append((segments, h.g))
                if results.count == n { break }
                continue
            }
            for e in lattice.ending[h.position] {
                let start = lattice.starts[e]
                guard heuristic[start] > -.infinity else { continue }
                let g = h.g + lattice.scores[e]
                hypotheses.append(Hypothesis(position: start, g: g, edge: e, parent: top))
                agenda.push(priority: heuristic[start] + g, order: hypotheses.count - 1, item: hypotheses.count - 1)
            }
            if agenda.count >= 100_000 { agenda.keepBest(max(512, 10 * n)) }
        }
        return results
    }

    /// One segmentation drawn with probability ∝ exp(alpha · score) over all segmentations
    /// of the piece (forward filtering, backward sampling).
    func sample<G: RandomNumberGenerator>(_ bytes: UnsafeBufferPointer<UInt8>, alpha: Double, using generator: inout G) -> [Segment]? {
        if bytes.isEmpty { return [] }
        let lattice = Lattice(self, bytes)
        let n = bytes.count
        // forward[j]: log of the summed weights of the paths from 0 to j.
        var forward = [Double](repeating: -.infinity, count: n + 1)
        forward[0] = 0
        for end in 1...n {
            var acc = -Double.infinity
            for e in lattice.ending[end] where forward[lattice.starts[e]] > -.infinity {
                acc = logSumExp(acc, forward[lattice.starts[e]] + alpha * lattice.scores[e])
            }
            forward[end] = acc
        }
        guard forward[n] > -.infinity else { return nil }
        var segments: [Segment] = []
        var position = n
        var weights: [Double] = []
        while position > 0 {
            let edges = lattice.ending[position]
            weights.removeAll(keepingCapacity: true)
            for e in edges {
                let start = lattice.starts[e]
                weights.append(forward[start] > -.infinity ? exp(forward[start] + alpha * lattice.scores[e] - forward[position]) : 0)
            }
            let e = edges[drawIndex(weights, using: &generator)]
            segments.append((lattice.starts[e]..<position, lattice.ids[e]))
            position = lattice.starts[e]
        }
        segments.reverse()
        return segments
    }

    /// Tokenizes one piece with subword regularization, SentencePiece's `SampleEncode`
    /// semantics: `nbestSize` 0 or 1 is the Viterbi segmentation, above 1 a draw from the
    /// `nbestSize` best with probabilities ∝ exp(alpha · score), below 0 a draw from all
    /// segmentations with probabilities ∝ exp(alpha · score).
    public func sampleTokenize<G: RandomNumberGenerator>(_ text: [UInt8], alpha: Double, nbestSize: Int,
                                                         using generator: inout G) throws(TokenizationError) -> [Token] {
        if text.isEmpty { return [] }
        guard let (bytes, offsets) = domainBytes(text) else { return try unknownWord(text.count) }
        let segments: [Segment]? = bytes.withUnsafeBufferPointer { buffer in
            if nbestSize == 0 || nbestSize == 1 { return viterbi(buffer) }
            if nbestSize < 0 { return sample(buffer, alpha: alpha, using: &generator) }
            let list = nBest(buffer, nbestSize)
            guard !list.isEmpty else { return nil }
            let top = list.map { alpha * $0.score }.max()!
            let weights = list.map { exp(alpha * $0.score - top) }
            return list[drawIndex(weights, using: &generator)].segments
        }
        guard let segments else { return try unknownWord(text.count) }
        return try tokens(segments, bytes: bytes, offsets: offsets)
    }
}

/// log(exp(a) + exp(b)) without overflow.
@inline(__always)
func logSumExp(_ a: Double, _ b: Double) -> Double {
    if a == -.infinity { return b }
    if b == -.infinity { return a }
    let m = max(a, b)
    return m + log(exp(a - m) + exp(b - m))
}

/// An index drawn with probability proportional to `weights` (one uniform draw).
func drawIndex<G: RandomNumberGenerator>(_ weights: [Double], using generator: inout G) -> Int {
    let total = weights.reduce(0, +)
    var target = generator.nextUnitDouble() * total
    for (i, w) in weights.enumerated() {
        if target < w { return i }
        target -= w
    }
    // Rounding left the target at the very end: the last index of positive weight.
    return weights.lastIndex { $0 > 0 } ?? 0
}

/// A max-priority queue of item indices; equal priorities come out by increasing `order`.
struct PriorityQueue {
    private var entries: [(priority: Double, order: Int, item: Int)] = []
    var count: Int { entries.count }

    @inline(__always)
    private static func precedes(_ a: (priority: Double, order: Int, item: Int), _ b: (priority: Double, order: Int, item: Int)) -> Bool {
        a.priority != b.priority ? a.priority > b.priority : a.order < b.order
    }

    mutating func push(priority: Double, order: Int, item: Int) {
        entries.append((priority, order, item))
        var i = entries.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.precedes(entries[i], entries[parent]) else { break }
            entries.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> Int? {
        guard !entries.isEmpty else { return nil }
        let top = entries[0].item
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var best = i
                if l < entries.count && Self.precedes(entries[l], entries[best]) { best = l }
                if r < entries.count && Self.precedes(entries[r], entries[best]) { best = r }
                if best == i { break }
                entries.swapAt(i, best)
                i = best
            }
        }
        return top
    }

    /// Drops all but the `k` best entries.
    mutating func keepBest(_ k: Int) {
        var kept = PriorityQueue()
        for _ in 0..<min(k, entries.count) {
            let e = entries[0]
            _ = pop()
            kept.push(priority: e.priority, order: e.order, item: e.item)
        }
        self = kept
    }
}
