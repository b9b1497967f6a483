/// Encodes straight to ids for the common byte-level BPE pipelines (tiktoken files and
/// GPT-2 / Llama 3 / Qwen style tokenizer.json), skipping alignment bookkeeping.
///
/// It is an optimisation only: it gives the same ids as the full pipeline, and it
/// declines (returns nil) for inputs it cannot handle exactly, such as text that is
/// not already in NFC for a tokenizer with an NFC normalizer.
struct FastEncoder: Sendable {
    /// One splitting step of the pre-tokenizer, applied to every current piece.
    struct SplitStep: Sendable {
        var split: SplitPreTokenizer
    }

    let bpe: BPEModel
    let steps: [SplitStep]
    let addPrefixSpace: Bool
    let requiresNFC: Bool

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
        var steps: [SplitStep] = []
        for component in components {
            guard case let .split(split) = component else { return nil }
            steps.append(SplitStep(split: split))
        }
        if byteLevel.addPrefixSpace && !steps.isEmpty { return nil }
        if byteLevel.useRegex {
            let gpt2 = try! UnicodeRegex(ByteLevelPreTokenizer.gpt2Pattern, dialect: .oniguruma)
            steps.append(SplitStep(split: SplitPreTokenizer(pattern: .regex(gpt2), behavior: .isolated, invert: false)))
        }
        self.bpe = bpe
        self.steps = steps
        self.addPrefixSpace = byteLevel.addPrefixSpace
    }

    /// Encodes text that contains no added tokens (or whose added tokens are to be ignored).
    func encode(_ text: String) -> [TokenID]? {
        var ids: [TokenID] = []
        let bytes = Array(text.utf8)
        if requiresNFC, !bytes.withUnsafeBufferPointer({ UnicodeNormalization.isCertainlyNormalized($0, form: .nfc) }) {
            return nil
        }
        encodeSegment(bytes[...], into: &ids)
        return ids
    }

    /// Encodes text, cutting out the added tokens first.
    func encode(_ text: String, splittingAddedTokensOf added: AddedVocabulary, policy: AddedVocabulary.MatchPolicy) -> [TokenID]? {
        let bytes = Array(text.utf8)
        if requiresNFC, !bytes.withUnsafeBufferPointer({ UnicodeNormalization.isCertainlyNormalized($0, form: .nfc) }) {
            return nil
        }
        var ids: [TokenID] = []
        for (id, range) in added.segments(of: bytes, policy: policy) {
            if let id { ids.append(id) } else { encodeSegment(bytes[range], into: &ids) }
        }
        return ids
    }

    private func encodeSegment(_ segment: ArraySlice<UInt8>, into ids: inout [TokenID]) {
        var text = Array(segment)
        if text.isEmpty { return }
        if addPrefixSpace && text.first != 0x20 { text.insert(0x20, at: 0) }
        var pieces: [Range<Int>] = [0..<text.count]
        for step in steps {
            var next: [Range<Int>] = []
            next.reserveCapacity(pieces.count * 2)
            for piece in pieces {
                let sub = Array(text[piece])
                var cover = coverWithMatches(step.split.matches(in: sub), length: sub.count)
                if step.split.invert { for i in cover.indices { cover[i].isMatch.toggle() } }
                for r in applyBehavior(cover, step.split.behavior) where !r.isEmpty {
                    next.append((piece.lowerBound + r.lowerBound)..<(piece.lowerBound + r.upperBound))
                }
            }
            pieces = next
        }
        for piece in pieces {
            bpe.encodeRawBytes(Array(text[piece]), into: &ids)
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
