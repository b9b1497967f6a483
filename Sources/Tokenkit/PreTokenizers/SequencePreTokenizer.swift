/// Applies several pre-tokenizers in order (tokenizer.json `Sequence`).
public struct SequencePreTokenizer: PreTokenizer {
    public var preTokenizers: [PreTokenizerComponent]
    public init(_ preTokenizers: [PreTokenizerComponent]) { self.preTokenizers = preTokenizers }

    public func preTokenize(_ text: inout PreTokenizedString) {
        for p in preTokenizers { p.preTokenize(&text) }
    }
}
