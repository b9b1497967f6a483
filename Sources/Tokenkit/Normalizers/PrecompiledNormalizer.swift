/// tokenizer.json's `Precompiled` normalizer: SentencePiece's compiled rules
/// (`precompiled_charsmap`) applied the way Hugging Face `tokenizers` applies them.
///
/// That is not quite SentencePiece's own normalization (see `SentencePieceNormalizer`):
/// `tokenizers` walks extended grapheme clusters; a cluster shorter than 6 bytes is
/// replaced as a whole by the rule of the *shortest* rule key that is a prefix of it (so
/// a combining mark after a rewritten letter disappears with it), and any other
/// cluster is rewritten scalar by scalar. The alignment changes are those of
/// `tokenizers`' `replace` helper, including its quirks (a removal is charged to the
/// previous character), so offsets match the reference.
public struct PrecompiledNormalizer: Normalizer {
    /// The rules; nil for an empty `precompiled_charsmap`, which changes nothing.
    public let charsMap: SentencePieceCharsMap?

    public init(charsMap: SentencePieceCharsMap?) {
        self.charsMap = charsMap
    }

    /// Parses a `precompiled_charsmap` blob (empty: no rules).
    public init(blob: [UInt8]) throws(SentencePieceCharsMap.ParseError) {
        charsMap = blob.isEmpty ? nil : try SentencePieceCharsMap(blob: blob, dialect: .tokenizers)
    }

    public func normalize(_ text: inout NormalizedString) {
        guard let charsMap, !text.normalized.isEmpty else { return }
        let bytes = text.normalized
        var changes: [(scalar: UInt32, change: Int)] = []
        changes.reserveCapacity(bytes.count)
        var modified = false
        // Graphemes as Swift segments them (Unicode 16 here, like the unicode-segmentation crate
        // tokenizers uses; PrecompiledTests checks the two agree on every scalar that matters).
        let string = String(decoding: bytes, as: UTF8.self)
        bytes.withUnsafeBufferPointer { buffer in
            var start = 0
            for character in string {
                let end = start + character.utf8.count
                defer { start = end }
                if end - start < 6, let value = charsMap.shortestPrefixValue(UnsafeBufferPointer(rebasing: buffer[start..<end])) {
                    modified = true
                    var oldCount = 0
                    for i in start..<end where buffer[i] & 0xC0 != 0x80 { oldCount += 1 }
                    Self.replace(&changes, oldCount: oldCount, with: value, in: charsMap)
                    continue
                }
                var i = start
                while i < end {
                    let (scalar, length) = UTF8.decode(buffer, at: i)
                    if let value = charsMap.shortestPrefixValue(UnsafeBufferPointer(rebasing: buffer[i..<(i + length)])) {
                        modified = true
                        Self.replace(&changes, oldCount: 1, with: value, in: charsMap)
                    } else {
                        changes.append((scalar, 0))
                    }
                    i += length
                }
            }
        }
        if modified { text.transform(changes, initialOffset: 0) }
    }

    /// `tokenizers`' `replace`: the new scalars replace the old ones one for one; extra new
    /// scalars are insertions, and missing ones are removals charged to the last change so far.
    private static func replace(_ changes: inout [(scalar: UInt32, change: Int)], oldCount: Int, with value: Int, in charsMap: SentencePieceCharsMap) {
        let before = changes.count
        charsMap.withReplacement(at: value) { replacement in
            var iterator = replacement.makeIterator()
            var decoder = UTF8()
            loop: while true {
                switch decoder.decode(&iterator) {
                case let .scalarValue(s): changes.append((s.value, 0))
                case .error: changes.append((0xFFFD, 0))
                case .emptyInput: break loop
                }
            }
        }
        let difference = (changes.count - before) - oldCount
        if difference > 0 {
            for i in (changes.count - difference)..<changes.count { changes[i].change = 1 }
        } else if difference < 0, !changes.isEmpty {
            changes[changes.count - 1].change += difference
        }
    }
}
