/// BERT's post-processor (tokenizer.json `BertProcessing`): `[CLS] A [SEP]` and `[CLS] A [SEP] B [SEP]`,
/// with type id 1 for the second sequence.
public struct BertPostProcessor: PostProcessor {
    public var separator: (token: String, id: TokenID)
    public var classifier: (token: String, id: TokenID)

    public init(separator: (token: String, id: TokenID) = ("[SEP]", 102), classifier: (token: String, id: TokenID) = ("[CLS]", 101)) {
        self.separator = separator
        self.classifier = classifier
    }

    public func addedTokenCount(isPair: Bool) -> Int { isPair ? 3 : 2 }

    public func process(_ encodings: [Encoding], addSpecialTokens: Bool) -> [Encoding] {
        guard addSpecialTokens else { return encodings }
        return encodings.enumerated().map { i, encoding in
            i == 0 ? wrapFirst(encoding, overflowing: true) : wrapSecond(encoding, overflowing: true)
        }
    }

    private func wrapFirst(_ e: Encoding, overflowing: Bool) -> Encoding {
        var r = Encoding()
        r.append(id: classifier.id, token: classifier.token, offsets: 0..<0, word: nil, typeID: 0, isSpecial: true)
        r.appendContents(of: e)
        r.append(id: separator.id, token: separator.token, offsets: 0..<0, word: nil, typeID: 0, isSpecial: true)
        r.sequenceRanges = [0: 1..<(r.count - 1)]
        if overflowing { r.overflowing = e.overflowing.map { wrapFirst($0, overflowing: false) } }
        return r
    }

    private func wrapSecond(_ e: Encoding, overflowing: Bool) -> Encoding {
        var r = Encoding()
        r.appendContents(of: e)
        r.append(id: separator.id, token: separator.token, offsets: 0..<0, word: nil, typeID: 1, isSpecial: true)
        r.sequenceRanges = [1: 0..<(r.count - 1)]
        if overflowing { r.overflowing = e.overflowing.map { wrapSecond($0, overflowing: false) } }
        return r
    }
}

/// RoBERTa's post-processor (tokenizer.json `RobertaProcessing`): `<s> A </s>` and
/// `<s> A </s> </s> B </s>`, every type id 0, and byte-level offset trimming.
public struct RobertaPostProcessor: PostProcessor {
    public var separator: (token: String, id: TokenID)
    public var classifier: (token: String, id: TokenID)
    public var trimOffsets: Bool
    public var addPrefixSpace: Bool

    public init(separator: (token: String, id: TokenID) = ("</s>", 2), classifier: (token: String, id: TokenID) = ("<s>", 0),
                trimOffsets: Bool = true, addPrefixSpace: Bool = true) {
        self.separator = separator
        self.classifier = classifier
        self.trimOffsets = trimOffsets
        self.addPrefixSpace = addPrefixSpace
    }

    public func addedTokenCount(isPair: Bool) -> Int { isPair ? 4 : 2 }

    public func process(_ encodings: [Encoding], addSpecialTokens: Bool) -> [Encoding] {
        var encodings = encodings
        if trimOffsets {
            for i in encodings.indices {
                ByteLevelPostProcessor.trimOffsets(&encodings[i], addPrefixSpace: addPrefixSpace)
                for j in encodings[i].overflowing.indices {
                    ByteLevelPostProcessor.trimOffsets(&encodings[i].overflowing[j], addPrefixSpace: addPrefixSpace)
                }
            }
        }
        for i in encodings.indices { encodings[i].typeIDs = Array(repeating: 0, count: encodings[i].count) }
        guard addSpecialTokens else { return encodings }
        return encodings.enumerated().map { i, encoding in wrap(encoding, first: i == 0, overflowing: true) }
    }

    private func wrap(_ e: Encoding, first: Bool, overflowing: Bool) -> Encoding {
        var r = Encoding()
        let opening = first ? classifier : separator
        r.append(id: opening.id, token: opening.token, offsets: 0..<0, word: nil, typeID: 0, isSpecial: true)
        r.appendContents(of: e)
        r.append(id: separator.id, token: separator.token, offsets: 0..<0, word: nil, typeID: 0, isSpecial: true)
        r.typeIDs = Array(repeating: 0, count: r.count)
        r.sequenceRanges = [first ? 0 : 1: 1..<(r.count - 1)]
        if overflowing { r.overflowing = e.overflowing.map { wrap($0, first: first, overflowing: false) } }
        return r
    }
}

/// Applies several post-processors in order (tokenizer.json `Sequence`).
public struct SequencePostProcessor: PostProcessor {
    public var processors: [PostProcessorComponent]
    public init(_ processors: [PostProcessorComponent]) { self.processors = processors }

    public func addedTokenCount(isPair: Bool) -> Int {
        processors.reduce(0) { $0 + $1.addedTokenCount(isPair: isPair) }
    }

    public func process(_ encodings: [Encoding], addSpecialTokens: Bool) -> [Encoding] {
        var encodings = encodings
        for p in processors { encodings = p.process(encodings, addSpecialTokens: addSpecialTokens) }
        return encodings
    }
}

extension Encoding {
    /// Appends the tokens of `other` (not its overflowing windows or sequence ranges).
    mutating func appendContents(of other: Encoding) {
        ids += other.ids
        typeIDs += other.typeIDs
        tokens += other.tokens
        wordIDs += other.wordIDs
        offsets += other.offsets
        specialTokensMask += other.specialTokensMask
        attentionMask += other.attentionMask
    }
}
