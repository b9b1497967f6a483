/// SentencePiece's own normalizer (`normalizer.cc`), used by `.model` files.
///
/// The input is consumed prefix by prefix: a user-defined symbol (longest match) is kept
/// as it is, otherwise the longest rule of the compiled charsmap is applied, otherwise one
/// character is copied (a malformed byte becomes U+FFFD). Then, as configured:
/// leading, trailing and repeated spaces are removed (`remove_extra_whitespaces`), spaces
/// become "▁" (`escape_whitespaces`), and a "▁" is added in front of the text, or after it
/// with `treat_whitespace_as_suffix` (`add_dummy_prefix`).
///
/// Alignments: each output byte maps to the input characters of the prefix it comes from;
/// the dummy "▁" maps to the first (or, as a suffix, the last) character.
public struct SentencePieceNormalizer: Normalizer {
    public let charsMap: SentencePieceCharsMap?
    public let addDummyPrefix: Bool
    public let removeExtraWhitespaces: Bool
    public let escapeWhitespaces: Bool
    public let treatWhitespaceAsSuffix: Bool
    /// User-defined symbols, matched before the rules and never normalized.
    let userDefinedSymbols: ByteTrie?

    public init(charsMap: SentencePieceCharsMap?, addDummyPrefix: Bool = true, removeExtraWhitespaces: Bool = true,
                escapeWhitespaces: Bool = true, treatWhitespaceAsSuffix: Bool = false, userDefinedSymbols: [String] = []) {
        self.charsMap = charsMap
        self.addDummyPrefix = addDummyPrefix
        self.removeExtraWhitespaces = removeExtraWhitespaces
        self.escapeWhitespaces = escapeWhitespaces
        self.treatWhitespaceAsSuffix = treatWhitespaceAsSuffix
        if userDefinedSymbols.isEmpty {
            self.userDefinedSymbols = nil
        } else {
            var trie = ByteTrie()
            for symbol in userDefinedSymbols where !symbol.isEmpty { trie.insert(Array(symbol.utf8), value: 0) }
            self.userDefinedSymbols = trie
        }
    }

    static let spaceSymbol: [UInt8] = [0xE2, 0x96, 0x81]
    private static let replacementCharacter: [UInt8] = [0xEF, 0xBF, 0xBD]

    /// Normalizes to bytes only (no alignment), for the ids-only path.
    package func normalizedBytes(_ text: String) -> [UInt8] {
        var text = text
        return text.withUTF8 { normalize($0, withSources: false).bytes }
    }

    /// One step of `NormalizePrefix`: the output piece (a slice of the input, of the charsmap's
    /// strings or U+FFFD) and how many input bytes it consumes.
    @inline(__always)
    private func normalizePrefix(_ input: UnsafeBufferPointer<UInt8>, at position: Int, strings: UnsafeBufferPointer<UInt8>,
                                 replacementCharacter: UnsafeBufferPointer<UInt8>) -> (piece: UnsafeBufferPointer<UInt8>, consumed: Int) {
        if let userDefinedSymbols, let match = userDefinedSymbols.longestPrefix(of: input, from: position) {
            return (UnsafeBufferPointer(rebasing: input[position..<(position + match.length)]), match.length)
        }
        if let charsMap, let rule = charsMap.longestPrefix(UnsafeBufferPointer(rebasing: input[position...])) {
            return (UnsafeBufferPointer(rebasing: strings[charsMap.replacement(at: rule.value)]), rule.length)
        }
        let length = sentencePieceValidUTF8Length(input, at: position)
        if length == 0 { return (replacementCharacter, 1) }
        return (UnsafeBufferPointer(rebasing: input[position..<(position + length)]), length)
    }

    /// Normalizes `input`, returning the output and, when asked, for each output byte the range of
    /// input bytes it comes from (an empty range for the dummy prefix or suffix).
    func normalize(_ input: UnsafeBufferPointer<UInt8>, withSources: Bool = true) -> (bytes: [UInt8], sources: [Range<Int>]) {
        let strings = charsMap?.strings ?? []
        return strings.withUnsafeBufferPointer { strings in
            Self.replacementCharacter.withUnsafeBufferPointer { fffd in
                normalize(input, strings: strings, replacementCharacter: fffd, withSources: withSources)
            }
        }
    }

    private func normalize(_ input: UnsafeBufferPointer<UInt8>, strings: UnsafeBufferPointer<UInt8>,
                           replacementCharacter: UnsafeBufferPointer<UInt8>, withSources: Bool) -> (bytes: [UInt8], sources: [Range<Int>]) {
        var output: [UInt8] = []
        var sources: [Range<Int>] = []
        let n = input.count
        var position = 0
        if removeExtraWhitespaces {
            // Leading input that normalizes to exactly one space is dropped.
            while position < n {
                let (piece, consumed) = normalizePrefix(input, at: position, strings: strings, replacementCharacter: replacementCharacter)
                if !(piece.count == 1 && piece[0] == 0x20) { break }
                position += consumed
            }
        }
        if position == n { return ([], []) }
        output.reserveCapacity((n - position) * 3 / 2 + 3)
        if withSources { sources.reserveCapacity((n - position) * 3 / 2 + 3) }
        if !treatWhitespaceAsSuffix && addDummyPrefix {
            Self.appendSpace(&output, &sources, escape: escapeWhitespaces, source: withSources ? position..<position : nil)
        }
        var previousIsSpace = removeExtraWhitespaces
        while position < n {
            let (piece, consumed) = normalizePrefix(input, at: position, strings: strings, replacementCharacter: replacementCharacter)
            let source = position..<(position + consumed)
            var start = 0
            if previousIsSpace {
                while start < piece.count && piece[start] == 0x20 { start += 1 }
            }
            if start < piece.count {
                for i in start..<piece.count {
                    let byte = piece[i]
                    if byte == 0x20 {
                        Self.appendSpace(&output, &sources, escape: escapeWhitespaces, source: withSources ? source : nil)
                    } else {
                        output.append(byte)
                        if withSources { sources.append(source) }
                    }
                }
                previousIsSpace = piece[piece.count - 1] == 0x20
            }
            position += consumed
            if !removeExtraWhitespaces { previousIsSpace = false }
        }
        if removeExtraWhitespaces {
            if escapeWhitespaces {
                while output.count >= 3 && output[output.count - 3] == 0xE2 && output[output.count - 2] == 0x96 && output[output.count - 1] == 0x81 {
                    output.removeLast(3)
                    if withSources { sources.removeLast(3) }
                }
            } else {
                while output.last == 0x20 {
                    output.removeLast()
                    if withSources { sources.removeLast() }
                }
            }
        }
        if treatWhitespaceAsSuffix && addDummyPrefix {
            Self.appendSpace(&output, &sources, escape: escapeWhitespaces, source: withSources ? n..<n : nil)
        }
        return (output, sources)
    }

    @inline(__always)
    private static func appendSpace(_ output: inout [UInt8], _ sources: inout [Range<Int>], escape: Bool, source: Range<Int>?) {
        if escape {
            output.append(0xE2)
            output.append(0x96)
            output.append(0x81)
            if let source { for _ in 0..<3 { sources.append(source) } }
        } else {
            output.append(0x20)
            if let source { sources.append(source) }
        }
    }

    /// Normalizes text outside a pipeline (used for the decoder's denormalization rules).
    package func normalize(_ text: [UInt8]) -> [UInt8] {
        text.withUnsafeBufferPointer { normalize($0, withSources: false).bytes }
    }

    public func normalize(_ text: inout NormalizedString) {
        let (bytes, sources) = text.normalized.withUnsafeBufferPointer { normalize($0) }
        var alignments: [NormalizedString.ByteRange] = []
        alignments.reserveCapacity(bytes.count)
        let old = text.alignments
        // The dummy "▁" (an empty source) takes the range of the character it stands before, or
        // after for a suffix, as `tokenizers`' Metaspace prefix does.
        let firstSource = sources.first(where: { !$0.isEmpty })
        var previous: Range<Int>?
        for var source in sources {
            if source.isEmpty { source = previous ?? firstSource ?? source }
            previous = source
            if source.isEmpty {
                alignments.append(.init(start: 0, end: 0))
            } else {
                alignments.append(.init(start: old[source.lowerBound].start, end: old[source.upperBound - 1].end))
            }
        }
        text = NormalizedString(original: text.original, normalized: bytes, alignments: alignments, originalShift: text.originalShift)
    }
}

/// The length of the UTF-8 character at `position` as SentencePiece's `IsValidDecodeUTF8`
/// judges it, or 0 when the byte there does not start a valid character.
func sentencePieceValidUTF8Length(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> Int {
    let remaining = bytes.count - position
    let b0 = UInt32(bytes[position])
    @inline(__always) func trail(_ i: Int) -> UInt32? {
        let b = bytes[position + i]
        return b & 0xC0 == 0x80 ? UInt32(b & 0x3F) : nil
    }
    @inline(__always) func valid(_ c: UInt32) -> Bool { c < 0xD800 || (c >= 0xE000 && c <= 0x10FFFF) }
    if b0 < 0x80 { return 1 }
    if remaining >= 2 && b0 & 0xE0 == 0xC0 {
        if let t1 = trail(1) {
            let c = (b0 & 0x1F) << 6 | t1
            if c >= 0x80 && valid(c) { return 2 }
        }
    } else if remaining >= 3 && b0 & 0xF0 == 0xE0 {
        if let t1 = trail(1), let t2 = trail(2) {
            let c = (b0 & 0x0F) << 12 | t1 << 6 | t2
            if c >= 0x800 && valid(c) { return 3 }
        }
    } else if remaining >= 4 && b0 & 0xF8 == 0xF0 {
        if let t1 = trail(1), let t2 = trail(2), let t3 = trail(3) {
            let c = (b0 & 0x07) << 18 | t1 << 12 | t2 << 6 | t3
            if c >= 0x10000 && valid(c) { return 4 }
        }
    }
    return 0
}

extension SentencePieceNormalizer {
    /// A one-line description for `tokenkit info`.
    var summary: String {
        var parts = [charsMap.map { "charsmap \($0.blob.count) bytes" } ?? "identity"]
        if addDummyPrefix { parts.append(treatWhitespaceAsSuffix ? "dummy suffix" : "dummy prefix") }
        if removeExtraWhitespaces { parts.append("remove_extra_whitespaces") }
        if escapeWhitespaces { parts.append("escape_whitespaces") }
        return "SentencePiece(" + parts.joined(separator: ", ") + ")"
    }
}
