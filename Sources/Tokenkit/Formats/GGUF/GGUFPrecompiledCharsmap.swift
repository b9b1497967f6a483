/// A SentencePiece precompiled charsmap (`tokenizer.ggml.precompiled_charsmap`), applied as
/// tokenizers' `Precompiled` normalizer does: each grapheme shorter than 6 bytes is looked up
/// whole, otherwise (or when absent) each of its scalars; a hit is replaced by the string of
/// the shortest matching prefix.
///
/// Layout: u32 size of the trie, the trie (darts-clone double array of u32 units), then the
/// NUL-terminated replacement strings.
struct GGUFPrecompiledCharsmap: Sendable {
    let units: [UInt32]
    let strings: [UInt8]

    init?(_ bytes: [UInt8]) {
        guard bytes.count >= 4 else { return nil }
        let size = Int(UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24)
        guard size % 4 == 0, size <= bytes.count - 4 else { return nil }
        var units: [UInt32] = []
        units.reserveCapacity(size / 4)
        var i = 4
        while i < 4 + size {
            units.append(UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24)
            i += 4
        }
        self.units = units
        self.strings = Array(bytes[(4 + size)...])
    }

    /// The replacement of the shortest prefix of `key` found in the trie.
    func transform<C: Collection>(_ key: C) -> ArraySlice<UInt8>? where C.Element == UInt8 {
        guard !units.isEmpty else { return nil }
        @inline(__always) func offset(_ u: UInt32) -> Int { Int((u >> 10) << ((u & (1 << 9)) >> 6)) }
        var position = offset(units[0])
        for c in key {
            position ^= Int(c)
            guard position < units.count else { return nil }
            let unit = units[position]
            guard unit & ((1 << 31) | 0xFF) == UInt32(c) else { return nil }
            position ^= offset(unit)
            if (unit >> 8) & 1 == 1 {
                guard position < units.count else { return nil }
                let value = Int(units[position] & ((1 << 31) - 1))
                guard value < strings.count else { return nil }
                var end = value
                while end < strings.count, strings[end] != 0 { end += 1 }
                return strings[value..<end]
            }
        }
        return nil
    }

    func normalize(_ piece: inout NormalizedString) {
        var changes: [(scalar: UInt32, change: Int)] = []
        changes.reserveCapacity(piece.normalized.count)
        var modified = false
        func replace(_ old: Int, _ new: ArraySlice<UInt8>) {
            let before = changes.count
            Array(new).forEachScalar { changes.append(($0, 0)) }
            let added = changes.count - before
            let diff = added - old
            if diff > 0 {
                for k in (changes.count - diff)..<changes.count { changes[k].change = 1 }
            } else if diff < 0, !changes.isEmpty {
                changes[changes.count - 1].change += diff
            }
        }
        let text = String(decoding: piece.normalized, as: UTF8.self)
        for grapheme in text {
            let utf8 = Array(grapheme.utf8)
            if utf8.count < 6, let norm = transform(utf8) {
                modified = true
                replace(grapheme.unicodeScalars.count, norm)
                continue
            }
            for scalar in grapheme.unicodeScalars {
                let part = Array(String(scalar).utf8)
                if let norm = transform(part) {
                    modified = true
                    replace(1, norm)
                } else {
                    changes.append((scalar.value, 0))
                }
            }
        }
        if modified { piece.transform(changes, initialOffset: 0) }
    }
}
