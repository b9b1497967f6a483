// The five stages of a tokenizer, each a small protocol with one job. Concrete
// components conform to them; each stage also has a closed enum of all its
// components (`NormalizerComponent`, …) that mirrors the tokenizer.json format
// and lets the hot path dispatch with a switch instead of an existential.

/// Rewrites text before it is split, tracking alignments (NFC, lowercasing, …).
public protocol Normalizer: Sendable {
    func normalize(_ text: inout NormalizedString)
}

/// Cuts normalized text into pieces ("words") that the model tokenizes independently.
public protocol PreTokenizer: Sendable {
    func preTokenize(_ text: inout PreTokenizedString)
}

/// Turns one piece of normalized text into tokens (BPE, WordPiece, Unigram, …).
public protocol TokenizationModel: Sendable {
    /// Tokenizes one piece; token offsets are byte ranges within `text` (UTF-8).
    func tokenize(_ text: [UInt8]) throws(TokenizationError) -> [Token]
    func id(forToken token: String) -> TokenID?
    func token(forID id: TokenID) -> String?
    /// The number of entries of the model's own vocabulary (without added tokens).
    var vocabularySize: Int { get }
}

/// Adds the special tokens a model expects around its input(s) and fixes up offsets.
public protocol PostProcessor: Sendable {
    /// How many tokens `process` adds for a single input or a pair.
    func addedTokenCount(isPair: Bool) -> Int
    /// Processes the encodings of one input (one or two sequences) into the final list of encodings
    /// (merged afterwards), as `tokenizers`' `process_encodings`.
    func process(_ encodings: [Encoding], addSpecialTokens: Bool) -> [Encoding]
}

/// Turns token strings back into text.
public protocol Decoder: Sendable {
    /// Transforms the list of token strings; the decoded text is the concatenation of the result.
    func decodeChain(_ tokens: [String]) -> [String]
}

extension PostProcessor {
    /// `tokenizers`' `PostProcessor::process`: sets sequence and type ids, processes, merges.
    func processPair(_ encoding: Encoding, _ pair: Encoding?, addSpecialTokens: Bool) -> Encoding {
        var encodings = pair.map { [encoding, $0] } ?? [encoding]
        for i in encodings.indices {
            encodings[i].setSequenceID(i)
            for j in encodings[i].overflowing.indices { encodings[i].overflowing[j].setSequenceID(i) }
            encodings[i].typeIDs = Array(repeating: UInt32(i), count: encodings[i].count)
        }
        let processed = process(encodings, addSpecialTokens: addSpecialTokens)
        var result = Encoding()
        for e in processed { result.merge(with: e, growingOffsets: false) }
        return result
    }
}

/// An error while encoding text.
public enum TokenizationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The text contains a special token that the caller did not allow (tiktoken semantics).
    case disallowedSpecialToken(String)
    /// The model needs its unknown token but it is missing from the vocabulary.
    case unknownTokenMissing(String)
    /// A token id that is not in the vocabulary.
    case unknownTokenID(TokenID)
    /// Truncation could not satisfy its constraints (e.g. `only_second` without a pair).
    case truncation(String)

    public var description: String {
        switch self {
        case let .disallowedSpecialToken(token):
            return "encountered text corresponding to disallowed special token \(token.debugDescription); pass allowed_special to encode it as a special token, or disallowed_special=() to encode it as normal text"
        case let .unknownTokenMissing(token):
            return "the unknown token \(token.debugDescription) is not in the vocabulary"
        case let .unknownTokenID(id):
            return "token id \(id) is not in the vocabulary"
        case let .truncation(message):
            return "truncation error: \(message)"
        }
    }
}
