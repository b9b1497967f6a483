/// One token produced by a model for a piece of text: its id, its string form
/// in the vocabulary, and its byte range within the piece's normalized text.
public struct Token: Sendable, Equatable {
    public var id: TokenID
    public var value: String
    public var offsets: Range<Int>

    public init(id: TokenID, value: String, offsets: Range<Int>) {
        self.id = id
        self.value = value
        self.offsets = offsets
    }
}

/// The identifier of a token in a vocabulary.
public typealias TokenID = UInt32

/// The input text cut into pieces (splits) by the added vocabulary and the
/// pre-tokenizer, each piece keeping its alignment to the original text.
///
/// Mirrors `PreTokenizedString` in `tokenizers`: pieces that already carry
/// tokens (added tokens) are left alone by later stages.
public struct PreTokenizedString: Sendable {
    public struct Split: Sendable {
        public var normalized: NormalizedString
        public var tokens: [Token]?
    }

    /// The original input.
    public let original: [UInt8]
    public var splits: [Split]

    public init(_ normalized: NormalizedString) {
        original = normalized.original
        splits = [Split(normalized: normalized, tokens: nil)]
    }

    public init(_ text: String) {
        self.init(NormalizedString(text))
    }

    /// Replaces every untokenized split by the pieces `body` returns; empty pieces are dropped.
    public mutating func split(_ body: (Int, NormalizedString) throws -> [NormalizedString]) rethrows {
        var result: [Split] = []
        result.reserveCapacity(splits.count)
        for (i, split) in splits.enumerated() {
            if split.tokens != nil {
                result.append(split)
                continue
            }
            for piece in try body(i, split.normalized) where !piece.isEmpty {
                result.append(Split(normalized: piece, tokens: nil))
            }
        }
        splits = result
    }

    /// Like `split(_:)` but the pieces may already carry their tokens.
    mutating func splitWithTokens(_ body: (NormalizedString) throws -> [(NormalizedString, [Token]?)]) rethrows {
        var result: [Split] = []
        result.reserveCapacity(splits.count)
        for split in splits {
            if split.tokens != nil {
                result.append(split)
                continue
            }
            for (piece, tokens) in try body(split.normalized) where !piece.isEmpty {
                result.append(Split(normalized: piece, tokens: tokens))
            }
        }
        splits = result
    }

    /// Applies `body` to the normalized text of every untokenized split.
    public mutating func normalize(_ body: (inout NormalizedString) throws -> Void) rethrows {
        for i in splits.indices where splits[i].tokens == nil {
            try body(&splits[i].normalized)
        }
    }

    /// Runs the model on every untokenized split.
    public mutating func tokenize<E: Error>(_ body: (NormalizedString) throws(E) -> [Token]) throws(E) {
        for i in splits.indices where splits[i].tokens == nil {
            splits[i].tokens = try body(splits[i].normalized)
        }
    }

    /// Builds an `Encoding` with offsets in Unicode scalars of the original input
    /// (what the Python `tokenizers` reports).
    func makeEncoding(typeID: UInt32, wordIndex: UInt32?, offsetConverter: ByteToScalarOffsets) -> Encoding {
        var encoding = Encoding()
        let total = splits.reduce(0) { $0 + ($1.tokens?.count ?? 0) }
        encoding.reserveCapacity(total)
        for (splitIndex, split) in splits.enumerated() {
            guard let tokens = split.tokens else { continue }
            let shift = split.normalized.originalShift
            for token in tokens {
                var byteOffsets = token.offsets
                if let range = split.normalized.originalRange(ofNormalized: token.offsets) {
                    byteOffsets = (shift + range.lowerBound)..<(shift + range.upperBound)
                }
                let offsets = offsetConverter.convert(byteOffsets) ?? byteOffsets
                encoding.append(
                    id: token.id, token: token.value, offsets: offsets,
                    word: wordIndex ?? UInt32(splitIndex), typeID: typeID, isSpecial: false)
            }
        }
        return encoding
    }
}

/// Converts byte offsets of a UTF-8 text to scalar offsets, as `tokenizers`'
/// `BytesToCharOffsetConverter` does (including its behaviour at the end of the text).
struct ByteToScalarOffsets {
    /// For each byte, the index of the scalar it belongs to.
    private let scalarIndex: [Int]

    init(_ bytes: [UInt8]) {
        var map: [Int] = []
        map.reserveCapacity(bytes.count)
        var index = -1
        for b in bytes {
            if b & 0xC0 != 0x80 { index += 1 }
            map.append(index)
        }
        scalarIndex = map
    }

    func convert(_ range: Range<Int>) -> Range<Int>? {
        let start = range.lowerBound < scalarIndex.count ? scalarIndex[range.lowerBound] : nil
        let end = range.upperBound < scalarIndex.count ? scalarIndex[range.upperBound] : nil
        switch (start, end) {
        case let (s?, e?): return s..<e
        case let (s?, nil):
            // At the end of the text the end offset is not in the map: use the byte before it.
            let before = range.upperBound - 1
            let last = before >= 0 && before < scalarIndex.count ? scalarIndex[before] : s + 1
            return s..<(last + 1)
        default:
            return nil
        }
    }
}
