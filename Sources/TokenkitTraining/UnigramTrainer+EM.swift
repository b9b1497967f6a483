import Foundation
import Tokenkit

/// The pieces being trained (`unigram::TrainerModel`): symbols, scores, the trie to find them.
struct UnigramTrainingModel {
    let pieces: PieceList
    let scores: [Float]
    let trie: PieceTrie
    let minimumScore: Float
    /// Score of an unknown character: the lowest score minus 10.
    let unknownScore: Float
    /// The longest piece, in symbols.
    let maximumLength: Int

    init(pieces: PieceList, scores: [Float], alphabetSize: Int) {
        precondition(pieces.count > 0 && pieces.count == scores.count)
        self.pieces = pieces
        self.scores = scores
        trie = PieceTrie(pieces: pieces, alphabetSize: alphabetSize)
        var minimum = Float.greatestFiniteMagnitude
        for score in scores { minimum = min(minimum, score) }
        minimumScore = minimum
        unknownScore = minimum - 10
        var longest = 1
        for index in 0..<pieces.count { longest = max(longest, pieces.length(index)) }
        maximumLength = longest
    }

    var count: Int { scores.count }
}

/// SentencePiece's digamma approximation (`unigram_model_trainer.cc`).
func digamma(_ value: Double) -> Double {
    var x = value
    var result = 0.0
    while x < 7 {
        result -= 1 / x
        x += 1
    }
    x -= 1.0 / 2.0
    let xx = 1.0 / x
    let xx2 = xx * xx
    let xx4 = xx2 * xx2
    result += log(x) + (1.0 / 24.0) * xx2 - (7.0 / 960.0) * xx4 + (31.0 / 8064.0) * xx4 * xx2 - (127.0 / 30720.0) * xx4 * xx4
    return result
}

extension UnigramTrainer {
    /// Trains on `corpus` (which it consumes) and returns the vocabulary.
    public func train(_ corpus: consuming UnigramCorpus, progress: ProgressBar? = nil) throws(Failure) -> UnigramVocabulary {
        try validate()
        guard corpus.distinctEntryCount > 0 else { throw Failure(description: "no sentence to train on (the input is empty)") }
        let text = try prepare(corpus, progress: progress)
        var model = UnigramTrainingModel(pieces: text.seeds, scores: text.seedScores, alphabetSize: text.alphabetSize)
        let desiredSize = Int(Double(vocabularySize) * 1.1)
        // Progress is the way from the seed count down to the desired size on a log scale: every
        // pruning keeps a fixed fraction, and the first M step alone drops most seeds, so a
        // count of rounds planned from the seeds would overshoot.
        let steps = 1000
        let span = max(log(Double(model.count) / Double(desiredSize)), 1e-9)
        let seedCount = Double(model.count)
        func report(_ count: Int) {
            let done = log(seedCount / Double(max(count, 1))) / span
            progress?.advance(to: min(steps - 1, max(0, Int(done * Double(steps)))))
        }
        progress?.begin("EM", total: steps)
        while true {
            for _ in 0..<subIterations {
                let expected = expectedCounts(model, text: text)
                model = maximize(model, expected: expected, alphabetSize: text.alphabetSize)
                report(model.count)
            }
            if model.count <= desiredSize { break }
            model = prune(model, text: text)
            report(model.count)
        }
        progress?.advance(to: steps)
        progress?.finish()
        return try finalize(model, text: text)
    }

    /// Runs `work` on consecutive batches of `count` items on all threads, and `reduce` on the
    /// results in batch order: the same reductions in the same order whatever the thread count.
    private func forEachBatch<R: Sendable>(count: Int, batchSize: Int, _ work: @Sendable (Range<Int>) -> R, reduce: (R) -> Void) {
        let batches = (count + batchSize - 1) / batchSize
        let workers = ParallelMap.workerCount(threads, items: batches)
        // A wave of batches in parallel, then reduced in order: memory stays bounded.
        let wave = workers * 8
        var first = 0
        while first < batches {
            let last = min(batches, first + wave)
            let results = ParallelMap.map(Array(first..<last), threads: workers) { batch in
                work((batch * batchSize)..<min(count, (batch + 1) * batchSize))
            }
            for result in results { reduce(result) }
            first = last
        }
    }

    /// `RunEStep`: the expected count of every piece over all words (single-precision sums in
    /// word order).
    func expectedCounts(_ model: UnigramTrainingModel, text: UnigramTrainingText) -> [Float] {
        var expected = [Float](repeating: 0, count: model.count)
        let words = text.words
        let counts = text.wordCounts
        forEachBatch(count: words.count, batchSize: 1024, { range in
            var lattice = UnigramLattice()
            var ids: [Int32] = []
            var values: [Double] = []
            words.symbols.withUnsafeBufferPointer { symbols in
                for word in range {
                    lattice.populate(UnsafeBufferPointer(rebasing: symbols[words.starts[word]..<words.starts[word + 1]]), model: model)
                    lattice.forEachMarginal(frequency: Float(counts[word])) { id, value in
                        ids.append(id)
                        values.append(value)
                    }
                }
            }
            return (ids, values)
        }, reduce: { (result: ([Int32], [Double])) in
            for (id, value) in zip(result.0, result.1) {
                expected[Int(id)] = Float(Double(expected[Int(id)]) + value)
            }
        })
        return expected
    }

    /// `RunMStep`: pieces expected fewer than 0.5 times are dropped; the others' scores become
    /// digamma(expected) − digamma(total), a sparse prior (Bayesian EM).
    func maximize(_ model: UnigramTrainingModel, expected: [Float], alphabetSize: Int) -> UnigramTrainingModel {
        var kept: [Int] = []
        var frequencies: [Float] = []
        var sum: Float = 0
        for index in 0..<model.count where expected[index] >= 0.5 {
            kept.append(index)
            frequencies.append(expected[index])
            sum += expected[index]
        }
        let logSum = Float(digamma(Double(sum)))
        let scores = frequencies.map { Float(digamma(Double($0)) - Double(logSum)) }
        return UnigramTrainingModel(pieces: model.pieces.subset(kept), scores: scores, alphabetSize: alphabetSize)
    }

    /// `PruneSentencePieces`: drops the pieces whose removal costs the least likelihood, keeping
    /// `shrinkingFactor` of them (at least the desired size).
    private func prune(_ model: UnigramTrainingModel, text: UnigramTrainingText) -> UnigramTrainingModel {
        let count = model.count
        // How each piece would be segmented without it: pieces whose best segmentation is not
        // themselves can go; single characters (no other segmentation) always stay.
        var alwaysKeep: [Bool] = []
        var alternatives: [[Int32]] = []
        alwaysKeep.reserveCapacity(count)
        alternatives.reserveCapacity(count)
        let pieces = model.pieces
        forEachBatch(count: count, batchSize: 1024, { range in
            var lattice = UnigramLattice()
            var result: [(keep: Bool, alternative: [Int32])] = []
            pieces.symbols.withUnsafeBufferPointer { symbols in
                for index in range {
                    lattice.populate(UnsafeBufferPointer(rebasing: symbols[pieces.starts[index]..<pieces.starts[index + 1]]), model: model)
                    guard let best = lattice.viterbi() else {
                        result.append((true, []))
                        continue
                    }
                    if best.count >= 2 {
                        result.append((false, []))
                    } else if let whole = lattice.wholeWordNode, let second = lattice.viterbi(excluding: whole) {
                        result.append((true, second.map { lattice.ids[$0] }))
                    } else {
                        result.append((true, []))
                    }
                }
            }
            return result
        }, reduce: { (result: [(keep: Bool, alternative: [Int32])]) in
            for entry in result {
                alwaysKeep.append(entry.keep)
                alternatives.append(entry.alternative)
            }
        })

        // Viterbi frequency of every piece over all words.
        var frequency = [Float](repeating: 0, count: count)
        var totalCount: Float = 0
        let words = text.words
        let counts = text.wordCounts
        forEachBatch(count: words.count, batchSize: 1024, { range in
            var lattice = UnigramLattice()
            var ids: [Int32] = []
            var ends: [Int32] = []
            words.symbols.withUnsafeBufferPointer { symbols in
                for word in range {
                    lattice.populate(UnsafeBufferPointer(rebasing: symbols[words.starts[word]..<words.starts[word + 1]]), model: model)
                    for node in lattice.viterbi() ?? [] { ids.append(lattice.ids[node]) }
                    ends.append(Int32(ids.count))
                }
            }
            return (range, ids, ends)
        }, reduce: { (result: (Range<Int>, [Int32], [Int32])) in
            var start = 0
            for (word, end) in zip(result.0, result.2) {
                let weight = Float(counts[word])
                totalCount += weight
                for id in result.1[start..<Int(end)] { frequency[Int(id)] += weight }
                start = Int(end)
            }
        })

        var sumDouble = 0.0
        for value in frequency { sumDouble += Double(value) }
        let sum = Float(sumDouble)
        let logSum = Float(log(Double(sum)))
        var kept: [Int] = []
        var candidates: [(index: Int, loss: Float)] = []
        for index in 0..<count {
            if frequency[index] == 0 || !alwaysKeep[index] { continue }
            if alternatives[index].isEmpty {
                kept.append(index)
                continue
            }
            // The piece's frequency (SentencePiece sums the counts of the words it appears in,
            // once per occurrence, in word order: the same single-precision sum).
            let share = frequency[index] / totalCount
            let logProbability = Float(log(Double(frequency[index])) - Double(logSum))
            // Without the piece, its occurrences go to its alternatives.
            let logSumAlternative = Float(log(Double(sum + frequency[index] * Float(alternatives[index].count - 1))))
            var logProbabilityAlternative: Float = 0
            for alternative in alternatives[index] {
                logProbabilityAlternative = Float(Double(logProbabilityAlternative)
                    + (log(Double(frequency[Int(alternative)] + frequency[index])) - Double(logSumAlternative)))
            }
            candidates.append((index, share * (logProbability - logProbabilityAlternative)))
        }
        let prunedSize = max(Int(Double(vocabularySize) * 1.1), Int(Float(shrinkingFactor) * Float(count)))
        candidates.sort { $0.loss != $1.loss ? $0.loss > $1.loss : $0.index < $1.index }
        for candidate in candidates {
            // SentencePiece stops on equality only: when the kept pieces already exceed the
            // size, every candidate stays.
            if kept.count == prunedSize { break }
            kept.append(candidate.index)
        }
        return UnigramTrainingModel(pieces: model.pieces.subset(kept), scores: kept.map { model.scores[$0] },
                                    alphabetSize: text.alphabetSize)
    }

    /// `FinalizeSentencePieces` and `Serialize`: kept characters (missing ones just below the
    /// lowest score), then the best pieces up to the vocabulary size, by score; special pieces at
    /// their ids.
    private func finalize(_ model: UnigramTrainingModel, text: UnigramTrainingText) throws(Failure) -> UnigramVocabulary {
        var scoreOf: [[UInt8]: Float] = [:]
        var all: [(piece: [UInt8], score: Float)] = []
        for index in 0..<model.count {
            let piece = text.utf8(model.pieces[index])
            scoreOf[piece] = model.scores[index]
            all.append((piece, model.scores[index]))
        }
        var final: [[UInt8]: Float] = [:]
        var penalty: Float = 0
        for (scalar, _) in text.requiredCharacters {
            var piece: [UInt8] = []
            UTF8.append(scalar, to: &piece)
            if let score = scoreOf[piece] {
                final[piece] = score
            } else {
                final[piece] = model.minimumScore + penalty
                penalty += 0.0001
            }
        }
        let meta = metaPieces()
        let size = vocabularySize - meta.count
        func precedes(_ a: (piece: [UInt8], score: Float), _ b: (piece: [UInt8], score: Float)) -> Bool {
            a.score != b.score ? a.score > b.score : a.piece.lexicographicallyPrecedes(b.piece)
        }
        all.sort(by: precedes)
        for entry in all where final[entry.piece] == nil {
            if final.count == size { break }
            final[entry.piece] = entry.score
        }
        let sorted = final.map { (piece: $0.key, score: $0.value) }.sorted(by: precedes)
        guard sorted.count + meta.count == vocabularySize else {
            throw Failure(description: "the vocabulary size \(vocabularySize) is too high for this corpus: "
                          + "it gives at most \(sorted.count + meta.count) pieces; lower --vocab-size")
        }
        var pieces: [UnigramVocabulary.Piece] = []
        pieces.reserveCapacity(vocabularySize)
        var next = 0
        let metaByID = Dictionary(uniqueKeysWithValues: meta.map { ($0.id, $0) })
        for id in 0..<vocabularySize {
            if let special = metaByID[id] {
                pieces.append(.init(piece: special.piece, score: 0, type: special.type))
            } else {
                pieces.append(.init(piece: String(decoding: sorted[next].piece, as: UTF8.self), score: sorted[next].score, type: .normal))
                next += 1
            }
        }
        return UnigramVocabulary(pieces: pieces, trainer: self)
    }
}
