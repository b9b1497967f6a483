/// The text preparation of GGUF vocabularies that Tokenkit's tokenizer.json components do not
/// cover (yet), with the semantics of the Hugging Face pipeline the vocabulary was converted from.
public struct GGUFPreTokenizer: PreTokenizer {
    public enum Mode: Sendable, Equatable {
        /// SentencePiece-style text (llama, t5): spaces become `▁`, and `▁` is prepended to the
        /// piece that starts the input (tokenizers' Metaspace with `prepend_scheme: first`);
        /// with `split`, the text is cut before each `▁`.
        case metaspace(prependFirst: Bool, split: Bool)
        /// BERT (WordPiece): BertNormalizer then BertPreTokenizer.
        case bert(lowercase: Bool)
    }

    public let mode: Mode
    /// t5: a SentencePiece precompiled charsmap and tokenizers' whitespace clean-up before Metaspace.
    let charsmap: GGUFPrecompiledCharsmap?
    let removeExtraWhitespaces: Bool

    init(mode: Mode, charsmap: GGUFPrecompiledCharsmap? = nil, removeExtraWhitespaces: Bool = false) {
        self.mode = mode
        self.charsmap = charsmap
        self.removeExtraWhitespaces = removeExtraWhitespaces
    }

    static let replacement: UInt32 = 0x2581

    public func preTokenize(_ text: inout PreTokenizedString) {
        switch mode {
        case let .metaspace(prependFirst, split):
            if charsmap != nil || removeExtraWhitespaces {
                text.normalize { piece in
                    if let charsmap { charsmap.normalize(&piece) }
                    if removeExtraWhitespaces { Self.stripRightAndCollapseSpaces(&piece) }
                }
            }
            text.split { _, piece in
                var piece = piece
                if piece.normalized.contains(0x20) {
                    var changes: [(scalar: UInt32, change: Int)] = []
                    changes.reserveCapacity(piece.normalized.count)
                    piece.normalized.forEachScalar { changes.append(($0 == 0x20 ? Self.replacement : $0, 0)) }
                    piece.transform(changes, initialOffset: 0)
                }
                if prependFirst, piece.originalOffsets.lowerBound == 0, piece.normalized.firstScalar != Self.replacement {
                    piece.prepend("\u{2581}")
                }
                guard split else { return [piece] }
                var matches: [Range<Int>] = []
                var i = 0
                let bytes = piece.normalized
                while i + 3 <= bytes.count {
                    if bytes[i] == 0xE2, bytes[i + 1] == 0x96, bytes[i + 2] == 0x81 {
                        matches.append(i..<(i + 3))
                        i += 3
                    } else {
                        i += 1
                    }
                }
                return piece.split(coverWithMatches(matches, length: bytes.count), behavior: .mergedWithNext)
            }
        case let .bert(lowercase):
            text.normalize { GGUFBert.normalize(&$0, lowercase: lowercase) }
            text.split { _, piece in GGUFBert.split(piece) }
        }
    }

    /// tokenizers' `Strip(right)` then `Replace(" {2,}", "▁")`, as its SentencePiece converter
    /// emits for models that remove extra whitespace.
    static func stripRightAndCollapseSpaces(_ piece: inout NormalizedString) {
        let scalars = piece.normalizedScalars
        var end = scalars.count
        while end > 0, TokenizersCharacterProperties.isRustWhitespace(scalars[end - 1]) { end -= 1 }
        var changes: [(scalar: UInt32, change: Int)] = []
        changes.reserveCapacity(end)
        var i = 0
        while i < end {
            if scalars[i] == 0x20, i + 1 < end, scalars[i + 1] == 0x20 {
                var j = i
                while j < end, scalars[j] == 0x20 { j += 1 }
                changes.append((replacement, -(j - i - 1)))
                i = j
            } else {
                changes.append((scalars[i], 0))
                i += 1
            }
        }
        if end == scalars.count, changes.count == scalars.count, !zip(changes, scalars).contains(where: { $0.scalar != $1 }) { return }
        // Removed trailing whitespace: the last kept scalar absorbs it (tokenizers' change markers).
        if end < scalars.count {
            if changes.isEmpty {
                piece.transform([], initialOffset: scalars.count)
                return
            }
            changes[changes.count - 1].change -= scalars.count - end
        }
        piece.transform(changes, initialOffset: 0)
    }
}
