// Decoding support for the generated Unicode tables (Sources/Tokenkit/Unicode/Generated).
//
// Formats written by scripts/generate_unicode_tables.py:
// * every blob is a base64 `StaticString` (line breaks ignored), decoded once into `static let`s
//   (Swift initializes globals/static lets lazily and thread-safely);
// * "two-stage table": u16 LE block count, 4352 u16 LE block numbers (one per 256 code points),
//   then the deduplicated blocks of 256 little-endian elements (1 or 2 bytes each);
// * "varint blob": unsigned LEB128 integers; a range set is `count` then `(gap, length)` pairs
//   where `lo = previousHi + 1 + gap` (previousHi + 1 starts at 0) and `hi = lo + length`;
//   a mapping list is `count` then, for each entry, `length` followed by the scalars.

@usableFromInline
enum UnicodeTableDecoding {
    /// Decodes a base64 static string (ignoring whitespace) without Foundation.
    ///
    /// A table is decoded the first time a text needs it, which may be in the middle of an
    /// encode: the whitespace is dropped in one pass and the rest goes to the strict decoder
    /// (whose four-characters-at-a-time loop is several times faster than a bit accumulator).
    static func base64(_ text: StaticString) -> [UInt8] {
        text.withUTF8Buffer { buffer in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: buffer.count) { digits in
                var count = 0
                for c in buffer where c > 0x20 {
                    digits[count] = c
                    count &+= 1
                }
                var bytes: [UInt8] = []
                bytes.reserveCapacity(count / 4 * 3)
                let valid = Base64.decode(UnsafeBufferPointer(rebasing: digits[..<count]), into: &bytes)
                precondition(valid, "corrupt Unicode table")
                return bytes
            }
        }
    }

    /// Splits a newline-separated static string into trimmed, non-empty lines.
    static func lines(_ text: StaticString) -> [String] {
        let string = text.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
        return string.split(separator: "\n").map { line in
            String(line.drop(while: { $0 == " " }))
        }.filter { !$0.isEmpty }
    }
}

/// Sequential reader of an unsigned LEB128 varint blob.
struct UnicodeVarintReader {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func next() -> UInt32 {
        var result: UInt32 = 0
        var shift: UInt32 = 0
        while true {
            let b = bytes[position]
            position += 1
            result |= UInt32(b & 0x7F) &<< shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func nextInt() -> Int { Int(next()) }

    mutating func rangeSet() -> UnicodeScalarRanges {
        let count = nextInt()
        var bounds = [UInt32]()
        bounds.reserveCapacity(count * 2)
        var start: UInt32 = 0
        for _ in 0..<count {
            let lo = start &+ next()
            let hi = lo &+ next()
            bounds.append(lo)
            bounds.append(hi)
            start = hi &+ 1
        }
        return UnicodeScalarRanges(uncheckedBounds: bounds)
    }

    /// Reads a mapping list into a flat pool; `starts[i]..<starts[i+1]` is entry i (0-based).
    mutating func mappingList() -> (starts: [UInt32], pool: [UInt32]) {
        let count = nextInt()
        var starts = [UInt32]()
        starts.reserveCapacity(count + 1)
        var pool = [UInt32]()
        for _ in 0..<count {
            starts.append(UInt32(pool.count))
            let n = nextInt()
            for _ in 0..<n { pool.append(next()) }
        }
        starts.append(UInt32(pool.count))
        return (starts, pool)
    }
}

/// O(1) code point -> small integer table (block index + deduplicated 256-entry blocks).
/// Elements are 1 or 2 bytes wide.
@usableFromInline
struct UnicodeTwoStageTable<Element: FixedWidthInteger & UnsignedInteger & Sendable>: Sendable {
    @usableFromInline let stage1: [UInt16]
    @usableFromInline let stage2: [Element]

    init(base64 text: StaticString) {
        let bytes = UnicodeTableDecoding.base64(text)
        let width = MemoryLayout<Element>.size
        precondition(width == 1 || width == 2)
        let blockCount = Int(bytes[0]) | Int(bytes[1]) << 8
        let stage1Count = 0x110000 >> 8
        var s1 = [UInt16](repeating: 0, count: stage1Count)
        var s2 = [Element](repeating: 0, count: blockCount * 256)
        bytes.withUnsafeBufferPointer { b in
            for i in 0..<stage1Count {
                s1[i] = UInt16(b[2 + 2 * i]) | UInt16(b[3 + 2 * i]) << 8
            }
            let p = 2 + 2 * stage1Count
            precondition(b.count == p + blockCount * 256 * width, "corrupt Unicode table")
            s2.withUnsafeMutableBufferPointer { out in
                if width == 1 {
                    for i in 0..<out.count { out[i] = Element(truncatingIfNeeded: b[p &+ i]) }
                } else {
                    for i in 0..<out.count {
                        let q = p &+ 2 &* i
                        out[i] = Element(truncatingIfNeeded: UInt16(b[q]) | UInt16(b[q &+ 1]) &<< 8)
                    }
                }
            }
        }
        stage1 = s1
        stage2 = s2
    }

    /// Value for `scalar`; 0 for values above U+10FFFF.
    @inlinable @inline(__always)
    func lookup(_ scalar: UInt32) -> Element {
        guard scalar < 0x110000 else { return 0 }
        return stage1.withUnsafeBufferPointer { s1 in
            stage2.withUnsafeBufferPointer { s2 in
                s2[Int(s1[Int(scalar &>> 8)]) &<< 8 | Int(scalar & 0xFF)]
            }
        }
    }
}

/// Code point -> sequence of scalars (decompositions, case mappings), via a two-stage index.
struct UnicodeMappingTable: Sendable {
    let index: UnicodeTwoStageTable<UInt16>
    let starts: [UInt32]
    let pool: [UInt32]

    init(index: UnicodeTwoStageTable<UInt16>, list: (starts: [UInt32], pool: [UInt32])) {
        self.index = index
        self.starts = list.starts
        self.pool = list.pool
    }

    /// Range of `pool` holding the mapping of `scalar`, or nil when it maps to itself.
    @inline(__always)
    func range(of scalar: UInt32) -> Range<Int>? {
        let i = Int(index.lookup(scalar))
        if i == 0 { return nil }
        return Int(starts[i - 1])..<Int(starts[i])
    }
}
