/// SentencePiece-style whitespace handling (tokenizer.json `Metaspace`): spaces become a
/// visible replacement character (`▁`), one is prepended as configured, and the text is
/// optionally split before each replacement character. Also a decoder.
public struct MetaspacePreTokenizer: PreTokenizer, Decoder {
    public enum PrependScheme: String, Sendable {
        /// Prepend to every piece that does not start with the replacement.
        case always
        /// Prepend only to the piece that starts the input.
        case first
        case never
    }

    public var replacement: UInt32
    public var prependScheme: PrependScheme
    public var split: Bool

    public init(replacement: UInt32 = 0x2581, prependScheme: PrependScheme = .always, split: Bool = true) {
        self.replacement = replacement
        self.prependScheme = prependScheme
        self.split = split
    }

    private var replacementString: String { String(Character(Unicode.Scalar(replacement)!)) }

    public func preTokenize(_ text: inout PreTokenizedString) {
        let replacementString = self.replacementString
        text.split { _, piece in
            var piece = piece
            piece.replace(matches: scalarMatches(in: piece.normalized, where: { $0 == 0x20 }), with: replacementString)
            let startsWithReplacement = piece.normalized.firstScalar == replacement
            switch prependScheme {
            case .always:
                if !startsWithReplacement { piece.prepend(replacementString) }
            case .first:
                if !startsWithReplacement && piece.originalShift == 0 { piece.prepend(replacementString) }
            case .never:
                break
            }
            guard split else { return [piece] }
            let r = replacement
            let matches = scalarMatches(in: piece.normalized, where: { $0 == r })
            return piece.split(coverWithMatches(matches, length: piece.normalized.count), behavior: .mergedWithNext)
        }
    }

    public func decodeChain(_ tokens: [String]) -> [String] {
        tokens.enumerated().map { i, token in
            var out = String.UnicodeScalarView()
            for scalar in token.unicodeScalars {
                if scalar.value == replacement {
                    if i == 0 && prependScheme != .never { continue }
                    out.append(" ")
                } else {
                    out.append(scalar)
                }
            }
            return String(out)
        }
    }
}
