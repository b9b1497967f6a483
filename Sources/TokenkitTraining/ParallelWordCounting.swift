import Dispatch
import Tokenkit

extension WordCounts {
    /// Counts the words of `files` (text lines or JSON Lines, see `TrainingCorpus`) as `splitter`
    /// cuts them, on `threads` workers, with the result of one pass over the corpus: the same
    /// counts, and the words in the order they are first seen (which later steps follow).
    ///
    /// Each block of the corpus is cut into parts at line ends; a worker takes the next part and
    /// counts it into a table of its own, noting which of its words the part added. The tables
    /// are then merged part by part: a word's first appearance in that walk is its first
    /// appearance in the corpus, and each worker's count of a word is added once.
    public static func counting(files: [String], format: TrainingCorpusFormat, splitter: Tokenizer,
                                threads: Int = 1) throws -> WordCounts {
        var counts = WordCounts()
        let workers = max(1, threads)
        for file in files {
            let source = file == "-" ? "<stdin>" : file
            try TrainingCorpus.forEachBlock(ofFile: file) { block, firstLine in
                if workers == 1 {
                    try counts.countingWords(splitter: splitter) { countWords in
                        try TrainingCorpus.forEachSequence(in: block, source: source, format: format, firstLineNumber: firstLine, countWords)
                    }
                } else {
                    try counts.addWords(ofBlock: block, firstLine: firstLine, source: source, format: format,
                                        splitter: splitter, workers: workers)
                }
            }
        }
        return counts
    }

    /// One block on `workers` threads, merged into these counts (see `counting`).
    private mutating func addWords(ofBlock block: [UInt8], firstLine: Int, source: String, format: TrainingCorpusFormat,
                                   splitter: Tokenizer, workers: Int) throws {
        let parts = Self.parts(of: block, count: workers * 8)
        // Per worker: its counts and, per part it took, the range of its words the part added.
        let tables = UnsafeMutableBufferPointer<WordCounts>.allocate(capacity: workers)
        tables.initialize(repeating: WordCounts())
        defer { tables.deinitialize(); tables.deallocate() }
        let added = UnsafeMutableBufferPointer<(worker: Int, words: Range<Int>, raw: Range<Int>)?>.allocate(capacity: parts.count)
        added.initialize(repeating: nil)
        defer { added.deallocate() }
        let failures = UnsafeMutableBufferPointer<(part: Int, error: any Error)?>.allocate(capacity: workers)
        failures.initialize(repeating: nil)
        defer { failures.deallocate() }
        let lock = PThreadMutex()
        let taken = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        taken.initialize(to: 0)
        defer { taken.deallocate() }
        let shared = UncheckedSendable((tables, added, failures, taken))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let (tables, added, failures, taken) = shared.value
            while true {
                let part: Int = lock.withLock {
                    defer { taken.pointee += 1 }
                    return taken.pointee
                }
                guard part < parts.count else { return }
                let (range, line) = parts[part]
                let wordsBefore = tables[worker].words.distinctCount, rawBefore = tables[worker].rawByteLevelWords.distinctCount
                do {
                    try tables[worker].countingWords(splitter: splitter) { countWords in
                        try TrainingCorpus.forEachSequence(in: Array(block[range]), source: source, format: format,
                                                           firstLineNumber: firstLine + line, countWords)
                    }
                } catch {
                    failures[worker] = (part, error)
                    return
                }
                added[part] = (worker, wordsBefore..<tables[worker].words.distinctCount,
                               rawBefore..<tables[worker].rawByteLevelWords.distinctCount)
            }
        }
        // The error of the earliest part, as a single pass would report it.
        if let failure = failures.compactMap({ $0 }).min(by: { $0.part < $1.part }) { throw failure.error }
        for part in added {
            guard let (worker, words, raw) = part else { continue }
            add(tables[worker], entries: words, raw: raw)
        }
    }

    /// `block` cut into about `count` parts at line ends: each part's byte range and how many
    /// lines come before it.
    private static func parts(of block: [UInt8], count: Int) -> [(Range<Int>, Int)] {
        var parts: [(Range<Int>, Int)] = []
        let target = max(1, block.count / count)
        var start = 0, lines = 0
        while start < block.count {
            var end = min(block.count, start + target)
            while end < block.count && block[end - 1] != 0x0A { end += 1 }
            parts.append((start..<end, lines))
            lines += block[start..<end].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            start = end
        }
        return parts
    }
}

