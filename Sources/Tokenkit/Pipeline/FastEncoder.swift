// Performance notes: this is the hot path of `encodeIDs` and `bench`. Each
// segment is copied once into the worker's `PaddedText` (a few hundred
// nanoseconds for a 4 KB chunk) so that everything after it may load whole
// words without bounds checks. Split patterns run through the hand-written
// scanners when they are known, a batch of match ends at a time (a tight
// scanning loop, then a tight lookup loop), else through the regex VM on
// sub-buffers; each batch of pieces goes to `BPEModel.encodePieces` (each
// piece to `encodePiece` on the VM route) with a per-worker cache taken from
// a pool. No piece, range or string is allocated on the way.

/// Encodes straight to ids for the common byte-level BPE pipelines (tiktoken files and
/// GPT-2 / Llama 3 / Qwen style tokenizer.json), skipping alignment bookkeeping.
///
/// It is an optimisation only: it gives the same ids as the full pipeline, and it
/// declines (returns nil) for inputs it cannot handle exactly, such as text that is
/// not already in NFC for a tokenizer with an NFC normalizer. It is a class so that a call
/// does not copy (retain) each of its references: threads encoding a batch would fight over
/// those atomic counts.
final class FastEncoder: Sendable {
    let bpe: BPEModel
    /// Splitting steps of the pre-tokenizer, applied in order to every current piece.
    let steps: [SplitPreTokenizer]
    /// When the pre-tokenizer is one known pattern whose matches are the pieces: its scanner.
    let scanner: KnownPatternScanner?
    let addPrefixSpace: Bool
    let requiresNFC: Bool
    let caches = BPEPieceCachePool()
    /// Whether the model is Scaffold-BPE's, whose scaffold tokens are split after merging.
    let hasScaffolds: Bool

    init?(normalizer: NormalizerComponent?, preTokenizer: PreTokenizerComponent?, model: ModelComponent) {
        guard case let .bpe(bpe) = model, bpe.alphabet == .byteLevel, bpe.options.dropout ?? 0 == 0 else { return nil }
        switch normalizer {
        case nil: requiresNFC = false
        case .unicode(let n)? where n.form == .nfc: requiresNFC = true
        default: return nil
        }
        guard let preTokenizer else { return nil }
        var components: [PreTokenizerComponent]
        if case let .sequence(s) = preTokenizer { components = s.preTokenizers } else { components = [preTokenizer] }
        // The byte-level step must come last: everything before it only splits raw text.
        guard case let .byteLevel(byteLevel)? = components.last else { return nil }
        components.removeLast()
        var steps: [SplitPreTokenizer] = []
        for component in components {
            guard case let .split(split) = component else { return nil }
            steps.append(split)
        }
        if byteLevel.addPrefixSpace && !steps.isEmpty { return nil }
        if byteLevel.useRegex {
            let gpt2 = try! UnicodeRegex(ByteLevelPreTokenizer.gpt2Pattern, dialect: .oniguruma)
            steps.append(SplitPreTokenizer(pattern: .regex(gpt2), behavior: .isolated, invert: false))
        }
        self.bpe = bpe
        self.hasScaffolds = !bpe.options.scaffoldSplits.isEmpty
        self.steps = steps
        self.addPrefixSpace = byteLevel.addPrefixSpace
        if steps.count == 1, case let .regex(regex) = steps[0].pattern, let scanner = regex.scanner,
           (steps[0].behavior == .isolated && !steps[0].invert) || (steps[0].behavior == .removed && steps[0].invert) {
            // The known patterns cover the text with their matches, so keeping the matches and
            // isolating them give the same pieces: every match is one.
            self.scanner = scanner
        } else {
            self.scanner = nil
        }
    }

    /// Encodes text that contains no added tokens (or whose added tokens are to be ignored).
    func encode(_ text: String) -> [TokenID]? {
        splittingScaffolds(encodeMerged(text))
    }

    /// Encodes text, cutting out the added tokens first.
    func encode(_ text: String, splittingAddedTokensOf added: AddedVocabulary, policy: AddedVocabulary.MatchPolicy) -> [TokenID]? {
        splittingScaffolds(encodeMerged(text, splittingAddedTokensOf: added, policy: policy))
    }

    /// Merged ids with Scaffold-BPE's scaffolds split. The model is only touched when it has
    /// scaffolds: reading it around the encoding held a retain of this object, which every
    /// worker thread shares, for each text.
    @inline(__always)
    private func splittingScaffolds(_ ids: [TokenID]?) -> [TokenID]? {
        hasScaffolds ? bpe.splittingScaffolds(ids) : ids
    }

    /// `encode(_:)` before Scaffold-BPE's scaffolds are split (the piece cache keeps merged ids).
    private func encodeMerged(_ text: String) -> [TokenID]? {
        withUTF8(text) { bytes in
            withNormalized(bytes) { bytes in
                // Byte-level BPE makes at most one token per byte (+1 for an added prefix space, and
                // room for the fast path's stores past the last id).
                collectingIDs(capacity: bytes.count + 1 + BPEModel.outputSlack) { out, cache in
                    encodeSegment(bytes, out: out, cache: &cache)
                }
            }
        }
    }

    /// Calls `body` with the text as the normalizer leaves it: the bytes themselves when they are
    /// certainly in NFC (almost always), else their NFC (which is all the normalizer does).
    private func withNormalized<R>(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        guard requiresNFC, !UnicodeNormalization.isCertainlyNormalized(bytes, form: .nfc) else { return body(bytes) }
        return UnicodeNormalization.normalizedUTF8(bytes, form: .nfc).withUnsafeBufferPointer(body)
    }

    private func encodeMerged(_ text: String, splittingAddedTokensOf added: AddedVocabulary, policy: AddedVocabulary.MatchPolicy) -> [TokenID]? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            let normalizes = requiresNFC && !UnicodeNormalization.isCertainlyNormalized(buffer, form: .nfc)
            // Tokens matched on normalized text would have to be looked for after normalizing.
            if normalizes && added.hasNormalizedTokens { return nil }
            let segments = added.segments(of: bytes, policy: policy)
            // Every segment may gain a prefix space; an added token covers at least one byte; NFC
            // makes at most three times as many bytes (Unicode's bound for NFC).
            let capacity = buffer.count * (normalizes ? 3 : 1) + segments.count + BPEModel.outputSlack
            return collectingIDs(capacity: capacity) { out, cache in
                var count = 0
                for (id, range) in segments {
                    if let id {
                        out[count] = id
                        count += 1
                    } else {
                        let segment = UnsafeBufferPointer(rebasing: buffer[range])
                        // (Segments of a text certainly in NFC are too: no second check.)
                        count += normalizes
                            ? withNormalized(segment) { encodeSegment($0, out: out + count, cache: &cache) }
                            : encodeSegment(segment, out: out + count, cache: &cache)
                    }
                }
                return count
            }
        }
    }

    /// Runs `body` with a worker's cache and its id buffer (room for `capacity` ids), and returns
    /// the ids `body` wrote there (it returns their number) as an array of exactly that size.
    private func collectingIDs(capacity: Int, _ body: (UnsafeMutablePointer<TokenID>, inout BPEPieceCache) -> Int) -> [TokenID] {
        caches.withCache { cache in
            let out = cache.ids.buffer(capacity: capacity)
            defer { cache.ids.shrink() }
            let count = body(out, &cache)
            return Array(UnsafeBufferPointer(start: out, count: count))
        }
    }

    /// Runs only the pre-tokenization and counts the pieces (for benchmarks of the scanners).
    func countPieces(_ text: String) -> Int {
        var count = 0
        forEachPiece(of: text) { _ in count += 1 }
        return count
    }

    private func withUTF8<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = text
        return copy.withUTF8(body)
    }

    /// Encodes one segment (text between added tokens) into `out`; returns the number of ids.
    func encodeSegment(_ segment: UnsafeBufferPointer<UInt8>, out: UnsafeMutablePointer<TokenID>, cache: inout BPEPieceCache) -> Int {
        if segment.isEmpty { return 0 }
        let text = cache.text.load(segment, prefixSpace: addPrefixSpace && segment[0] != 0x20)
        defer { cache.text.shrink() }
        return pieces(text, out: out, cache: &cache)
    }

    /// Encodes a padded text (see `PaddedText`).
    @inline(__always)
    private func pieces(_ text: UnsafeBufferPointer<UInt8>, out: UnsafeMutablePointer<TokenID>, cache: inout BPEPieceCache) -> Int {
        var count = 0
        let bpe = self.bpe
        if let scanner {
            let p = text.baseAddress!
            let ends = cache.batchEnds, keys = cache.batchKeys
            var start = 0
            while start < text.count {
                let k = scanner.matchEnds(padded: p, count: text.count, from: start, into: ends, capacity: KnownPatternScanner.batchSize)
                count &+= bpe.encodePieces(p, from: start, ends: ends, count: k, keys: keys, out: out + count, cache: &cache)
                start = ends[k &- 1]
            }
        } else {
            split(text, step: 0) { piece in
                count += bpe.encodePiece(piece.baseAddress!, piece.count, out: out + count, cache: &cache)
            }
        }
        return count
    }

    /// Calls `body` with every pre-tokenized piece of `text` (raw bytes, before the byte-level
    /// mapping), normalized first when the tokenizer normalizes to NFC: the words trainers count.
    func forEachPiece(of text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        caches.withCache { cache in forEachPiece(of: text, cache: &cache, body) }
    }

    /// `forEachPiece(of:_:)` with a cache the caller took from `caches`.
    func forEachPiece(of text: String, cache: inout BPEPieceCache, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        withUTF8(text) { bytes in
            withNormalized(bytes) { bytes in
                guard !bytes.isEmpty else { return }
                let padded = cache.text.load(bytes, prefixSpace: addPrefixSpace && bytes[0] != 0x20)
                defer { cache.text.shrink() }
                guard let scanner else {
                    split(padded, step: 0, body)
                    return
                }
                let ends = cache.batchEnds
                var start = 0
                while start < padded.count {
                    let k = scanner.matchEnds(padded: padded.baseAddress!, count: padded.count, from: start,
                                              into: ends, capacity: KnownPatternScanner.batchSize)
                    for e in 0..<k {
                        body(UnsafeBufferPointer(rebasing: padded[start..<ends[e]]))
                        start = ends[e]
                    }
                }
            }
        }
    }

    /// Applies splitting step `step` to `piece`, recursing into the next step for each result and
    /// handing the final pieces to `leaf`.
    private func split(_ piece: UnsafeBufferPointer<UInt8>, step: Int, _ leaf: (UnsafeBufferPointer<UInt8>) -> Void) {
        if step == steps.count {
            leaf(piece)
            return
        }
        let split = steps[step]
        if case let .regex(regex) = split.pattern, let scanner = regex.scanner,
           (split.behavior == .isolated && !split.invert) || (split.behavior == .removed && split.invert) {
            scanner.forEachMatch(in: piece) { range in
                self.split(UnsafeBufferPointer(rebasing: piece[range]), step: step + 1, leaf)
            }
            return
        }
        let matches: [Range<Int>]
        switch split.pattern {
        case let .regex(regex): matches = regex.matches(in: piece)
        case let .string(literal): matches = literalMatches(of: Array(literal.utf8), in: Array(piece))
        }
        var cover = coverWithMatches(matches, length: piece.count)
        if split.invert { for i in cover.indices { cover[i].isMatch.toggle() } }
        for range in applyBehavior(cover, split.behavior) where !range.isEmpty {
            self.split(UnsafeBufferPointer(rebasing: piece[range]), step: step + 1, leaf)
        }
    }
}

/// The byte ranges a `SplitDelimiterBehavior` keeps from a (range, isMatch) cover.
func applyBehavior(_ matches: [(range: Range<Int>, isMatch: Bool)], _ behavior: SplitDelimiterBehavior) -> [Range<Int>] {
    switch behavior {
    case .isolated:
        return matches.map(\.range)
    case .removed:
        return matches.compactMap { $0.isMatch ? nil : $0.range }
    case .contiguous:
        var pieces: [Range<Int>] = []
        var previousMatch = false
        for m in matches {
            if m.isMatch == previousMatch, let last = pieces.last {
                pieces[pieces.count - 1] = last.lowerBound..<m.range.upperBound
            } else {
                pieces.append(m.range)
            }
            previousMatch = m.isMatch
        }
        return pieces
    case .mergedWithPrevious:
        var pieces: [Range<Int>] = []
        var previousMatch = false
        for m in matches {
            if m.isMatch && !previousMatch, let last = pieces.last {
                pieces[pieces.count - 1] = last.lowerBound..<m.range.upperBound
            } else {
                pieces.append(m.range)
            }
            previousMatch = m.isMatch
        }
        return pieces
    case .mergedWithNext:
        var pieces: [Range<Int>] = []
        var previousMatch = false
        for m in matches.reversed() {
            if m.isMatch && !previousMatch, let last = pieces.last {
                pieces[pieces.count - 1] = m.range.lowerBound..<last.upperBound
            } else {
                pieces.append(m.range)
            }
            previousMatch = m.isMatch
        }
        return pieces.reversed()
    }
}
