// The editing operations of tokenizers' NormalizedString (filter, map, case
// mapping, replace, strip), each expressed, as there, through `transform`
// with the same change markers, so that alignments — and therefore offsets —
// come out identical, quirks included.

extension NormalizedString {
    /// Keeps the scalars for which `keep` is true (tokenizers' `filter`).
    public mutating func filter(_ keep: (UInt32) -> Bool) {
        var removed = 0
        var removedAtStart = 0
        var changes: [(scalar: UInt32, change: Int)] = []
        changes.reserveCapacity(normalized.count)
        var last: UInt32?
        normalized.forEachScalar { scalar in
            if keep(scalar) {
                if let l = last {
                    changes.append((l, -removed))
                } else {
                    removedAtStart = removed
                }
                last = scalar
                removed = 0
            } else {
                removed += 1
            }
        }
        if let l = last { changes.append((l, -removed)) }
        transform(changes, initialOffset: removedAtStart)
    }

    /// Replaces every scalar by another one (tokenizers' `map`).
    public mutating func map(_ transform: (UInt32) -> UInt32) {
        var changes: [(scalar: UInt32, change: Int)] = []
        changes.reserveCapacity(normalized.count)
        normalized.forEachScalar { changes.append((transform($0), 0)) }
        self.transform(changes, initialOffset: 0)
    }

    /// Replaces every scalar by a sequence of scalars (the first replaces it, the others are inserted).
    mutating func expand(_ mapping: (UInt32) -> [UInt32]) {
        var changes: [(scalar: UInt32, change: Int)] = []
        changes.reserveCapacity(normalized.count)
        normalized.forEachScalar { scalar in
            for (i, s) in mapping(scalar).enumerated() { changes.append((s, i == 0 ? 0 : 1)) }
        }
        transform(changes, initialOffset: 0)
    }

    /// Lowercases with Rust's `char::to_lowercase` (full mappings, as tokenizers does).
    public mutating func lowercase() {
        if normalized.allSatisfy({ $0 < 0x80 && !($0 >= 0x41 && $0 <= 0x5A) }) { return }
        expand { Array(TokenizersCharacterProperties.rustLowercase($0)) }
    }

    /// Uppercases with Rust's `char::to_uppercase`.
    public mutating func uppercase() {
        expand { Array(TokenizersCharacterProperties.rustUppercase($0)) }
    }

    /// Replaces each match by `content` (tokenizers' `replace`): the new scalars are aligned
    /// with the last byte of the text they replace.
    mutating func replace(matches: [Range<Int>], with content: String) {
        guard !matches.isEmpty, !normalized.isEmpty else { return }
        var newBytes: [UInt8] = []
        var newAlignments: [ByteRange] = []
        newBytes.reserveCapacity(normalized.count)
        newAlignments.reserveCapacity(normalized.count)
        let contentBytes = Array(content.utf8)
        var lastEnd = 0
        for m in matches {
            newBytes += normalized[lastEnd..<m.lowerBound]
            newAlignments += alignments[lastEnd..<m.lowerBound]
            let alignment = m.upperBound < 1 ? ByteRange(start: 0, end: 0) : alignments[m.upperBound - 1]
            newBytes += contentBytes
            newAlignments += repeatElement(alignment, count: contentBytes.count)
            lastEnd = m.upperBound
        }
        newBytes += normalized[lastEnd...]
        newAlignments += alignments[lastEnd...]
        setNormalized(newBytes, alignments: newAlignments)
    }

    /// Removes leading and/or trailing whitespace (tokenizers' `lstrip`/`rstrip`/`strip`).
    mutating func strip(left: Bool, right: Bool) {
        let scalars = normalizedScalars
        let isSpace = TokenizersCharacterProperties.isRustWhitespace
        let leading = left ? scalars.prefix(while: isSpace).count : 0
        let trailing = right ? scalars.reversed().prefix(while: isSpace).count : 0
        guard leading > 0 || trailing > 0 else { return }
        let count = scalars.count
        // tokenizers compares a scalar index with the *byte* length here; kept for identical alignments.
        let lastKept = normalized.count - trailing - 1
        var changes: [(scalar: UInt32, change: Int)] = []
        for (i, scalar) in scalars.enumerated() where i >= leading && i < count - trailing {
            changes.append((scalar, i == lastKept ? -trailing : 0))
        }
        transform(changes, initialOffset: leading)
    }

    /// Removes everything (tokenizers' `clear`).
    mutating func clear() {
        let count = normalizedScalars.count
        transform([], initialOffset: count)
    }
}
