#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Reads the header and the metadata key/values of a GGUF file (versions 2 and 3,
// little-endian), the container of llama.cpp models and vocabularies:
//
//   magic "GGUF" · version u32 · tensor count u64 · metadata count u64 ·
//   metadata: key (u64 length + UTF-8) · value type u32 · value ·
//   tensor infos … (skipped: only the metadata matters for a tokenizer)
//
// Performance notes: a 150k-token vocabulary is one array of 150k strings. Arrays
// are not decoded into Swift values: an array keeps a copy of its raw bytes and,
// for strings, the offset of each element, found in one pass. Files are memory
// mapped and only the metadata pages are touched, so a multi-gigabyte model file
// costs no more than its vocabulary.

/// The value types of GGUF metadata.
public enum GGUFValueType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, bool = 7
    case string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12

    /// Byte size of a scalar of this type (nil for strings and arrays).
    public var scalarSize: Int? {
        switch self {
        case .uint8, .int8, .bool: return 1
        case .uint16, .int16: return 2
        case .uint32, .int32, .float32: return 4
        case .uint64, .int64, .float64: return 8
        case .string, .array: return nil
        }
    }

    public var description: String {
        switch self {
        case .uint8: return "uint8"
        case .int8: return "int8"
        case .uint16: return "uint16"
        case .int16: return "int16"
        case .uint32: return "uint32"
        case .int32: return "int32"
        case .float32: return "float32"
        case .bool: return "bool"
        case .string: return "string"
        case .array: return "array"
        case .uint64: return "uint64"
        case .int64: return "int64"
        case .float64: return "float64"
        }
    }
}

/// One metadata value.
public enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8)
    case int8(Int8)
    case uint16(UInt16)
    case int16(Int16)
    case uint32(UInt32)
    case int32(Int32)
    case float32(Float)
    case bool(Bool)
    /// The raw bytes of a string (GGUF strings are UTF-8, but nothing guarantees it).
    case string([UInt8])
    case array(GGUFArray)
    case uint64(UInt64)
    case int64(Int64)
    case float64(Double)

    public var type: GGUFValueType {
        switch self {
        case .uint8: return .uint8
        case .int8: return .int8
        case .uint16: return .uint16
        case .int16: return .int16
        case .uint32: return .uint32
        case .int32: return .int32
        case .float32: return .float32
        case .bool: return .bool
        case .string: return .string
        case .array: return .array
        case .uint64: return .uint64
        case .int64: return .int64
        case .float64: return .float64
        }
    }

    /// The value as an integer, for every integer type (and bool).
    public var integer: Int64? {
        switch self {
        case let .uint8(v): return Int64(v)
        case let .int8(v): return Int64(v)
        case let .uint16(v): return Int64(v)
        case let .int16(v): return Int64(v)
        case let .uint32(v): return Int64(v)
        case let .int32(v): return Int64(v)
        case let .uint64(v): return v <= UInt64(Int64.max) ? Int64(v) : nil
        case let .int64(v): return v
        case let .bool(v): return v ? 1 : 0
        default: return nil
        }
    }

    /// The value as a string (lossy UTF-8 decoding), for strings only.
    public var string: String? {
        if case let .string(bytes) = self { return String(decoding: bytes, as: UTF8.self) }
        return nil
    }

    /// A short description of the type, e.g. `array of string`.
    public var typeDescription: String {
        if case let .array(a) = self { return "array of \(a.elementType)" }
        return type.description
    }
}

/// A metadata array. Elements are decoded on access.
public struct GGUFArray: Sendable, Equatable {
    public let elementType: GGUFValueType
    public let count: Int
    /// The raw bytes of the elements (strings: length prefixes included).
    let raw: [UInt8]
    /// Strings: start of each element's bytes in `raw` (after its length), plus the end of the
    /// last one; `raw[stringStarts[i]..<stringEnds[i]]` is element i.
    let stringStarts: [Int]
    let stringEnds: [Int]
    /// Arrays of arrays.
    let nested: [GGUFArray]

    /// The bytes of string element `i`.
    public func stringBytes(_ i: Int) -> ArraySlice<UInt8> {
        raw[stringStarts[i]..<stringEnds[i]]
    }

    /// String element `i` (lossy UTF-8 decoding).
    public func string(_ i: Int) -> String {
        String(decoding: stringBytes(i), as: UTF8.self)
    }

    /// Calls `body` with the bytes of each string element.
    public func forEachString(_ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        try raw.withUnsafeBufferPointer { buffer in
            for i in 0..<stringStarts.count {
                try body(i, UnsafeBufferPointer(rebasing: buffer[stringStarts[i]..<stringEnds[i]]))
            }
        }
    }

    /// Element `i` of an array of arrays.
    public func array(_ i: Int) -> GGUFArray { nested[i] }

    /// The elements as integers (integer and bool element types).
    public func integers() -> [Int64]? {
        guard let size = elementType.scalarSize, elementType != .float32, elementType != .float64 else { return nil }
        return raw.withUnsafeBytes { buffer in
            (0..<count).map { i -> Int64 in
                let o = i * size
                switch elementType {
                case .uint8, .bool: return Int64(buffer[o])
                case .int8: return Int64(Int8(bitPattern: buffer[o]))
                case .uint16: return Int64(UInt16(littleEndian: buffer.loadUnaligned(fromByteOffset: o, as: UInt16.self)))
                case .int16: return Int64(Int16(littleEndian: buffer.loadUnaligned(fromByteOffset: o, as: Int16.self)))
                case .uint32: return Int64(UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: o, as: UInt32.self)))
                case .int32: return Int64(Int32(littleEndian: buffer.loadUnaligned(fromByteOffset: o, as: Int32.self)))
                case .uint64: return Int64(truncatingIfNeeded: UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: o, as: UInt64.self)))
                case .int64: return Int64(littleEndian: buffer.loadUnaligned(fromByteOffset: o, as: Int64.self))
                default: return 0
                }
            }
        }
    }

    /// The elements as Int32 (int32 arrays only: token types).
    public func int32s() -> [Int32]? {
        guard elementType == .int32 else { return nil }
        return raw.withUnsafeBytes { buffer in
            (0..<count).map { Int32(littleEndian: buffer.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self)) }
        }
    }

    /// The elements as floating-point numbers (float32 and float64 arrays).
    public func doubles() -> [Double]? {
        switch elementType {
        case .float32:
            return raw.withUnsafeBytes { buffer in
                (0..<count).map { Double(Float(bitPattern: UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))) }
            }
        case .float64:
            return raw.withUnsafeBytes { buffer in
                (0..<count).map { Double(bitPattern: UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) }
            }
        default:
            return nil
        }
    }

    /// The raw element bytes of a uint8 or int8 array (e.g. a precompiled charsmap).
    public func bytes() -> [UInt8]? {
        guard elementType == .uint8 || elementType == .int8 else { return nil }
        return raw
    }
}

/// The header and metadata of a GGUF file.
public struct GGUFFile: Sendable {
    public let version: UInt32
    public let tensorCount: UInt64
    /// Metadata keys in file order.
    public let keys: [String]
    public let metadata: [String: GGUFValue]

    public subscript(key: String) -> GGUFValue? { metadata[key] }

    /// Parses the header and metadata of a GGUF file held in memory.
    /// - Throws: `TokenizerLoadingError(.malformed)` naming the key and what was expected.
    public init(bytes: [UInt8], file: String = "<memory>") throws(TokenizerLoadingError) {
        var result: GGUFFile?
        var failure: TokenizerLoadingError?
        bytes.withUnsafeBytes { buffer in
            do throws(TokenizerLoadingError) { result = try GGUFFile(buffer: buffer, file: file) } catch { failure = error }
        }
        if let failure { throw failure }
        self = result!
    }

    /// Parses a GGUF file, memory-mapping it (only the metadata is read).
    public init(contentsOf path: String) throws(TokenizerLoadingError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw TokenizerLoadingError(.unreadable, file: path, errno == ENOENT ? "no such file" : "cannot be read (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw TokenizerLoadingError(.unreadable, file: path, "cannot be read (\(String(cString: strerror(errno))))")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw TokenizerLoadingError(.unreadable, file: path, "is a directory") }
        let size = max(Int(info.st_size), 0)
        if size > 0, (info.st_mode & S_IFMT) == S_IFREG,
           let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED {
            defer { munmap(mapped, size) }
            self = try GGUFFile(buffer: UnsafeRawBufferPointer(start: mapped, count: size), file: path)
            return
        }
        // Not mappable (empty file, pipe…): read it.
        self = try GGUFFile(bytes: try Tokenizer.readFile(path), file: path)
    }

    init(buffer: UnsafeRawBufferPointer, file: String) throws(TokenizerLoadingError) {
        var reader = GGUFByteReader(buffer: buffer, file: file)
        guard buffer.count >= 4 else {
            throw reader.error("not a GGUF file: \(buffer.count) bytes, too short for the magic \"GGUF\"")
        }
        let magic = Array(buffer[0..<4])
        guard magic == Array("GGUF".utf8) else {
            let shown = magic.map { (0x20..<0x7F).contains($0) ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16) }.joined()
            throw reader.error("not a GGUF file: expected the magic \"GGUF\" at byte 0, found \"\(shown)\"")
        }
        reader.offset = 4
        let version = try reader.u32("the version")
        switch version {
        case 2, 3: break
        case 1: throw reader.error("GGUF version 1 is not supported (only versions 2 and 3)")
        default:
            if version.byteSwapped == 2 || version.byteSwapped == 3 {
                throw reader.error("big-endian GGUF files are not supported (version field \(version.byteSwapped) in big-endian order)")
            }
            throw reader.error("unknown GGUF version \(version) (expected 2 or 3)")
        }
        let tensorCount = try reader.u64("the tensor count")
        let keyCount = try reader.u64("the metadata key/value count")
        // Each key/value takes at least 8 (key length) + 4 (type) + 1 bytes.
        guard keyCount <= UInt64(buffer.count / 13) else {
            throw reader.error("metadata key/value count \(keyCount) is larger than the file can hold (\(buffer.count) bytes)")
        }
        var keys: [String] = []
        var metadata: [String: GGUFValue] = [:]
        keys.reserveCapacity(Int(keyCount))
        for index in 0..<Int(keyCount) {
            let keyBytes = try reader.string("the key of metadata entry #\(index)")
            guard let key = String(validating: keyBytes, as: UTF8.self) else {
                throw reader.error("the key of metadata entry #\(index) is not valid UTF-8")
            }
            let context = "metadata key \(key.debugDescription)"
            let rawType = try reader.u32("the value type of \(context)")
            guard let type = GGUFValueType(rawValue: rawType) else {
                throw reader.error("\(context): unknown value type \(rawType) (expected 0…12)")
            }
            let value = try reader.value(type, context: context, depth: 0)
            if metadata[key] != nil {
                throw reader.error("\(context) appears twice")
            }
            keys.append(key)
            metadata[key] = value
        }
        self.version = version
        self.tensorCount = tensorCount
        self.keys = keys
        self.metadata = metadata
    }
}

/// A bounds-checked little-endian cursor over the file bytes.
struct GGUFByteReader {
    let buffer: UnsafeRawBufferPointer
    let file: String
    var offset = 0

    func error(_ message: String) -> TokenizerLoadingError {
        TokenizerLoadingError(.malformed, file: file, message)
    }

    private func need(_ n: Int, _ what: String) throws(TokenizerLoadingError) {
        if n > buffer.count - offset {
            throw error("truncated file: \(what) at byte \(offset) needs \(n) bytes, only \(buffer.count - offset) remain")
        }
    }

    mutating func u32(_ what: String) throws(TokenizerLoadingError) -> UInt32 {
        try need(4, what)
        defer { offset += 4 }
        return UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    mutating func u64(_ what: String) throws(TokenizerLoadingError) -> UInt64 {
        try need(8, what)
        defer { offset += 8 }
        return UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// A length-prefixed string; returns its bytes.
    mutating func string(_ what: String) throws(TokenizerLoadingError) -> [UInt8] {
        let length = try u64("the length of \(what)")
        guard length <= UInt64(buffer.count - offset) else {
            throw error("truncated file: \(what) at byte \(offset) has length \(length), only \(buffer.count - offset) bytes remain")
        }
        let n = Int(length)
        defer { offset += n }
        return Array(buffer[offset..<(offset + n)])
    }

    mutating func value(_ type: GGUFValueType, context: String, depth: Int) throws(TokenizerLoadingError) -> GGUFValue {
        let what = "the \(type) value of \(context)"
        switch type {
        case .uint8, .int8, .bool:
            try need(1, what)
            let b = buffer[offset]
            offset += 1
            switch type {
            case .uint8: return .uint8(b)
            case .int8: return .int8(Int8(bitPattern: b))
            default:
                guard b <= 1 else { throw error("\(context): expected a bool (0 or 1), found \(b)") }
                return .bool(b == 1)
            }
        case .uint16, .int16:
            try need(2, what)
            let v = UInt16(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            offset += 2
            return type == .uint16 ? .uint16(v) : .int16(Int16(bitPattern: v))
        case .uint32: return .uint32(try u32(what))
        case .int32: return .int32(Int32(bitPattern: try u32(what)))
        case .float32: return .float32(Float(bitPattern: try u32(what)))
        case .uint64: return .uint64(try u64(what))
        case .int64: return .int64(Int64(bitPattern: try u64(what)))
        case .float64: return .float64(Double(bitPattern: try u64(what)))
        case .string: return .string(try string(what))
        case .array: return .array(try array(context: context, depth: depth))
        }
    }

    mutating func array(context: String, depth: Int) throws(TokenizerLoadingError) -> GGUFArray {
        guard depth < 8 else { throw error("\(context): arrays nested more than 8 deep") }
        let rawType = try u32("the element type of the array \(context)")
        guard let elementType = GGUFValueType(rawValue: rawType) else {
            throw error("\(context): unknown array element type \(rawType) (expected 0…12)")
        }
        let count64 = try u64("the length of the array \(context)")
        let remaining = buffer.count - offset
        // Every element takes at least one byte (8 for strings and arrays): reject lengths the file cannot hold.
        let minimumSize = elementType.scalarSize ?? (elementType == .string ? 8 : 12)
        guard count64 <= UInt64(remaining / minimumSize) else {
            throw error("\(context): array length \(count64) of \(elementType) overflows the file (\(remaining) bytes remain at byte \(offset))")
        }
        let count = Int(count64)
        let start = offset
        if let size = elementType.scalarSize {
            let n = count * size
            try need(n, "the array \(context)")
            offset += n
            if elementType == .bool, let bad = buffer[start..<offset].firstIndex(where: { $0 > 1 }) {
                throw error("\(context): element \(bad - start) is not a bool (0 or 1)")
            }
            return GGUFArray(elementType: elementType, count: count, raw: Array(UnsafeRawBufferPointer(rebasing: buffer[start..<offset])),
                             stringStarts: [], stringEnds: [], nested: [])
        }
        if elementType == .string {
            // Filled element by element (no zeroing first: an o200k-size file has 650k strings).
            var failure: TokenizerLoadingError?
            var starts: [Int] = []
            let ends = [Int](unsafeUninitializedCapacity: count) { ends, initialized in
                starts = [Int](unsafeUninitializedCapacity: count) { starts, startsInitialized in
                    let end = buffer.count
                    for i in 0..<count {
                        guard end - offset >= 8 else {
                            failure = error("truncated file: element \(i) of the array \(context) at byte \(offset) needs 8 bytes for its length, only \(end - offset) remain")
                            break
                        }
                        let length = UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                        offset += 8
                        guard length <= UInt64(end - offset) else {
                            failure = error("truncated file: element \(i) of the array \(context) at byte \(offset - 8) has length \(length), only \(end - offset) bytes remain")
                            break
                        }
                        starts[i] = offset - start
                        offset += Int(length)
                        ends[i] = offset - start
                        startsInitialized = i + 1
                    }
                    initialized = startsInitialized
                }
            }
            if let failure { throw failure }
            return GGUFArray(elementType: .string, count: count, raw: Array(UnsafeRawBufferPointer(rebasing: buffer[start..<offset])),
                             stringStarts: starts, stringEnds: ends, nested: [])
        }
        var nested: [GGUFArray] = []
        nested.reserveCapacity(count)
        for i in 0..<count {
            nested.append(try array(context: "\(context)[\(i)]", depth: depth + 1))
        }
        return GGUFArray(elementType: .array, count: count, raw: [], stringStarts: [], stringEnds: [], nested: nested)
    }
}
