// SentencePiece's compiled normalization rules (`precompiled_charsmap`), shared by
// tokenizer.json's `Precompiled` normalizer and SentencePiece `.model` files.
//
// Layout: a little-endian u32 `n`, then `n` bytes of a Darts-clone double-array trie
// (n / 4 little-endian u32 units) whose keys are the UTF-8 source strings and whose
// values are byte offsets into the rest of the blob, a list of NUL-terminated
// replacement strings.
//
// Each unit packs: the label (bits 0–7, bit 31 marks a leaf unit), a has-leaf flag
// (bit 8), and the offset to the children (bits 10–31, shifted left by 8 when
// bit 9 is set). A leaf unit stores its value in bits 0–30. Lookups never trust the
// file: every index is bounds-checked and an out-of-range walk simply ends.

/// A parsed `precompiled_charsmap`: a Darts double-array trie plus the replacement strings.
public struct SentencePieceCharsMap: Sendable, Equatable {
    /// The raw blob, as stored in the file.
    public let blob: [UInt8]
    private let units: [UInt32]
    /// The replacement strings, each terminated by NUL (or the end of the blob).
    private let normalized: [UInt8]

    /// The replacement strings (slice them with `replacement(at:)`).
    var strings: [UInt8] { normalized }

    /// Why a blob cannot be used.
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        /// Fewer than 4 bytes, or the trie size runs past the end.
        case truncated(String)
        /// The replacement strings are not valid UTF-8 (required by `tokenizers`).
        case invalidUTF8

        public var description: String {
            switch self {
            case let .truncated(detail): return detail
            case .invalidUTF8: return "the normalized strings are not valid UTF-8"
            }
        }
    }

    /// How strictly the blob is checked: `tokenizers`' `spm_precompiled` and SentencePiece
    /// accept slightly different blobs.
    public enum Dialect: Sendable {
        /// `spm_precompiled`: the trie size may equal the rest of the blob, the strings must be UTF-8.
        case tokenizers
        /// SentencePiece's `DecodePrecompiledCharsMap`: some bytes must follow the trie.
        case sentencePiece
    }

    /// Parses a blob. An empty blob is not accepted here (callers treat it as "no rules").
    public init(blob: [UInt8], dialect: Dialect) throws(ParseError) {
        guard blob.count >= 4 else {
            throw .truncated("expected at least 4 bytes (the trie size), found \(blob.count)")
        }
        let trieSize = Int(blob[0]) | Int(blob[1]) << 8 | Int(blob[2]) << 16 | Int(blob[3]) << 24
        switch dialect {
        case .tokenizers:
            guard (trieSize / 4) * 4 <= blob.count - 4 else {
                throw .truncated("trie size \(trieSize) exceeds the \(blob.count - 4) bytes that follow it")
            }
        case .sentencePiece:
            guard blob.count > 4, trieSize < blob.count, 4 + trieSize <= blob.count else {
                throw .truncated("trie size \(trieSize) exceeds the blob size \(blob.count)")
            }
        }
        let unitCount = trieSize / 4
        var units = [UInt32](repeating: 0, count: unitCount)
        for i in 0..<unitCount {
            let o = 4 + i * 4
            units[i] = UInt32(blob[o]) | UInt32(blob[o + 1]) << 8 | UInt32(blob[o + 2]) << 16 | UInt32(blob[o + 3]) << 24
        }
        // spm_precompiled takes the strings after trie_size / 4 whole units; SentencePiece after trie_size bytes.
        let stringsStart = dialect == .tokenizers ? 4 + unitCount * 4 : min(blob.count, 4 + trieSize)
        let normalized = Array(blob[stringsStart...])
        if dialect == .tokenizers, !normalized.isValidUTF8 { throw .invalidUTF8 }
        self.blob = blob
        self.units = units
        self.normalized = normalized
    }

    public static func == (a: SentencePieceCharsMap, b: SentencePieceCharsMap) -> Bool { a.blob == b.blob }

    // MARK: - Trie walks

    @inline(__always) private static func hasLeaf(_ unit: UInt32) -> Bool { (unit >> 8) & 1 == 1 }
    @inline(__always) private static func value(_ unit: UInt32) -> Int { Int(unit & 0x7FFF_FFFF) }
    @inline(__always) private static func label(_ unit: UInt32) -> UInt32 { unit & 0x8000_00FF }
    @inline(__always) private static func offset(_ unit: UInt32) -> Int { Int((unit >> 10) << ((unit & (1 << 9)) >> 6)) }

    /// Calls `body(length, value)` for every key that is a prefix of `key`, shortest first,
    /// until `body` returns false. The walk stops at a NUL byte (keys cannot contain one).
    @inline(__always)
    private func forEachPrefix(_ key: UnsafeBufferPointer<UInt8>, _ body: (Int, Int) -> Bool) {
        units.withUnsafeBufferPointer { units in
            guard !units.isEmpty else { return }
            var node = Self.offset(units[0])
            for i in 0..<key.count {
                let c = key[i]
                if c == 0 { return }
                node ^= Int(c)
                guard node < units.count else { return }
                let unit = units[node]
                if Self.label(unit) != UInt32(c) { return }
                node ^= Self.offset(unit)
                if Self.hasLeaf(unit) {
                    guard node < units.count else { return }
                    if !body(i + 1, Self.value(units[node])) { return }
                }
            }
        }
    }

    /// The value of the shortest key that is a prefix of `key` (spm_precompiled's `transform`,
    /// which takes the first common-prefix result).
    func shortestPrefixValue(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        var result: Int?
        forEachPrefix(key) { _, value in
            result = value
            return false
        }
        return result
    }

    /// The length and value of the longest key that is a prefix of `key` (SentencePiece's
    /// `NormalizePrefix`).
    func longestPrefix(_ key: UnsafeBufferPointer<UInt8>) -> (length: Int, value: Int)? {
        var result: (length: Int, value: Int)?
        forEachPrefix(key) { length, value in
            result = (length, value)
            return true
        }
        return result
    }

    /// The replacement string starting at `value`: the bytes up to the next NUL.
    func replacement(at value: Int) -> Range<Int> {
        let start = min(value, normalized.count)
        var end = start
        while end < normalized.count && normalized[end] != 0 { end += 1 }
        return start..<end
    }

    /// Calls `body` with the bytes of the replacement string at `value`.
    func withReplacement<R>(at value: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let range = replacement(at: value)
        return normalized.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[range])) }
    }
}

extension Array where Element == UInt8 {
    /// True when the bytes are well-formed UTF-8 (no surrogates, overlongs or truncation).
    var isValidUTF8: Bool {
        var iterator = makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
