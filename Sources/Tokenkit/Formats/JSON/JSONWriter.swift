/// Appends compact JSON to a byte buffer.
///
/// Commas are inserted automatically: every `append…` value method, `beginArray`,
/// `beginObject` and `appendKey` writes a separating comma when needed, so
///
///     var w = JSONWriter()
///     w.beginObject(); w.appendKey("ids"); w.appendIntArray([1, 2]); w.appendKey("n"); w.appendInt(2); w.endObject()
///     w.appendNewline()
///
/// produces `{"ids":[1,2],"n":2}\n`. `appendNewline` starts a new top-level
/// value (for JSON Lines). Strings are escaped minimally: `"` `\` and control
/// characters below U+0020 (as `\n` `\r` `\t` `\b` `\f` or `\u00XX`); all other
/// characters, including U+2028/U+2029 and DEL, are written as raw UTF-8.
public struct JSONWriter: Sendable {
    /// The output so far. May be taken or cleared by the caller at any time
    /// (call `reset()` or `appendNewline()` to restart comma tracking).
    public var bytes: [UInt8]
    @usableFromInline var needsComma = false

    public init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Clears the output, keeping its capacity.
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        needsComma = false
    }

    @inline(__always) @usableFromInline
    mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
    }

    // MARK: structure

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    /// Writes `"key":`; the next value is the member's value.
    public mutating func appendKey(_ key: String) {
        appendString(key)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    public mutating func appendKey(_ key: StaticString) {
        separate()
        appendEscaped(key.jsonUTF8Buffer)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// Writes a newline and starts a new top-level value (JSON Lines).
    public mutating func appendNewline() {
        bytes.append(0x0A)
        needsComma = false
    }

    // MARK: scalars

    public mutating func appendNull() {
        separate()
        appendASCII("null")
    }

    public mutating func appendBool(_ value: Bool) {
        separate()
        appendASCII(value ? "true" : "false")
    }

    public mutating func appendString(_ value: String) {
        separate()
        var value = value
        value.withUTF8 { appendEscaped($0) }
    }

    /// Writes UTF-8 bytes as a JSON string. Invalid UTF-8 sequences are
    /// replaced by U+FFFD so that the output is always valid JSON.
    public mutating func appendString(utf8 value: UnsafeBufferPointer<UInt8>) {
        separate()
        appendEscaped(value, validate: true)
    }

    public mutating func appendInt(_ value: Int) {
        separate()
        jsonAppendUninitialized(&bytes, maxCount: 20) { jsonWriteDecimal(Int64(value), $0) }
    }

    /// Shortest representation that round-trips (`0.1`, `1e-05`, `1.0`,
    /// `1e+16`). Non-finite values are written as `null` (like serde_json and
    /// JavaScript's JSON.stringify).
    public mutating func appendDouble(_ value: Double) {
        separate()
        guard value.isFinite else {
            appendASCII("null")
            return
        }
        var text = value.description
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// Writes `[a,b,c]` with the digits formatted directly into the buffer
    /// (no `String`s). Elements must fit in `Int64`.
    @inlinable
    public mutating func appendIntArray<C: Collection>(_ values: C) where C.Element: BinaryInteger {
        separate()
        bytes.append(UInt8(ascii: "["))
        var iterator = values.makeIterator()
        var remaining = values.count
        var first = true
        while remaining > 0 {
            let block = min(remaining, 64)
            remaining -= block
            jsonAppendUninitialized(&bytes, maxCount: block * 21) { p in
                var o = 0
                for _ in 0..<block {
                    guard let value = iterator.next() else { break }
                    if !first {
                        p[o] = UInt8(ascii: ",")
                        o += 1
                    }
                    first = false
                    o += jsonWriteDecimal(Int64(value), p + o)
                }
                return o
            }
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes the source text of a parsed value unchanged (for echoing request
    /// fields such as an `id`).
    public mutating func appendJSON(_ value: JSONValue) {
        separate()
        value.withSourceBytes { bytes.append(contentsOf: $0) }
    }

    /// Writes pre-serialized JSON text as one value.
    public mutating func appendRawValue(_ json: UnsafeBufferPointer<UInt8>) {
        separate()
        bytes.append(contentsOf: json)
    }

    @inline(__always)
    mutating func appendASCII(_ s: StaticString) {
        bytes.append(contentsOf: s.jsonUTF8Buffer)
    }

    // MARK: escaping

    mutating func appendEscaped(_ s: UnsafeBufferPointer<UInt8>, validate: Bool = false) {
        bytes.append(UInt8(ascii: "\""))
        guard let p = s.baseAddress else {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        let n = s.count
        var runStart = 0
        var i = 0
        while true {
            // Find the next byte that needs attention.
            while i + 8 <= n {
                let mask = jsonWriterSpecialMask(UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self), validate)
                if mask != 0 {
                    i += mask.trailingZeroBitCount >> 3
                    break
                }
                i += 8
            }
            while i < n {
                let c = p[i]
                if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || c < 0x20 || (validate && c >= 0x80) { break }
                i += 1
            }
            if i >= n { break }
            let c = p[i]
            if c >= 0x80 {  // only when validating
                let length = jsonValidUTF8Length(p + i, n - i)
                if length > 0 {
                    i += length
                    continue
                }
                if i > runStart { bytes.append(contentsOf: UnsafeBufferPointer(start: p + runStart, count: i - runStart)) }
                bytes.append(contentsOf: [0xEF, 0xBF, 0xBD] as [UInt8])
                i += 1
                runStart = i
                continue
            }
            if i > runStart { bytes.append(contentsOf: UnsafeBufferPointer(start: p + runStart, count: i - runStart)) }
            appendEscape(c)
            i += 1
            runStart = i
        }
        if n > runStart { bytes.append(contentsOf: UnsafeBufferPointer(start: p + runStart, count: n - runStart)) }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func appendEscape(_ c: UInt8) {
        switch c {
        case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22] as [UInt8])
        case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C] as [UInt8])
        case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")] as [UInt8])
        case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")] as [UInt8])
        case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")] as [UInt8])
        case 0x08: bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")] as [UInt8])
        case 0x0C: bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")] as [UInt8])
        default:
            let hex: StaticString = "0123456789abcdef"
            let digits = hex.utf8Start
            bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, digits[Int(c >> 4)], digits[Int(c & 15)]] as [UInt8])
        }
    }
}

extension StaticString {
    @inline(__always)
    var jsonUTF8Buffer: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: utf8Start, count: utf8CodeUnitCount)
    }
}

/// Marks (0x80 per byte, first byte in the low bits) `"`, `\`, bytes < 0x20 and,
/// when `nonASCII`, bytes >= 0x80. Only the lowest mark is exact.
@inline(__always)
func jsonWriterSpecialMask(_ raw: UInt64, _ nonASCII: Bool) -> UInt64 {
    let v = UInt64(littleEndian: raw)
    let low: UInt64 = 0x0101_0101_0101_0101
    let high: UInt64 = 0x8080_8080_8080_8080
    let q = v ^ (low &* 0x22)
    let b = v ^ (low &* 0x5C)
    var mask = ((q &- low) & ~q) | ((b &- low) & ~b) | ((v &- (low &* 0x20)) & ~v)
    if nonASCII { mask |= v }
    return mask & high
}

/// Length of the valid UTF-8 sequence starting at `p` (first byte >= 0x80), or 0.
func jsonValidUTF8Length(_ p: UnsafePointer<UInt8>, _ available: Int) -> Int {
    let c = p[0]
    @inline(__always) func cont(_ k: Int) -> UInt8 { k < available ? p[k] : 0 }
    if c >= 0xC2 && c < 0xE0 {
        return cont(1) & 0xC0 == 0x80 ? 2 : 0
    } else if c >= 0xE0 && c < 0xF0 {
        let c1 = cont(1)
        guard c1 & 0xC0 == 0x80, cont(2) & 0xC0 == 0x80 else { return 0 }
        if c == 0xE0 && c1 < 0xA0 { return 0 }
        if c == 0xED && c1 >= 0xA0 { return 0 }
        return 3
    } else if c >= 0xF0 && c < 0xF5 {
        let c1 = cont(1)
        guard c1 & 0xC0 == 0x80, cont(2) & 0xC0 == 0x80, cont(3) & 0xC0 == 0x80 else { return 0 }
        if c == 0xF0 && c1 < 0x90 { return 0 }
        if c == 0xF4 && c1 >= 0x90 { return 0 }
        return 4
    }
    return 0
}

/// Appends up to `maxCount` bytes written by `body` (which returns how many
/// it wrote) without intermediate buffers.
@inlinable @inline(__always)
func jsonAppendUninitialized(
    _ bytes: inout [UInt8], maxCount: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int
) {
    let start = bytes.count
    if maxCount <= jsonZeroBytesCount {
        // memcpy from a zero block: geometric growth, no per-element loop.
        bytes.append(contentsOf: UnsafeBufferPointer(start: jsonZeroBytes, count: maxCount))
    } else {
        bytes.append(contentsOf: repeatElement(0, count: maxCount))
    }
    let written = bytes.withUnsafeMutableBufferPointer { body($0.baseAddress! + start) }
    bytes.removeLast(maxCount - written)
}

@usableFromInline let jsonZeroBytesCount = 2048
@usableFromInline nonisolated(unsafe) let jsonZeroBytes: UnsafePointer<UInt8> = {
    let zeros = UnsafeMutablePointer<UInt8>.allocate(capacity: 2048)
    zeros.initialize(repeating: 0, count: 2048)
    return UnsafePointer(zeros)
}()

/// "00" "01" … "99"
@usableFromInline
let jsonDigitPairs: StaticString =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

@inlinable @inline(__always)
func jsonWritePair(_ v: UInt32, _ p: UnsafeMutablePointer<UInt8>) {
    let pair = UnsafeRawPointer(jsonDigitPairs.utf8Start + Int(v) &* 2).loadUnaligned(as: UInt16.self)
    UnsafeMutableRawPointer(p).storeBytes(of: pair, as: UInt16.self)
}

/// Writes 1-4 digits of `v` < 10000; returns the count.
@inlinable @inline(__always)
func jsonWriteSmall(_ v: UInt32, _ p: UnsafeMutablePointer<UInt8>) -> Int {
    if v < 100 {
        if v < 10 {
            p[0] = UInt8(truncatingIfNeeded: v) &+ 0x30
            return 1
        }
        jsonWritePair(v, p)
        return 2
    }
    let high = v / 100
    let low = v &- high &* 100
    if high < 10 {
        p[0] = UInt8(truncatingIfNeeded: high) &+ 0x30
        jsonWritePair(low, p + 1)
        return 3
    }
    jsonWritePair(high, p)
    jsonWritePair(low, p + 2)
    return 4
}

/// Writes the decimal form of `value` at `p` (at most 20 bytes); returns the count.
@inlinable @inline(__always)
func jsonWriteDecimal(_ value: Int64, _ p: UnsafeMutablePointer<UInt8>) -> Int {
    var m = value.magnitude
    var o = 0
    if value < 0 {
        p[0] = UInt8(ascii: "-")
        o = 1
    }
    if m < 10_000 {
        return o &+ jsonWriteSmall(UInt32(truncatingIfNeeded: m), p + o)
    }
    if m < 100_000_000 {
        // Two independent halves: 1-4 leading digits, then exactly 4.
        let v = UInt32(truncatingIfNeeded: m)
        let high = v / 10_000
        let low = v &- high &* 10_000
        o &+= jsonWriteSmall(high, p + o)
        let a = low / 100
        jsonWritePair(a, p + o)
        jsonWritePair(low &- a &* 100, p + o + 2)
        return o &+ 4
    }
    // Long values: count digits, then write pairs backwards.
    var digits = 9
    var power: UInt64 = 1_000_000_000
    while digits < 20 && m >= power {
        digits += 1
        power &*= 10
    }
    let end = o + digits
    var position = end
    while m >= 100 {
        let (q, r) = m.quotientAndRemainder(dividingBy: 100)
        position -= 2
        jsonWritePair(UInt32(truncatingIfNeeded: r), p + position)
        m = q
    }
    if m >= 10 {
        jsonWritePair(UInt32(truncatingIfNeeded: m), p + position - 2)
    } else {
        p[position - 1] = UInt8(truncatingIfNeeded: m) &+ 0x30
    }
    return end
}
