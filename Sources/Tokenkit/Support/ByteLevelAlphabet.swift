/// GPT-2's reversible mapping between bytes and printable Unicode characters,
/// used by byte-level BPE vocabularies (`Ġ` for the space byte, …).
public enum ByteLevelAlphabet {
    /// The character standing for each byte.
    public static let scalarForByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var printable: [Int] = []
        printable += Array(0x21...0x7E)
        printable += Array(0xA1...0xAC)
        printable += Array(0xAE...0xFF)
        let isPrintable = Set(printable)
        for b in printable { table[b] = UInt32(b) }
        var n: UInt32 = 0
        for b in 0..<256 where !isPrintable.contains(b) {
            table[b] = 256 + n
            n += 1
        }
        return table
    }()

    /// The UTF-8 encoding of each byte's character.
    public static let utf8ForByte: [[UInt8]] = scalarForByte.map { scalar in
        var bytes: [UInt8] = []
        UTF8.append(scalar, to: &bytes)
        return bytes
    }

    /// The byte a character stands for (characters are all below U+0144), or nil.
    static func byte(for scalar: UInt32) -> UInt8? {
        guard scalar < 0x144 else { return nil }
        let b = byteForScalar[Int(scalar)]
        return b < 0 ? nil : UInt8(b)
    }

    private static let byteForScalar: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for (b, s) in scalarForByte.enumerated() { table[Int(s)] = Int16(b) }
        return table
    }()

    /// Maps raw bytes to their byte-level string.
    static func encode<C: Collection<UInt8>>(_ bytes: C) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out += utf8ForByte[Int(b)] }
        return String(decoding: out, as: UTF8.self)
    }

    /// Maps a byte-level string back to raw bytes; nil if it contains a character outside the alphabet.
    package static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            guard let b = byte(for: scalar.value) else { return nil }
            out.append(b)
        }
        return out
    }

    /// The byte of each scalar below 0x180 (0xC5 0xBF in UTF-8, past the alphabet's last
    /// character U+0143), -1 for the scalars that stand for no byte: the table of
    /// `decode(utf8:to:table:)`, fetched once by callers that decode many strings.
    static let byteForScalarTable: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x180)
        for (b, s) in scalarForByte.enumerated() { table[Int(s)] = Int16(b) }
        return table
    }()

    /// Decodes the UTF-8 of a byte-level string into `out`, which has room for `bytes.count`
    /// bytes; returns the number of bytes written, or nil when the text has a character outside
    /// the alphabet (or is not UTF-8). `table` is `byteForScalarTable`.
    @inline(__always)
    static func decode(utf8 bytes: UnsafeBufferPointer<UInt8>, to out: UnsafeMutablePointer<UInt8>,
                       table: UnsafeBufferPointer<Int16>) -> Int? {
        var i = 0
        var written = 0
        let n = bytes.count
        while i < n {
            // Printable ASCII stands for itself: copy it eight bytes at a time.
            while i &+ 8 <= n {
                let word = SWAR.load(bytes.baseAddress! + i)
                guard SWAR.inRange(word, 0x21, 0x7E) == SWAR.high else { break }
                UnsafeMutableRawPointer(out + written).storeBytes(of: word.littleEndian, as: UInt64.self)
                i &+= 8
                written &+= 8
            }
            if i == n { break }
            let b0 = Int(bytes[i])
            let byte: Int16
            if b0 < 0x80 {
                byte = table[b0]
                i &+= 1
            } else {
                // The alphabet's characters are all below U+0144: two UTF-8 bytes, lead 0xC2…0xC5.
                guard b0 >= 0xC2, b0 <= 0xC5, i &+ 1 < n else { return nil }
                let b1 = Int(bytes[i &+ 1])
                guard b1 & 0xC0 == 0x80 else { return nil }
                byte = table[(b0 & 0x1F) << 6 | (b1 & 0x3F)]
                i &+= 2
            }
            guard byte >= 0 else { return nil }
            out[written] = UInt8(truncatingIfNeeded: byte)
            written &+= 1
        }
        return written
    }

    /// Like `decode(_:)` for UTF-8 bytes of a byte-level string.
    static func decode(utf8 bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
        var i = 0
        while i < bytes.count {
            let (scalar, length) = UTF8.decode(bytes, at: i)
            guard let b = byte(for: scalar) else { return false }
            out.append(b)
            i += length
        }
        return true
    }
}
