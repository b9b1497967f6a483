extension UTF8 {
    /// The number of bytes of the scalar that starts with `leadByte` (1 for a stray continuation byte).
    @inline(__always)
    static func scalarLength(leadByte: UInt8) -> Int {
        if leadByte < 0xC0 { return 1 }
        if leadByte < 0xE0 { return 2 }
        if leadByte < 0xF0 { return 3 }
        return 4
    }

    /// Appends the UTF-8 encoding of `scalar` (which must be a valid scalar value).
    @inline(__always)
    package static func append(_ scalar: UInt32, to bytes: inout [UInt8]) {
        if scalar < 0x80 {
            bytes.append(UInt8(scalar))
        } else if scalar < 0x800 {
            bytes.append(UInt8(0xC0 | (scalar >> 6)))
            bytes.append(UInt8(0x80 | (scalar & 0x3F)))
        } else if scalar < 0x10000 {
            bytes.append(UInt8(0xE0 | (scalar >> 12)))
            bytes.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            bytes.append(UInt8(0x80 | (scalar & 0x3F)))
        } else {
            bytes.append(UInt8(0xF0 | (scalar >> 18)))
            bytes.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            bytes.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            bytes.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }

    /// The number of UTF-8 bytes of `scalar`.
    @inline(__always)
    static func byteCount(of scalar: UInt32) -> Int {
        scalar < 0x80 ? 1 : scalar < 0x800 ? 2 : scalar < 0x10000 ? 3 : 4
    }

    /// Decodes the scalar starting at `index` of valid UTF-8.
    @inline(__always)
    package static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (scalar: UInt32, length: Int) {
        let b0 = UInt32(bytes[index])
        if b0 < 0x80 { return (b0, 1) }
        if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F), 2) }
        if b0 < 0xF0 {
            return ((b0 & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F), 3)
        }
        return ((b0 & 0x07) << 18 | UInt32(bytes[index + 1] & 0x3F) << 12
                    | UInt32(bytes[index + 2] & 0x3F) << 6 | UInt32(bytes[index + 3] & 0x3F), 4)
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Calls `body` with every scalar of this valid UTF-8 text.
    @inline(__always)
    package func forEachScalar(_ body: (UInt32) throws -> Void) rethrows {
        var i = 0
        while i < count {
            let (scalar, length) = UTF8.decode(self, at: i)
            try body(scalar)
            i += length
        }
    }
}

extension Array where Element == UInt8 {
    /// True when `index` is 0, the end, or the start of a scalar.
    func isScalarBoundary(_ index: Int) -> Bool {
        index == 0 || index == count || (index > 0 && index < count && self[index] & 0xC0 != 0x80)
    }

    /// Calls `body` with every scalar of this valid UTF-8 text.
    func forEachScalar(_ body: (UInt32) throws -> Void) rethrows {
        try withUnsafeBufferPointer { try $0.forEachScalar(body) }
    }

    var firstScalar: UInt32? {
        isEmpty ? nil : withUnsafeBufferPointer { UTF8.decode($0, at: 0).scalar }
    }

    /// The last scalar and the byte index where it starts.
    var lastScalarWithStart: (Int, UInt32)? {
        guard !isEmpty else { return nil }
        var start = count - 1
        while start > 0 && self[start] & 0xC0 == 0x80 { start -= 1 }
        return (start, withUnsafeBufferPointer { UTF8.decode($0, at: start).scalar })
    }

    /// The number of scalars in this valid UTF-8 text.
    var scalarCount: Int {
        var n = 0
        for b in self where b & 0xC0 != 0x80 { n += 1 }
        return n
    }
}

/// Decodes bytes as UTF-8, replacing every maximal invalid subsequence by U+FFFD,
/// the way Rust's `String::from_utf8_lossy` and Python's `bytes.decode("utf-8", "replace")` do.
func decodeUTF8Lossy<C: Collection<UInt8>>(_ bytes: C) -> String {
    String(decoding: bytes, as: UTF8.self)
}
