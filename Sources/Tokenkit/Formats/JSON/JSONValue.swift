#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A cheap handle to one value of a `JSONDocument` (document reference + tape
/// index). Keeps the document alive. All accessors return `nil` (or an empty
/// sequence / 0) when the value is of another kind.
public struct JSONValue: Sendable {
    public enum Kind: Sendable, Equatable, CustomStringConvertible {
        case null, bool, number, string, array, object

        public var description: String {
            switch self {
            case .null: "null"
            case .bool: "boolean"
            case .number: "number"
            case .string: "string"
            case .array: "array"
            case .object: "object"
            }
        }
    }

    @usableFromInline let storage: JSONStorage
    @usableFromInline let index: Int

    @inline(__always) @usableFromInline
    init(storage: JSONStorage, index: Int) {
        self.storage = storage
        self.index = index
    }

    @inline(__always) @usableFromInline
    var node: JSONNode { storage.nodes[index] }

    /// The document this value belongs to.
    public var document: JSONDocument { JSONDocument(storage: storage) }

    public var kind: Kind {
        switch node.kind {
        case JSONNode.kindNull: .null
        case JSONNode.kindFalse, JSONNode.kindTrue: .bool
        case JSONNode.kindNumber: .number
        case JSONNode.kindString: .string
        case JSONNode.kindArray: .array
        default: .object
        }
    }

    public var isNull: Bool { node.kind == JSONNode.kindNull }
    public var isString: Bool { node.kind == JSONNode.kindString }
    public var isArray: Bool { node.kind == JSONNode.kindArray }
    public var isObject: Bool { node.kind == JSONNode.kindObject }
    public var isNumber: Bool { node.kind == JSONNode.kindNumber }

    public var bool: Bool? {
        switch node.kind {
        case JSONNode.kindTrue: true
        case JSONNode.kindFalse: false
        default: nil
        }
    }

    /// Byte offset in the source where the value starts (for strings: the
    /// opening quote).
    public var byteOffset: Int { Int(node.start) }

    /// 1-based line and column (in Unicode scalars) where the value starts.
    public func location() -> (line: Int, column: Int) {
        storage.withText { JSONError.location(of: byteOffset, in: $0) }
    }

    /// Byte range of the value's source text (strings include their quotes).
    public var sourceRange: Range<Int> {
        storage.withText { Int(node.start)..<sourceEnd(index, $0) }
    }

    /// Calls `body` with the source text of the value.
    public func withSourceBytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        try storage.withText { (buffer) throws(E) -> R in
            let start = Int(node.start)
            return try body(UnsafeBufferPointer(rebasing: buffer[start..<sourceEnd(index, buffer)]))
        }
    }

    private func sourceEnd(_ i: Int, _ text: UnsafeBufferPointer<UInt8>) -> Int {
        let node = storage.nodes[i]
        if !node.isContainer {
            return Int(node.payload) + (node.kind == JSONNode.kindString ? 1 : 0)
        }
        var position: Int
        let end = Int(node.payload)
        if end == i + 1 {
            position = Int(node.start) + 1
        } else {
            var child = i + 1
            var last = child
            while child < end {
                last = child
                child = storage.next(after: child)
            }
            position = sourceEnd(last, text)
        }
        while position < text.count && text[position] <= 0x20 { position += 1 }
        return position + 1  // the closing bracket
    }

    // MARK: numbers

    /// The value of a number written as an integer literal (no fraction, no
    /// exponent: `100` but not `1e2` or `100.0`, like serde_json's `as_i64`),
    /// or nil if it does not fit in `Int`.
    public var int: Int? {
        let node = self.node
        guard node.info & (JSONNode.kindMask | JSONNode.flagEscapedOrNonInteger) == JSONNode.kindNumber else {
            return nil
        }
        return storage.withText { buffer in
            jsonParseInt(buffer.baseAddress! + Int(node.start), Int(node.payload - node.start))
        }
    }

    /// The value of any number, correctly rounded; `NaN`, `Infinity` and
    /// `-Infinity` map to the corresponding `Double` values.
    public var double: Double? {
        let node = self.node
        guard node.kind == JSONNode.kindNumber else { return nil }
        return storage.withText { buffer in
            jsonParseDouble(buffer.baseAddress! + Int(node.start), Int(node.payload - node.start))
        }
    }

    // MARK: strings

    /// The decoded string.
    public var string: String? {
        withStringBytes { bytes in String(decoding: bytes, as: UTF8.self) }
    }

    /// The decoded UTF-8 bytes of the string.
    public var stringBytes: [UInt8]? {
        withStringBytes { Array($0) }
    }

    /// Calls `body` with the decoded UTF-8 bytes of the string (a slice of the
    /// source when the string has no escapes, else a temporary buffer that is
    /// on the stack for short strings). Returns nil if this is not a string.
    @inlinable
    public func withStringBytes<R, E: Error>(
        _ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R
    ) throws(E) -> R? {
        let node = self.node
        guard node.kind == JSONNode.kindString else { return nil }
        return try storage.withText { (buffer) throws(E) -> R in
            let raw = UnsafeBufferPointer(start: buffer.baseAddress! + Int(node.start) + 1,
                                          count: Int(node.payload - node.start) - 1)
            if node.info & JSONNode.flagEscapedOrNonInteger == 0 {
                return try body(raw)
            }
            return try jsonWithUnescaped(raw, body)
        }
    }

    /// Whether this is a string equal to `other`, without allocating.
    public func stringEquals(_ other: String) -> Bool {
        guard isString else { return false }
        var other = other
        return other.withUTF8 { stringEquals($0) }
    }

    /// Whether this is a string equal to `other`, without allocating.
    public func stringEquals(_ other: StaticString) -> Bool {
        guard isString else { return false }
        if other.hasPointerRepresentation {
            return stringEquals(UnsafeBufferPointer(start: other.utf8Start, count: other.utf8CodeUnitCount))
        }
        return other.withUTF8Buffer { stringEquals($0) }
    }

    /// Whether this is a string whose decoded UTF-8 bytes equal `other`.
    public func stringEquals(_ other: UnsafeBufferPointer<UInt8>) -> Bool {
        let node = self.node
        guard node.kind == JSONNode.kindString else { return false }
        return storage.withText { buffer in
            jsonStringEquals(buffer.baseAddress!, node, other)
        }
    }

    // MARK: containers

    /// Number of elements (array) or members (object); 0 for other kinds.
    public var count: Int {
        let node = self.node
        guard node.isContainer else { return 0 }
        let count = node.info >> JSONNode.countShift
        if count < JSONNode.countMax { return Int(count) }
        var n = 0
        var i = index + 1
        let end = Int(node.payload)
        while i < end {
            n += 1
            i = storage.next(after: i)
        }
        return node.kind == JSONNode.kindObject ? n / 2 : n
    }

    /// The elements of an array (empty for other kinds).
    public var elements: Elements {
        let node = self.node
        let end = node.kind == JSONNode.kindArray ? Int(node.payload) : index + 1
        return Elements(storage: storage, current: index + 1, end: end, remaining: count)
    }

    /// The members of an object in document order, duplicates included
    /// (empty for other kinds). Keys are string values.
    public var members: Members {
        let node = self.node
        let end = node.kind == JSONNode.kindObject ? Int(node.payload) : index + 1
        return Members(storage: storage, current: index + 1, end: end, remaining: count)
    }

    /// Calls `body` for each member of an object, in document order (nothing
    /// for other kinds). Faster than iterating `members` (no reference
    /// counting per value).
    @inlinable
    public func forEachMember<E: Error>(_ body: (_ key: JSONValue, _ value: JSONValue) throws(E) -> Void) throws(E) {
        let node = self.node
        guard node.kind == JSONNode.kindObject else { return }
        var i = index + 1
        let end = Int(node.payload)
        while i < end {
            try body(JSONValue(storage: storage, index: i), JSONValue(storage: storage, index: i + 1))
            i = storage.next(after: i + 1)
        }
    }

    /// Calls `body` for each element of an array (nothing for other kinds).
    /// Faster than iterating `elements` (no reference counting per value).
    @inlinable
    public func forEachElement<E: Error>(_ body: (JSONValue) throws(E) -> Void) throws(E) {
        let node = self.node
        guard node.kind == JSONNode.kindArray else { return }
        var i = index + 1
        let end = Int(node.payload)
        while i < end {
            try body(JSONValue(storage: storage, index: i))
            i = storage.next(after: i)
        }
    }

    /// The `position`-th element of an array (O(position)).
    public subscript(position: Int) -> JSONValue? {
        let node = self.node
        guard node.kind == JSONNode.kindArray, position >= 0 else { return nil }
        var i = index + 1
        let end = Int(node.payload)
        var k = 0
        while i < end {
            if k == position { return JSONValue(storage: storage, index: i) }
            k += 1
            i = storage.next(after: i)
        }
        return nil
    }

    /// The value of the member named `key`; the last one wins when the key is
    /// duplicated (like serde_json). O(members).
    public subscript(key: String) -> JSONValue? {
        guard isObject else { return nil }
        var key = key
        return key.withUTF8 { member(utf8: $0) }
    }

    /// The value of the member whose decoded key bytes equal `key` (last wins).
    public func member(utf8 key: UnsafeBufferPointer<UInt8>) -> JSONValue? {
        let node = self.node
        guard node.kind == JSONNode.kindObject else { return nil }
        let nodes = storage.nodes
        let end = Int(node.payload)
        var found = -1
        storage.withText { buffer in
            let base = buffer.baseAddress!
            var i = index + 1
            while i < end {
                if jsonStringEquals(base, nodes[i], key) { found = i + 1 }
                i = storage.next(after: i + 1)
            }
        }
        return found < 0 ? nil : JSONValue(storage: storage, index: found)
    }

    public struct Elements: Sequence, IteratorProtocol {
        @usableFromInline let storage: JSONStorage
        @usableFromInline var current: Int
        @usableFromInline let end: Int
        @usableFromInline let remaining: Int

        @inlinable
        public mutating func next() -> JSONValue? {
            guard current < end else { return nil }
            let value = JSONValue(storage: storage, index: current)
            current = storage.next(after: current)
            return value
        }

        public var underestimatedCount: Int { remaining }
    }

    public struct Members: Sequence, IteratorProtocol {
        @usableFromInline let storage: JSONStorage
        @usableFromInline var current: Int
        @usableFromInline let end: Int
        @usableFromInline let remaining: Int

        @inlinable
        public mutating func next() -> (key: JSONValue, value: JSONValue)? {
            guard current < end else { return nil }
            let key = JSONValue(storage: storage, index: current)
            let value = JSONValue(storage: storage, index: current + 1)
            current = storage.next(after: current + 1)
            return (key, value)
        }

        public var underestimatedCount: Int { remaining }
    }
}

// MARK: - Decoding helpers

/// Compares the string of `node` (content of the source at `base`) with `other`.
@inline(__always)
func jsonStringEquals(_ base: UnsafePointer<UInt8>, _ node: JSONNode, _ other: UnsafeBufferPointer<UInt8>) -> Bool {
    let start = base + Int(node.start) + 1
    let rawCount = Int(node.payload - node.start) - 1
    if node.info & JSONNode.flagEscapedOrNonInteger == 0 {
        return rawCount == other.count && (rawCount == 0 || memcmp(start, other.baseAddress!, rawCount) == 0)
    }
    // Escaped: decoded length <= raw length.
    if other.count > rawCount { return false }
    return jsonWithUnescaped(UnsafeBufferPointer(start: start, count: rawCount)) { decoded in
        decoded.count == other.count && (decoded.count == 0 || memcmp(decoded.baseAddress!, other.baseAddress!, decoded.count) == 0)
    }
}

/// Calls `body` with the unescaped form of the validated string content `raw`,
/// in a temporary buffer.
@inlinable
func jsonWithUnescaped<R, E: Error>(
    _ raw: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R
) throws(E) -> R {
    // withUnsafeTemporaryAllocation is not typed-throws; bridge through Result.
    let result: Result<R, E> = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(raw.count, 1)) { out in
        let count = jsonUnescape(raw, into: out.baseAddress!)
        do throws(E) {
            return .success(try body(UnsafeBufferPointer(start: out.baseAddress!, count: count)))
        } catch {
            return .failure(error)
        }
    }
    return try result.get()
}

/// Decodes the escapes of a validated string content; returns the byte count
/// written to `out` (which must hold `raw.count` bytes).
@usableFromInline
func jsonUnescape(_ raw: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>) -> Int {
    guard let src = raw.baseAddress else { return 0 }
    let n = raw.count
    var i = 0
    var o = 0
    while i < n {
        // Copy the run up to the next backslash.
        let rest = n - i
        let run: Int
        if let hit = memchr(src + i, 0x5C, rest) {
            run = UnsafeRawPointer(hit) - UnsafeRawPointer(src + i)
        } else {
            run = rest
        }
        if run > 0 {
            (out + o).update(from: src + i, count: run)
            o += run
            i += run
        }
        if i >= n { break }
        let e = src[i + 1]
        i += 2
        var byte: UInt8 = 0
        switch e {
        case UInt8(ascii: "n"): byte = 0x0A
        case UInt8(ascii: "t"): byte = 0x09
        case UInt8(ascii: "r"): byte = 0x0D
        case UInt8(ascii: "b"): byte = 0x08
        case UInt8(ascii: "f"): byte = 0x0C
        case UInt8(ascii: "u"):
            var scalar = jsonHex4(src + i)
            i += 4
            if scalar & 0xFC00 == 0xD800 {
                let low = jsonHex4(src + i + 2)  // validated: "\uDC00"-"\uDFFF" follows
                i += 6
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            o += jsonWriteUTF8(scalar, out + o)
            continue
        default: byte = e  // '"', '\\', '/'
        }
        out[o] = byte
        o += 1
    }
    return o
}

@inline(__always)
func jsonHex4(_ p: UnsafePointer<UInt8>) -> UInt32 {
    jsonHexValue(p[0]) << 12 | jsonHexValue(p[1]) << 8 | jsonHexValue(p[2]) << 4 | jsonHexValue(p[3])
}

@inline(__always)
func jsonWriteUTF8(_ scalar: UInt32, _ out: UnsafeMutablePointer<UInt8>) -> Int {
    if scalar < 0x80 {
        out[0] = UInt8(scalar)
        return 1
    } else if scalar < 0x800 {
        out[0] = UInt8(0xC0 | scalar >> 6)
        out[1] = UInt8(0x80 | scalar & 0x3F)
        return 2
    } else if scalar < 0x10000 {
        out[0] = UInt8(0xE0 | scalar >> 12)
        out[1] = UInt8(0x80 | (scalar >> 6) & 0x3F)
        out[2] = UInt8(0x80 | scalar & 0x3F)
        return 3
    } else {
        out[0] = UInt8(0xF0 | scalar >> 18)
        out[1] = UInt8(0x80 | (scalar >> 12) & 0x3F)
        out[2] = UInt8(0x80 | (scalar >> 6) & 0x3F)
        out[3] = UInt8(0x80 | scalar & 0x3F)
        return 4
    }
}

/// Parses a validated integer literal; nil on overflow.
@inline(__always)
func jsonParseInt(_ p: UnsafePointer<UInt8>, _ count: Int) -> Int? {
    var i = 0
    let negative = p[0] == UInt8(ascii: "-")
    if negative { i = 1 }
    let digits = count - i
    if digits <= 18 {
        var value = 0
        while i < count {
            value = value &* 10 &+ Int(p[i] &- 0x30)
            i += 1
        }
        return negative ? -value : value
    }
    var magnitude: UInt64 = 0
    while i < count {
        let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
        let (a, o2) = m.addingReportingOverflow(UInt64(p[i] &- 0x30))
        if o1 || o2 { return nil }
        magnitude = a
        i += 1
    }
    if negative {
        if magnitude > UInt64(Int.max) + 1 { return nil }
        return Int(truncatingIfNeeded: 0 &- magnitude)
    }
    return magnitude > UInt64(Int.max) ? nil : Int(magnitude)
}

private let exactPowersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]

/// Parses a validated number (including NaN / Infinity / -Infinity), correctly rounded.
func jsonParseDouble(_ p: UnsafePointer<UInt8>, _ count: Int) -> Double {
    var i = 0
    let negative = p[0] == UInt8(ascii: "-")
    if negative { i = 1 }
    let c = p[i]
    if c == UInt8(ascii: "N") { return .nan }
    if c == UInt8(ascii: "I") { return negative ? -.infinity : .infinity }
    // Clinger's fast path: mantissa < 2^53 and |exponent| <= 22 are exact.
    var mantissa: UInt64 = 0
    var digits = 0
    var exponent = 0
    while i < count, (p[i] &- 0x30) < 10 {
        mantissa = mantissa &* 10 &+ UInt64(p[i] &- 0x30)
        if mantissa != 0 { digits += 1 }
        i += 1
    }
    if i < count && p[i] == UInt8(ascii: ".") {
        i += 1
        while i < count, (p[i] &- 0x30) < 10 {
            mantissa = mantissa &* 10 &+ UInt64(p[i] &- 0x30)
            if mantissa != 0 { digits += 1 }
            exponent -= 1
            i += 1
        }
    }
    if i < count {  // 'e' / 'E'
        i += 1
        var expNegative = false
        if p[i] == UInt8(ascii: "-") { expNegative = true; i += 1 } else if p[i] == UInt8(ascii: "+") { i += 1 }
        var e = 0
        while i < count {
            if e < 100_000 { e = e * 10 + Int(p[i] &- 0x30) }
            i += 1
        }
        exponent += expNegative ? -e : e
    }
    if digits <= 19 && mantissa <= (1 << 53) && exponent >= -22 && exponent <= 22 {
        var value = Double(mantissa)
        if exponent >= 0 {
            value *= exactPowersOfTen[exponent]
        } else {
            value /= exactPowersOfTen[-exponent]
        }
        return negative ? -value : value
    }
    let text = String(decoding: UnsafeBufferPointer(start: p, count: count), as: UTF8.self)
    return Double(text) ?? .nan
}
