/// GPT-2's byte-level pre-tokenizer (tokenizer.json `ByteLevel`): optionally adds
/// a leading space, optionally splits with GPT-2's pattern, then rewrites every
/// byte as its printable character (`Ġ` for the space byte).
public struct ByteLevelPreTokenizer: PreTokenizer {
    public var addPrefixSpace: Bool
    public var trimOffsets: Bool
    public var useRegex: Bool

    /// GPT-2's split pattern, compiled for Oniguruma semantics as in `tokenizers`.
    static let gpt2Pattern = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
    private static let gpt2Regex = try! UnicodeRegex(gpt2Pattern, dialect: .oniguruma)

    public init(addPrefixSpace: Bool = true, trimOffsets: Bool = true, useRegex: Bool = true) {
        self.addPrefixSpace = addPrefixSpace
        self.trimOffsets = trimOffsets
        self.useRegex = useRegex
    }

    public func preTokenize(_ text: inout PreTokenizedString) {
        text.split { _, piece in
            var piece = piece
            if addPrefixSpace && piece.normalized.first != 0x20 {
                piece.prepend(" ")
            }
            guard useRegex else { return [piece] }
            let matches = piece.normalized.withUnsafeBufferPointer { Self.gpt2Regex.matches(in: $0) }
            return piece.split(coverWithMatches(matches, length: piece.normalized.count), behavior: .isolated)
        }
        text.normalize { piece in
            piece.mapBytesToByteLevelCharacters()
        }
    }
}

extension NormalizedString {
    /// Rewrites each byte as its byte-level character: the first byte of a scalar replaces
    /// it (change 0), the following bytes are inserted (change +1), as `tokenizers` does.
    mutating func mapBytesToByteLevelCharacters() {
        var changes: [(scalar: UInt32, change: Int)] = []
        changes.reserveCapacity(normalized.count)
        var i = 0
        while i < normalized.count {
            let length = UTF8.scalarLength(leadByte: normalized[i])
            for k in 0..<length {
                changes.append((ByteLevelAlphabet.scalarForByte[Int(normalized[i + k])], k == 0 ? 0 : 1))
            }
            i += length
        }
        transform(changes, initialOffset: 0)
    }
}
