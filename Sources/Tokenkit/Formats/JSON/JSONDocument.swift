#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A parsed JSON text: the source bytes plus a flat tape of nodes (simdjson
/// style: one 12-byte node per value and per object key, containers record
/// where their subtree ends so siblings are skipped in O(1)).
///
/// Parsing validates the whole text (strict RFC 8259, plus `NaN`, `Infinity`
/// and `-Infinity` as numbers, as written by Python's `json` module; lone
/// UTF-16 surrogate escapes, invalid UTF-8, raw control characters, trailing
/// garbage and nesting deeper than `maxDepth` are errors) but does not decode
/// strings or numbers; values are decoded on access through `JSONValue`, and
/// strings without escapes are read as zero-copy slices of the source.
/// Documents of 4 GiB or more are rejected.
///
/// Fastest paths: `init(contentsOfFile:)` (memory-maps large files),
/// `JSONValue.forEachMember` / `forEachElement` (no reference counting per
/// value), `withStringBytes` (no `String`), and `JSONParser` for many small
/// documents (reuses its buffers).
public struct JSONDocument: Sendable {
    /// Default limit on nesting of arrays and objects.
    public static let defaultMaxDepth = 512

    @usableFromInline let storage: JSONStorage

    /// Parses `bytes` (UTF-8), keeping a reference to the array (no copy).
    public init(bytes: [UInt8], maxDepth: Int = JSONDocument.defaultMaxDepth) throws(JSONError) {
        storage = JSONStorage(owning: bytes)
        try storage.parse(maxDepth: maxDepth)
    }

    /// Parses a copy of `bytes` (UTF-8).
    public init(bytes: UnsafeRawBufferPointer, maxDepth: Int = JSONDocument.defaultMaxDepth) throws(JSONError) {
        storage = JSONStorage(copying: bytes)
        try storage.parse(maxDepth: maxDepth)
    }

    /// Parses the UTF-8 text of `text`.
    public init(string text: String, maxDepth: Int = JSONDocument.defaultMaxDepth) throws(JSONError) {
        var text = text
        storage = text.withUTF8 { JSONStorage(copying: UnsafeRawBufferPointer($0)) }
        try storage.parse(maxDepth: maxDepth)
    }

    /// Reads and parses the file at `path`. Regular files of 64 KiB or more
    /// are memory-mapped read-only (no copy; the file must not be truncated
    /// while the document is alive), others are read into memory. I/O failures
    /// are reported as a `JSONError` without a location (`line == 0`) whose
    /// message names the path.
    public init(contentsOfFile path: String, maxDepth: Int = JSONDocument.defaultMaxDepth) throws(JSONError) {
        storage = try jsonReadFile(path, allowMapping: true).storage
        try storage.parse(maxDepth: maxDepth)
    }

    init(storage: JSONStorage) {
        self.storage = storage
    }

    /// The top-level value.
    public var root: JSONValue { JSONValue(storage: storage, index: 0) }

    /// A copy of the source text.
    public var bytes: [UInt8] { Array(storage.text) }

    /// Calls `body` with the source text (no copy).
    public func withBytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        try storage.withText(body)
    }

    /// Number of tape nodes (one per value, plus one per object key).
    public var nodeCount: Int { storage.nodeCount }

    /// Reads a whole file into a byte array (one read into the array's buffer).
    /// Errors have no location (`line == 0`) and name the path.
    public static func readFile(_ path: String) throws(JSONError) -> [UInt8] {
        switch try jsonReadFile(path, allowMapping: false) {
        case .bytes(let bytes): return bytes
        case .mapped(let address, let length):  // not reached without allowMapping
            defer { munmap(address, length) }
            return Array(UnsafeRawBufferPointer(start: address, count: length))
        }
    }
}

enum JSONFileContents {
    case mapped(UnsafeMutableRawPointer, Int)
    case bytes([UInt8])

    var storage: JSONStorage {
        switch self {
        case .mapped(let address, let length): JSONStorage(mapped: address, length: length)
        case .bytes(let bytes): JSONStorage(owning: bytes)
        }
    }
}

/// Reads a file, or maps it read-only when allowed and worthwhile (regular
/// files of 64 KiB or more). Handles files whose size is unknown or changes
/// (pipes, /proc).
func jsonReadFile(_ path: String, allowMapping: Bool) throws(JSONError) -> JSONFileContents {
    func failure(_ what: String, _ code: Int32) -> JSONError {
        JSONError.unlocated("cannot \(what) '\(path)': \(String(cString: strerror(code)))")
    }
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw failure("open", errno) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw failure("read", errno) }
    if (info.st_mode & S_IFMT) == S_IFDIR { throw failure("read", EISDIR) }
    let size = max(Int(info.st_size), 0)
    if allowMapping && (info.st_mode & S_IFMT) == S_IFREG && size >= 1 << 16 && size < Int(UInt32.max) {
        #if os(Linux)
        let flags = MAP_PRIVATE | MAP_POPULATE
        #else
        let flags = MAP_PRIVATE
        #endif
        if let mapped = mmap(nil, size, PROT_READ, flags, fd, 0), mapped != MAP_FAILED {
            return .mapped(mapped, size)
        }
        // Fall back to reading.
    }
    var failed: Int32 = 0
    func readAll(_ buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var filled = 0
        while filled < buffer.count {
            let r = read(fd, buffer.baseAddress! + filled, buffer.count - filled)
            if r < 0 {
                if errno == EINTR { continue }
                failed = errno
                break
            }
            if r == 0 { break }
            filled += r
        }
        return filled
    }
    // +1: reaching EOF early proves the whole file was read.
    var bytes = [UInt8](unsafeUninitializedCapacity: size + 1) { buffer, initialized in
        initialized = readAll(buffer)
    }
    if failed == 0 && bytes.count == size + 1 {
        // Size unknown (pipes, /proc) or the file grew: read the rest in chunks.
        var chunkSize = max(size, 1 << 16)
        while failed == 0 {
            let chunk = [UInt8](unsafeUninitializedCapacity: chunkSize) { buffer, initialized in
                initialized = readAll(buffer)
            }
            bytes.append(contentsOf: chunk)
            if chunk.count < chunkSize { break }
            chunkSize *= 2
        }
    }
    if failed != 0 { throw failure("read", failed) }
    return .bytes(bytes)
}

/// Parses many small JSON texts (for example the lines of a JSONL stream)
/// reusing its buffers: when the previous document returned by `parse` is no
/// longer referenced, its byte and tape buffers are reused, so steady-state
/// parsing does not allocate.
public struct JSONParser {
    public var maxDepth: Int
    private var storage: JSONStorage?

    public init(maxDepth: Int = JSONDocument.defaultMaxDepth) {
        self.maxDepth = maxDepth
    }

    /// Parses a copy of `bytes`.
    public mutating func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONError) -> JSONDocument {
        let storage: JSONStorage
        // Check uniqueness before binding (a binding would be a second reference).
        if isKnownUniquelyReferenced(&self.storage), let existing = self.storage {
            storage = existing
            storage.setText(UnsafeRawBufferPointer(bytes))
        } else {
            storage = JSONStorage(copying: UnsafeRawBufferPointer(bytes))
            self.storage = storage
        }
        try storage.parse(maxDepth: maxDepth)
        return JSONDocument(storage: storage)
    }

    public mutating func parse(_ bytes: ArraySlice<UInt8>) throws(JSONError) -> JSONDocument {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONError) in try parse(buffer) }
    }

    public mutating func parse(_ bytes: [UInt8]) throws(JSONError) -> JSONDocument {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONError) in try parse(buffer) }
    }

    public mutating func parse(_ text: String) throws(JSONError) -> JSONDocument {
        var text = text
        let result = text.withUTF8 { buffer in Result { () throws(JSONError) in try parse(buffer) } }
        return try result.get()
    }
}
