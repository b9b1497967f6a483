import Foundation

// Performance notes: one lattice is reused for every word a thread processes (flat arrays, no
// allocation per node). SentencePiece's forward pass computes, for every node, a log-sum over
// the nodes ending where it begins, and its backward pass a log-sum over the nodes beginning
// where it ends; both sums are the same for every node at that position, so they are computed
// once per position here, O(nodes) instead of O(edges), with the same operands in the same
// order (hence the same single-precision results). Viterbi keeps SentencePiece's per-node loop:
// its comparisons after rounding can depend on the right node's score.

/// The segmentation lattice of one word (`unigram::Lattice`): every piece found at every
/// character position, and an unknown node of one character where no one-character piece
/// starts. Scores are single-precision and every sum is rounded as SentencePiece rounds it, so
/// that training makes the same decisions.
struct UnigramLattice {
    /// Nodes in insertion order: by begin position, then by length (the unknown node last).
    private(set) var begins: [Int32] = []
    private(set) var ends: [Int32] = []
    private(set) var ids: [Int32] = []
    private(set) var scores: [Float] = []
    /// First node beginning at each position (count + 1 entries).
    private var beginStart: [Int32] = []
    /// Nodes by end position (stable: by begin within one end), and where each end starts.
    private var endOrder: [Int32] = []
    private var endStart: [Int32] = []
    private var alpha: [Float] = []
    private var beta: [Float] = []
    private var backtrace: [Float] = []
    private var previous: [Int32] = []
    private var fill: [Int32] = []
    /// The number of characters.
    private(set) var length = 0
    /// The number of nodes (the arrays above are longer: they are reused).
    private(set) var nodeCount = 0

    /// Fills the lattice with `word` (symbols) under `model`. The unknown node takes id 0, as
    /// SentencePiece's trainer model does (it never sets an unknown id, and 0 is the default).
    mutating func populate(_ word: UnsafeBufferPointer<UInt32>, model: UnigramTrainingModel) {
        let n = word.count
        length = n
        // At most one node per (position, length) up to the longest piece, plus unknown nodes.
        let capacity = n * (model.maximumLength + 1)
        if begins.count < capacity {
            begins = [Int32](repeating: 0, count: capacity)
            ends = [Int32](repeating: 0, count: capacity)
            ids = [Int32](repeating: 0, count: capacity)
            scores = [Float](repeating: 0, count: capacity)
        }
        if beginStart.count < n + 1 {
            beginStart = [Int32](repeating: 0, count: n + 1)
            endStart = [Int32](repeating: 0, count: n + 2)
            fill = [Int32](repeating: 0, count: n + 2)
        }
        var count = 0
        let unknownScore = model.unknownScore
        model.scores.withUnsafeBufferPointer { pieceScores in
        begins.withUnsafeMutableBufferPointer { begins in
        ends.withUnsafeMutableBufferPointer { ends in
        ids.withUnsafeMutableBufferPointer { ids in
        scores.withUnsafeMutableBufferPointer { scores in
        beginStart.withUnsafeMutableBufferPointer { beginStart in
            for position in 0..<n {
                beginStart[position] = Int32(count)
                var hasSingle = false
                model.trie.forEachPrefix(of: word, from: position) { length, piece in
                    begins[count] = Int32(position)
                    ends[count] = Int32(position + length)
                    ids[count] = piece
                    scores[count] = pieceScores[Int(piece)]
                    count += 1
                    if length == 1 { hasSingle = true }
                }
                if !hasSingle {
                    begins[count] = Int32(position)
                    ends[count] = Int32(position + 1)
                    ids[count] = 0
                    scores[count] = unknownScore
                    count += 1
                }
            }
            beginStart[n] = Int32(count)
        }}}}}}
        nodeCount = count
        // Counting sort by end; stable, so by begin within an end, as SentencePiece's end lists.
        if endOrder.count < count { endOrder = [Int32](repeating: 0, count: capacity) }
        ends.withUnsafeBufferPointer { ends in
        endStart.withUnsafeMutableBufferPointer { endStart in
        fill.withUnsafeMutableBufferPointer { fill in
        endOrder.withUnsafeMutableBufferPointer { endOrder in
            for position in 0..<(n + 2) { endStart[position] = 0 }
            for node in 0..<count { endStart[Int(ends[node]) + 1] += 1 }
            for position in 0...n { endStart[position + 1] += endStart[position] }
            for position in 0..<(n + 2) { fill[position] = endStart[position] }
            for node in 0..<count {
                let end = Int(ends[node])
                endOrder[Int(fill[end])] = Int32(node)
                fill[end] += 1
            }
        }}}}
    }

    /// `Lattice::PopulateMarginal`: calls `body(id, frequency × marginal probability)` for every
    /// node, by position then insertion order, the expected counts SentencePiece adds.
    mutating func forEachMarginal(frequency: Float, _ body: (Int32, Double) -> Void) {
        let n = length
        if alpha.count < n + 1 {
            alpha = [Float](repeating: 0, count: n + 1)
            beta = [Float](repeating: 0, count: n + 1)
        }
        alpha[0] = 0
        beta[n] = 0
        begins.withUnsafeBufferPointer { begins in
        ends.withUnsafeBufferPointer { ends in
        scores.withUnsafeBufferPointer { scores in
        endOrder.withUnsafeBufferPointer { endOrder in
        endStart.withUnsafeBufferPointer { endStart in
        beginStart.withUnsafeBufferPointer { beginStart in
        alpha.withUnsafeMutableBufferPointer { alpha in
        beta.withUnsafeMutableBufferPointer { beta in
            // alpha[p]: log-sum over the nodes ending at p of their score plus alpha at their
            // begin (the begin-of-sentence node ends at 0 with score 0).
            for position in 1...max(1, n) where n > 0 {
                var sum: Float = 0
                for k in Int(endStart[position])..<Int(endStart[position + 1]) {
                    let node = Int(endOrder[k])
                    let value = scores[node] + alpha[Int(begins[node])]
                    sum = k == Int(endStart[position]) ? value : logSumExp(sum, value)
                }
                alpha[position] = sum
            }
            // beta[p]: log-sum over the nodes beginning at p of their score plus beta at their end.
            if n > 0 {
                for position in stride(from: n - 1, through: 0, by: -1) {
                    var sum: Float = 0
                    let first = Int(beginStart[position])
                    for node in first..<Int(beginStart[position + 1]) {
                        let value = scores[node] + beta[Int(ends[node])]
                        sum = node == first ? value : logSumExp(sum, value)
                    }
                    beta[position] = sum
                }
            }
            let z = alpha[n]
            let weight = Double(frequency)
            for node in 0..<nodeCount {
                let logProbability: Float = alpha[Int(begins[node])] + scores[node] + beta[Int(ends[node])] - z
                body(ids[node], weight * exp(Double(logProbability)))
            }
        }}}}}}}}
    }

    /// `Lattice::Viterbi`: the best path's nodes, or nil when there is none. `excluded` (a node
    /// index) is left out, which gives the second-best segmentation when the best is that node.
    mutating func viterbi(excluding excluded: Int = -1) -> [Int]? {
        let n = length
        guard n > 0 else { return [] }
        let count = nodeCount
        if backtrace.count < count {
            backtrace = [Float](repeating: 0, count: begins.count)
            previous = [Int32](repeating: -2, count: begins.count)
        }
        for node in 0..<count { previous[node] = -2 }
        // Node -1 is the begin-of-sentence node (score 0); -2 means unreachable.
        var finalScore: Float = 0
        var finalNode = -2
        for position in 0...n {
            let rights: Range<Int> = position < n ? Int(beginStart[position])..<Int(beginStart[position + 1]) : count..<(count + 1)
            for right in rights where right != excluded {
                let rightScore: Float = right < count ? scores[right] : 0
                var best = -2
                var bestScore: Float = 0
                if position == 0 {
                    best = -1
                    bestScore = 0 + rightScore
                } else {
                    for k in Int(endStart[position])..<Int(endStart[position + 1]) {
                        let left = Int(endOrder[k])
                        if left == excluded || previous[left] == -2 { continue }
                        let score = backtrace[left] + rightScore
                        if best == -2 || score > bestScore {
                            best = left
                            bestScore = score
                        }
                    }
                }
                if right < count {
                    previous[right] = Int32(best)
                    backtrace[right] = bestScore
                } else {
                    finalNode = best
                    finalScore = bestScore
                }
            }
        }
        _ = finalScore
        guard finalNode != -2 else { return nil }
        var path: [Int] = []
        var node = finalNode
        while node >= 0 {
            path.append(node)
            node = Int(previous[node])
        }
        return path.reversed()
    }

    /// The node covering the whole word, if any.
    var wholeWordNode: Int? {
        guard length > 0 else { return nil }
        for node in Int(beginStart[0])..<Int(beginStart[1]) where Int(ends[node]) == length { return node }
        return nil
    }
}

/// `LogSumExp` of `unigram_model.cc`: single-precision operands, the correction term in double.
@inline(__always)
func logSumExp(_ x: Float, _ y: Float) -> Float {
    let low = min(x, y), high = max(x, y)
    if high > low + 50 { return high }
    return Float(Double(high) + log(exp(Double(low - high)) + 1.0))
}
