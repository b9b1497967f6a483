/// Base64 with the standard alphabet (RFC 4648 §4) and `=` padding.
///
/// Decoding is strict about the alphabet, the length (a multiple of 4) and
/// the padding (at most two `=`, only at the end); like Python's `base64`
/// module it ignores non-zero bits in the unused low bits of the last
/// character. No whitespace is accepted.
package enum Base64 {
    /// Appends the bytes decoded from `input` to `output`. Returns false and
    /// leaves `output` unchanged if `input` is not valid padded base64.
    /// Does not allocate beyond growing `output`.
    package static func decode(_ input: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) -> Bool {
        let n = input.count
        if n == 0 { return true }
        guard n & 3 == 0, let src = input.baseAddress else { return false }
        var padding = 0
        if src[n - 1] == UInt8(ascii: "=") {
            padding = src[n - 2] == UInt8(ascii: "=") ? 2 : 1
        }
        let decodedCount = n / 4 * 3 - padding
        let table = base64DecodeTable
        let start = output.count
        let ok = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: decodedCount + 3) { buffer -> Bool in
            let out = buffer.baseAddress!
            var o = 0
            var i = 0
            let fullEnd = padding == 0 ? n : n - 4
            // Full groups: an invalid character has bit 7 set in its table value.
            while i < fullEnd {
                let a = UInt32(table[Int(src[i])])
                let b = UInt32(table[Int(src[i + 1])])
                let c = UInt32(table[Int(src[i + 2])])
                let d = UInt32(table[Int(src[i + 3])])
                if (a | b | c | d) & 0x80 != 0 { return false }
                let v = a << 18 | b << 12 | c << 6 | d
                out[o] = UInt8(truncatingIfNeeded: v >> 16)
                out[o + 1] = UInt8(truncatingIfNeeded: v >> 8)
                out[o + 2] = UInt8(truncatingIfNeeded: v)
                o += 3
                i += 4
            }
            if padding > 0 {
                let a = UInt32(table[Int(src[i])])
                let b = UInt32(table[Int(src[i + 1])])
                let c = padding == 2 ? 0 : UInt32(table[Int(src[i + 2])])
                if (a | b | c) & 0x80 != 0 { return false }
                let v = a << 18 | b << 12 | c << 6
                out[o] = UInt8(truncatingIfNeeded: v >> 16)
                o += 1
                if padding == 1 {
                    out[o] = UInt8(truncatingIfNeeded: v >> 8)
                    o += 1
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(start: out, count: o))
            return true
        }
        if !ok { output.removeSubrange(start...) }
        return ok
    }

    /// The bytes decoded from `text`, or nil if it is not valid padded base64.
    package static func decode(_ text: String) -> [UInt8]? {
        var text = text
        var output: [UInt8] = []
        let ok = text.withUTF8 { decode($0, into: &output) }
        return ok ? output : nil
    }

    /// Appends the padded base64 encoding of `input` to `output`.
    package static func encode(_ input: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        let n = input.count
        guard n > 0, let src = input.baseAddress else { return }
        let alphabet = base64Alphabet.utf8Start
        let encodedCount = (n + 2) / 3 * 4
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: encodedCount) { buffer in
            let out = buffer.baseAddress!
            var i = 0
            var o = 0
            while i + 3 <= n {
                let v = UInt32(src[i]) << 16 | UInt32(src[i + 1]) << 8 | UInt32(src[i + 2])
                out[o] = alphabet[Int(v >> 18)]
                out[o + 1] = alphabet[Int(v >> 12 & 63)]
                out[o + 2] = alphabet[Int(v >> 6 & 63)]
                out[o + 3] = alphabet[Int(v & 63)]
                i += 3
                o += 4
            }
            let rest = n - i
            if rest > 0 {
                let v = UInt32(src[i]) << 16 | (rest == 2 ? UInt32(src[i + 1]) << 8 : 0)
                out[o] = alphabet[Int(v >> 18)]
                out[o + 1] = alphabet[Int(v >> 12 & 63)]
                out[o + 2] = rest == 2 ? alphabet[Int(v >> 6 & 63)] : UInt8(ascii: "=")
                out[o + 3] = UInt8(ascii: "=")
                o += 4
            }
            output.append(contentsOf: UnsafeBufferPointer(start: out, count: o))
        }
    }

    /// The padded base64 encoding of `bytes`.
    package static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        bytes.withUnsafeBufferPointer { encode($0, into: &output) }
        return String(decoding: output, as: UTF8.self)
    }
}

private let base64Alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

/// Byte → 6-bit value; 0x80 marks bytes outside the alphabet (including `=`).
nonisolated(unsafe) private let base64DecodeTable: UnsafePointer<UInt8> = {
    let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
    table.initialize(repeating: 0x80, count: 256)
    let alphabet = base64Alphabet.utf8Start
    for value in 0..<64 {
        table[Int(alphabet[value])] = UInt8(value)
    }
    return UnsafePointer(table)
}()
