#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// MARK: - Tape

/// One entry of the flat tape built by the scanner (12 bytes).
///
/// * `start`: byte offset where the token starts (the opening quote of a
///   string, the first character of a number or literal, `[` / `{`).
/// * `payload`: for scalars the byte offset just past the token (for strings:
///   the offset of the closing quote); for arrays and objects the tape index
///   just past the container's last node, so siblings can be skipped in O(1).
/// * `info`: kind (bits 0-2), flags (bits 3-4), and for containers the number
///   of elements / members (bits 5-31, saturating at `JSONNode.countMax`).
///
/// Objects store their members as alternating key (string) and value nodes.
@usableFromInline
struct JSONNode {
    @usableFromInline var start: UInt32
    @usableFromInline var payload: UInt32
    @usableFromInline var info: UInt32

    @inline(__always)
    init(start: UInt32, payload: UInt32, info: UInt32) {
        self.start = start
        self.payload = payload
        self.info = info
    }

    @usableFromInline static let kindNull: UInt32 = 0
    @usableFromInline static let kindFalse: UInt32 = 1
    @usableFromInline static let kindTrue: UInt32 = 2
    @usableFromInline static let kindNumber: UInt32 = 3
    @usableFromInline static let kindString: UInt32 = 4
    @usableFromInline static let kindArray: UInt32 = 5
    @usableFromInline static let kindObject: UInt32 = 6
    @usableFromInline static let kindMask: UInt32 = 7
    /// String: contains at least one backslash escape.
    /// Number: not a plain integer literal (has a fraction, an exponent, or is NaN/Infinity).
    @usableFromInline static let flagEscapedOrNonInteger: UInt32 = 8
    /// Number: `NaN`, `Infinity` or `-Infinity`.
    @usableFromInline static let flagNonFinite: UInt32 = 16
    @usableFromInline static let countShift: UInt32 = 5
    @usableFromInline static let countMax: UInt32 = (1 << 27) - 1

    @inline(__always) @usableFromInline var kind: UInt32 { info & JSONNode.kindMask }
    @inline(__always) @usableFromInline var isContainer: Bool { kind >= JSONNode.kindArray }
}

/// Holds the source text (an allocated copy, a caller's `[UInt8]`, or a
/// read-only file mapping) and the tape. Immutable once shared (the reusable
/// `JSONParser` only mutates it while it is uniquely referenced).
@usableFromInline
final class JSONStorage: @unchecked Sendable {
    // Mutated only while uniquely referenced: no dynamic exclusivity checks
    // (they would dominate value access).
    /// Source text; `byteCapacity` bytes allocated.
    @exclusivity(unchecked) @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) @usableFromInline var byteCount: Int
    @exclusivity(unchecked) var byteCapacity: Int
    /// Length of the file mapping when `base` is a read-only `mmap` of a file
    /// (then `byteCapacity == byteCount` and the text must not be written).
    @exclusivity(unchecked) var mappedLength = 0
    /// When set, `base` points into this array's buffer (not owned by us).
    /// `[UInt8]` always has native contiguous storage, which is never moved or
    /// mutated while this reference keeps it shared.
    @exclusivity(unchecked) var owner: [UInt8]? = nil
    @exclusivity(unchecked) @usableFromInline var nodes: UnsafeMutablePointer<JSONNode>
    @exclusivity(unchecked) @usableFromInline var nodeCount: Int
    /// Usable (for a reserved tape: populated) node capacity.
    @exclusivity(unchecked) var nodeCapacity: Int
    /// When > 0, `nodes` is an anonymous mapping reserving this many nodes
    /// (large documents on Linux), populated in chunks as the tape grows.
    @exclusivity(unchecked) var nodeReserved = 0
    /// Scratch stack of open containers, kept for reuse by `JSONParser`.
    @exclusivity(unchecked) var frames: UnsafeMutablePointer<JSONContainerFrame>? = nil
    @exclusivity(unchecked) var frameCapacity = 0

    /// Storage with room for `byteCapacity` bytes of text (uninitialized).
    init(byteCapacity: Int) {
        self.byteCapacity = max(byteCapacity, 1)
        base = UnsafeMutablePointer<UInt8>.allocate(capacity: self.byteCapacity)
        byteCount = 0
        nodeCapacity = 0
        nodes = jsonReallocateNodes(nil, 0)
        nodeCount = 0
    }

    convenience init(copying bytes: UnsafeRawBufferPointer) {
        self.init(byteCapacity: bytes.count)
        setText(bytes)
    }

    /// Storage whose text is the buffer of `bytes` (no copy).
    init(owning bytes: [UInt8]) {
        let address = bytes.withUnsafeBufferPointer { $0.baseAddress }
        if let address, !bytes.isEmpty {
            base = UnsafeMutablePointer(mutating: address)
            owner = bytes
            byteCount = bytes.count
            byteCapacity = bytes.count
        } else {
            byteCapacity = 1
            base = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
            byteCount = 0
        }
        nodeCapacity = 0
        nodes = jsonReallocateNodes(nil, 0)
        nodeCount = 0
    }

    /// Storage whose text is a read-only mapping of `length` bytes.
    init(mapped: UnsafeMutableRawPointer, length: Int) {
        base = mapped.assumingMemoryBound(to: UInt8.self)
        byteCount = length
        byteCapacity = length
        mappedLength = length
        nodeCapacity = 0
        nodes = jsonReallocateNodes(nil, 0)
        nodeCount = 0
    }

    deinit {
        releaseText()
        releaseNodes()
        free(frames)
    }

    private func releaseNodes() {
        if nodeReserved > 0 {
            munmap(UnsafeMutableRawPointer(nodes), nodeReserved * MemoryLayout<JSONNode>.stride)
            nodeReserved = 0
        } else {
            free(nodes)
        }
    }

    private func releaseText() {
        if mappedLength > 0 {
            munmap(UnsafeMutableRawPointer(base), mappedLength)
            mappedLength = 0
        } else if owner != nil {
            owner = nil
        } else {
            base.deallocate()
        }
    }

    /// Whether `base` is a buffer this storage allocated (and may write).
    private var ownsWritableText: Bool { mappedLength == 0 && owner == nil }

    /// Replaces the text with a copy of `bytes` (growing the buffer if needed).
    func setText(_ bytes: UnsafeRawBufferPointer) {
        if bytes.count > byteCapacity || !ownsWritableText {
            releaseText()
            byteCapacity = max(bytes.count, byteCapacity * 2, 1)
            base = UnsafeMutablePointer<UInt8>.allocate(capacity: byteCapacity)
        }
        if let source = bytes.baseAddress, bytes.count > 0 {
            UnsafeMutableRawPointer(base).copyMemory(from: source, byteCount: bytes.count)
        }
        byteCount = bytes.count
        nodeCount = 0
    }

    @inline(__always) @usableFromInline
    var text: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: byteCount) }

    @inline(__always) @usableFromInline
    func withText<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        try body(UnsafeBufferPointer(start: base, count: byteCount))
    }

    /// Tape index just past node `index` and all its descendants.
    @inline(__always) @usableFromInline
    func next(after index: Int) -> Int {
        let node = nodes[index]
        return node.isContainer ? Int(node.payload) : index + 1
    }

    /// Parses the text into the tape, reusing the tape's capacity.
    func parse(maxDepth: Int) throws(JSONError) {
        let text = self.text
        guard text.count < Int(UInt32.max) else {
            throw JSONError.unlocated("JSON text too large (\(text.count) bytes; the maximum is 4 GiB)")
        }
        // A JSON text of n bytes has at most n / 2 + 1 nodes.
        let maxNodes = text.count / 2 + 2
        if text.count >= jsonReservedTapeThreshold && nodeReserved < maxNodes,
            let reserved = jsonReserveNodes(maxNodes)
        {
            // Large text: reserve address space for the worst case (never
            // copied when growing) and populate it chunk by chunk, which is
            // cheaper than taking one page fault per 4 KiB.
            releaseNodes()
            nodes = reserved
            nodeReserved = maxNodes
            nodeCapacity = 0
        } else if nodeReserved == 0 {
            // Pretty-printed tokenizer files use ~15 bytes per node, compact
            // numeric arrays down to 2: start at n / 8 and double as needed.
            let estimate = text.count / 8 + 16
            if nodeCapacity < estimate {
                nodes = jsonReallocateNodes(nodes, estimate)
                nodeCapacity = estimate
            }
        }
        var scanner = JSONScanner(
            text: text, nodes: nodes, nodeCapacity: nodeCapacity, maxDepth: max(1, maxDepth))
        scanner.nodeReserved = nodeReserved
        scanner.frames = frames
        scanner.frameCapacity = frameCapacity
        defer {
            nodes = scanner.nodes
            nodeCapacity = scanner.nodeCapacity
            nodeCount = scanner.nodeCount
            frames = scanner.frames
            frameCapacity = scanner.frameCapacity
        }
        nodeCount = 0
        try scanner.run()
    }
}

/// Texts at least this large get a reserved, chunk-populated tape (Linux).
let jsonReservedTapeThreshold = 1 << 20
/// Nodes populated at a time in a reserved tape (768 KiB).
let jsonTapeChunk = 1 << 16

/// Reserves address space for `count` nodes (not committed), or nil where
/// not supported.
func jsonReserveNodes(_ count: Int) -> UnsafeMutablePointer<JSONNode>? {
    #if os(Linux)
    let size = count * MemoryLayout<JSONNode>.stride
    guard let raw = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
        raw != MAP_FAILED
    else { return nil }
    return raw.bindMemory(to: JSONNode.self, capacity: count)
    #else
    return nil
    #endif
}

/// Makes nodes `from..<to` of a reserved tape usable, populating their pages
/// in one call where the kernel supports it (else they fault in lazily).
func jsonPopulateNodes(_ nodes: UnsafeMutablePointer<JSONNode>, from: Int, to: Int) {
    #if os(Linux)
    let page = 4096
    let stride = MemoryLayout<JSONNode>.stride
    let start = (from * stride) & ~(page - 1)
    let end = (to * stride + page - 1) & ~(page - 1)
    let madvisePopulateWrite: Int32 = 23  // MADV_POPULATE_WRITE, Linux 5.14+
    _ = madvise(UnsafeMutableRawPointer(nodes) + start, end - start, madvisePopulateWrite)
    #endif
}

func jsonReallocateNodes(_ old: UnsafeMutablePointer<JSONNode>?, _ count: Int) -> UnsafeMutablePointer<JSONNode> {
    let size = max(count, 1) * MemoryLayout<JSONNode>.stride
    guard let raw = realloc(old.map { UnsafeMutableRawPointer($0) }, size) else {
        fatalError("Tokenkit JSON: out of memory allocating \(size) bytes")
    }
    return raw.bindMemory(to: JSONNode.self, capacity: max(count, 1))
}

// MARK: - Scanner

private let lowBytes: UInt64 = 0x0101_0101_0101_0101
private let highBits: UInt64 = 0x8080_8080_8080_8080

/// Marks (0x80 in a byte, first byte in the low bits) the bytes of `v` that
/// end a plain run inside a string: `"`, `\` and control characters (< 0x20).
/// Only the lowest mark is exact (borrows may mark bytes above it).
@inline(__always)
private func stringStopMask(_ v: UInt64) -> UInt64 {
    let q = v ^ (lowBytes &* 0x22)
    let b = v ^ (lowBytes &* 0x5C)
    let hasQuote = (q &- lowBytes) & ~q
    let hasBackslash = (b &- lowBytes) & ~b
    let hasControl = (v &- (lowBytes &* 0x20)) & ~v
    return (hasQuote | hasBackslash | hasControl) & highBits
}

@inline(__always)
private func load64(_ p: UnsafePointer<UInt8>) -> UInt64 {
    UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
}

struct JSONContainerFrame {
    var node: Int
    var count: UInt32
    var isObject: Bool
}

/// One pass over the text: validates it (RFC 8259 plus `NaN`, `Infinity`,
/// `-Infinity`) and appends the tape. Strings are validated, not decoded.
///
/// Hot state lives in locals of `run()`; helpers are static functions on
/// (pointer, length, index) so nothing is spilled through `self`.
struct JSONScanner {
    let text: UnsafeBufferPointer<UInt8>
    var nodes: UnsafeMutablePointer<JSONNode>
    var nodeCount = 0
    var nodeCapacity: Int
    var nodeReserved = 0
    let maxDepth: Int
    var frames: UnsafeMutablePointer<JSONContainerFrame>? = nil
    var frameCapacity = 0

    init(text: UnsafeBufferPointer<UInt8>, nodes: UnsafeMutablePointer<JSONNode>, nodeCapacity: Int, maxDepth: Int) {
        self.text = text
        self.nodes = nodes
        self.nodeCapacity = nodeCapacity
        self.maxDepth = maxDepth
    }

    mutating func run() throws(JSONError) {
        let text = self.text
        // An empty buffer may have no base address; any pointer works as n == 0.
        let p = text.baseAddress ?? UnsafePointer(bitPattern: 1)!
        let n = text.count
        var nodes = self.nodes
        var count = 0
        var capacity = self.nodeCapacity
        let reserved = self.nodeReserved
        defer {
            self.nodes = nodes
            self.nodeCount = count
            self.nodeCapacity = capacity
        }
        let maxDepth = self.maxDepth
        if frames == nil || frameCapacity < 1 {
            frameCapacity = min(maxDepth, 32)
            frames = jsonReallocateFrames(frames, frameCapacity)
        }
        var stack = frames!
        var stackCapacity = frameCapacity
        // depth == stackLimit: grow the stack or fail (the scratch stack may
        // be larger than this parse's maxDepth when reused).
        var stackLimit = min(stackCapacity, maxDepth)
        defer {
            frames = stack
            frameCapacity = stackCapacity
        }
        var depth = 0
        let table = utf8DFATable

        @inline(__always)
        func at(_ i: Int) -> UInt8 { i < n ? p[i] : 0 }

        if n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF {
            throw JSONError.at(0, in: text, "unexpected byte order mark (U+FEFF) at the start of the JSON text")
        }
        var i = jsonSkipWhitespace(p, n, 0)

        valueLoop: while true {
            // `i` is at the first byte of a value (whitespace already skipped).
            let c = at(i)
            switch c {
            case UInt8(ascii: "\""):
                let (end, info) = try jsonScanString(p, n, i, text, table)
                jsonPush(&nodes, &count, &capacity, reserved, i, end, info)
                i = end + 1
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let isObject = c == UInt8(ascii: "{")
                if depth == stackLimit {
                    guard depth < maxDepth else {
                        throw JSONError.at(i, in: text, "nesting too deep (more than \(maxDepth) levels of arrays and objects)")
                    }
                    stackCapacity = min(maxDepth, stackCapacity * 2)
                    stack = jsonReallocateFrames(stack, stackCapacity)
                    stackLimit = stackCapacity
                }
                stack[depth] = JSONContainerFrame(node: count, count: 0, isObject: isObject)
                depth += 1
                jsonPush(&nodes, &count, &capacity, reserved, i, 0, isObject ? JSONNode.kindObject : JSONNode.kindArray)
                i = jsonSkipWhitespace(p, n, i + 1)
                let closer = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if at(i) == closer {
                    i += 1
                    depth -= 1
                    jsonClose(nodes, count, stack[depth])
                } else {
                    stack[depth - 1].count = 1
                    if isObject {
                        i = try jsonScanKey(p, n, i, text, &nodes, &count, &capacity, reserved, table)
                    }
                    continue valueLoop
                }
            case UInt8(ascii: "t"):
                try jsonExpectLiteral(p, n, i, i, 0x6575_7274, "true", text)
                jsonPush(&nodes, &count, &capacity, reserved, i, i + 4, JSONNode.kindTrue)
                i += 4
            case UInt8(ascii: "f"):
                try jsonExpectLiteral(p, n, i + 1, i, 0x6573_6C61, "false", text)  // "alse"
                jsonPush(&nodes, &count, &capacity, reserved, i, i + 5, JSONNode.kindFalse)
                i += 5
            case UInt8(ascii: "n"):
                try jsonExpectLiteral(p, n, i, i, 0x6C6C_756E, "null", text)
                jsonPush(&nodes, &count, &capacity, reserved, i, i + 4, JSONNode.kindNull)
                i += 4
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "N"), UInt8(ascii: "I"):
                let (end, info) = try jsonScanNumber(p, n, i, text)
                jsonPush(&nodes, &count, &capacity, reserved, i, end, info)
                i = end
            default:
                throw jsonUnexpectedInValuePosition(p, n, i, text)
            }

            // After a value: close containers / move on to the next element.
            while depth > 0 {
                i = jsonSkipWhitespace(p, n, i)
                let c = at(i)
                let top = depth - 1
                if stack[top].isObject {
                    if c == UInt8(ascii: ",") {
                        stack[top].count &+= 1
                        i = try jsonScanKey(p, n, jsonSkipWhitespace(p, n, i + 1), text, &nodes, &count, &capacity, reserved, table)
                        continue valueLoop
                    } else if c == UInt8(ascii: "}") {
                        i += 1
                        depth = top
                        jsonClose(nodes, count, stack[top])
                    } else {
                        throw jsonBadAfterValue(p, n, i, Int(nodes[stack[top].node].start), isObject: true, text)
                    }
                } else {
                    if c == UInt8(ascii: ",") {
                        stack[top].count &+= 1
                        i = jsonSkipWhitespace(p, n, i + 1)
                        continue valueLoop
                    } else if c == UInt8(ascii: "]") {
                        i += 1
                        depth = top
                        jsonClose(nodes, count, stack[top])
                    } else {
                        throw jsonBadAfterValue(p, n, i, Int(nodes[stack[top].node].start), isObject: false, text)
                    }
                }
            }
            break
        }

        i = jsonSkipWhitespace(p, n, i)
        if i < n {
            throw JSONError.at(i, in: text, "unexpected \(jsonDescribeByte(p[i])) after the end of the JSON value")
        }
    }
}

// MARK: - Scanner helpers

@inline(never)
func jsonReallocateFrames(_ old: UnsafeMutablePointer<JSONContainerFrame>?, _ count: Int) -> UnsafeMutablePointer<JSONContainerFrame> {
    let size = max(count, 1) * MemoryLayout<JSONContainerFrame>.stride
    guard let raw = realloc(old.map { UnsafeMutableRawPointer($0) }, size) else {
        fatalError("Tokenkit JSON: out of memory allocating \(size) bytes")
    }
    return raw.bindMemory(to: JSONContainerFrame.self, capacity: max(count, 1))
}

@inline(__always)
private func jsonPush(
    _ nodes: inout UnsafeMutablePointer<JSONNode>, _ count: inout Int, _ capacity: inout Int, _ reserved: Int,
    _ start: Int, _ payload: Int, _ info: UInt32
) {
    if count == capacity { jsonGrow(&nodes, &capacity, reserved) }
    nodes[count] = JSONNode(
        start: UInt32(truncatingIfNeeded: start), payload: UInt32(truncatingIfNeeded: payload), info: info)
    count += 1
}

@inline(never)
private func jsonGrow(_ nodes: inout UnsafeMutablePointer<JSONNode>, _ capacity: inout Int, _ reserved: Int) {
    if reserved > 0 {
        // Cannot overflow: a text never has more nodes than reserved.
        let newCapacity = min(capacity + jsonTapeChunk, reserved)
        jsonPopulateNodes(nodes, from: capacity, to: newCapacity)
        capacity = newCapacity
        return
    }
    capacity = max(capacity * 2, 64)
    nodes = jsonReallocateNodes(nodes, capacity)
}

@inline(__always)
private func jsonClose(_ nodes: UnsafeMutablePointer<JSONNode>, _ count: Int, _ frame: JSONContainerFrame) {
    let n = min(frame.count, JSONNode.countMax)
    nodes[frame.node].payload = UInt32(truncatingIfNeeded: count)
    nodes[frame.node].info |= n << JSONNode.countShift
}

@inline(__always)
private func jsonSkipWhitespace(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int) -> Int {
    if i < n && p[i] > 0x20 { return i }
    return jsonSkipWhitespaceSlow(p, n, i)
}

private func jsonSkipWhitespaceSlow(_ p: UnsafePointer<UInt8>, _ n: Int, _ start: Int) -> Int {
    var i = start
    while i < n {
        let c = p[i]
        if c == 0x20 {
            i += 1
            // Indentation: skip runs of spaces 8 at a time.
            while i + 8 <= n {
                let v = load64(p + i) ^ (lowBytes &* 0x20)
                if v != 0 {
                    i += v.trailingZeroBitCount >> 3
                    break
                }
                i += 8
            }
        } else if c == 0x0A || c == 0x0D || c == 0x09 {
            i += 1
        } else {
            break
        }
    }
    return i
}

/// `start` is at an object key position. Scans `"key"`, whitespace and `:`,
/// appends the key node and returns the index of the member's value.
@inline(__always)
private func jsonScanKey(
    _ p: UnsafePointer<UInt8>, _ n: Int, _ start: Int, _ text: UnsafeBufferPointer<UInt8>,
    _ nodes: inout UnsafeMutablePointer<JSONNode>, _ count: inout Int, _ capacity: inout Int, _ reserved: Int,
    _ table: UnsafePointer<UInt64>
) throws(JSONError) -> Int {
    guard start < n && p[start] == UInt8(ascii: "\"") else { throw jsonBadKey(p, n, start, text) }
    let (end, info) = try jsonScanString(p, n, start, text, table)
    jsonPush(&nodes, &count, &capacity, reserved, start, end, info)
    var i = end + 1
    if i < n && p[i] == UInt8(ascii: ":") {
        return jsonSkipWhitespace(p, n, i + 1)
    }
    i = jsonSkipWhitespace(p, n, i)
    guard i < n && p[i] == UInt8(ascii: ":") else {
        throw i >= n
            ? JSONError.at(i, in: text, "unexpected end of input: expected ':' after object key")
            : JSONError.at(i, in: text, "expected ':' after object key, found \(jsonDescribeByte(p[i]))")
    }
    return jsonSkipWhitespace(p, n, i + 1)
}

/// `start` is at the opening quote. Validates the string and returns the
/// index of the closing quote and the node info (escape flag).
@inline(__always)
private func jsonScanString(
    _ p: UnsafePointer<UInt8>, _ n: Int, _ start: Int, _ text: UnsafeBufferPointer<UInt8>,
    _ table: UnsafePointer<UInt64>
) throws(JSONError) -> (end: Int, info: UInt32) {
    var i = start + 1
    var info = JSONNode.kindString
    var seen: UInt64 = 0  // OR of the plain bytes, to detect non-ASCII
    while true {
        while i + 8 <= n {
            let v = load64(p + i)
            let mask = stringStopMask(v)
            if mask != 0 {
                seen |= v & (mask ^ (mask &- 1))  // bytes before the stop (the stop byte is ASCII)
                i += mask.trailingZeroBitCount >> 3
                break
            }
            seen |= v
            i += 8
        }
        guard i < n else {
            throw JSONError.at(start, in: text, "unexpected end of input: unterminated string")
        }
        let c = p[i]
        if c == UInt8(ascii: "\"") {
            break
        } else if c == UInt8(ascii: "\\") {
            info = JSONNode.kindString | JSONNode.flagEscapedOrNonInteger
            i = try jsonScanEscape(p, n, i, start, text)
        } else if c < 0x20 {
            throw jsonControlCharacter(c, i, text)
        } else {
            seen |= UInt64(c)  // the last < 8 bytes of the text
            i += 1
        }
    }
    if seen & highBits != 0 && !jsonIsValidUTF8(p, start + 1, i, table) {
        throw JSONError.at(jsonFirstInvalidUTF8(p, start + 1, i), in: text, "invalid UTF-8 in string")
    }
    return (i, info)
}

/// Whether `start..<end` is valid UTF-8 (escape sequences are ASCII).
@inline(__always)
private func jsonIsValidUTF8(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ table: UnsafePointer<UInt64>) -> Bool {
    // `&>>` uses only the low 6 bits of the shift amount, so the state needs
    // no masking inside the loop (one shift per byte on the critical path).
    var state: UInt64 = 0
    var i = start
    while i < end {
        state = table[Int(p[i])] &>> state
        i += 1
    }
    return state & 63 == 0
}

/// Index of the first byte in `start..<end` that is not part of valid UTF-8,
/// for error messages.
@inline(never)
private func jsonFirstInvalidUTF8(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
    var i = start
    while i < end {
        var state: UInt64 = 0
        let sequenceStart = i
        repeat {
            state = (utf8DFATable[Int(p[i])] &>> state) & 63
            i += 1
        } while state != 0 && state != 48 && i < end
        if state != 0 { return sequenceStart }
    }
    return end
}

/// `i` is at a backslash; returns the index after the escape sequence.
@inline(__always)
private func jsonScanEscape(
    _ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int, _ stringStart: Int, _ text: UnsafeBufferPointer<UInt8>
) throws(JSONError) -> Int {
    let e = i + 1 < n ? p[i + 1] : 0
    switch e {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
        UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
        return i + 2
    case UInt8(ascii: "u"):
        return try jsonScanUnicodeEscape(p, n, i, text)
    default:
        throw jsonBadEscape(p, n, i, stringStart, text)
    }
}

private func jsonScanUnicodeEscape(
    _ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int, _ text: UnsafeBufferPointer<UInt8>
) throws(JSONError) -> Int {
    guard let unit = jsonScanHex4(p, n, i + 2) else {
        throw JSONError.at(i, in: text, "invalid \\u escape: expected 4 hex digits")
    }
    if unit & 0xF800 != 0xD800 { return i + 6 }
    if unit >= 0xDC00 {
        throw JSONError.at(i, in: text, "invalid \\u escape: lone low surrogate \\u\(jsonHexString(unit)) (not preceded by a high surrogate)")
    }
    if i + 7 < n && p[i + 6] == UInt8(ascii: "\\") && p[i + 7] == UInt8(ascii: "u") {
        guard let low = jsonScanHex4(p, n, i + 8) else {
            throw JSONError.at(i + 6, in: text, "invalid \\u escape: expected 4 hex digits")
        }
        if low >= 0xDC00 && low <= 0xDFFF { return i + 12 }
    }
    throw JSONError.at(i, in: text, "invalid \\u escape: lone high surrogate \\u\(jsonHexString(unit)) (not followed by a low surrogate escape)")
}

private func jsonScanHex4(_ p: UnsafePointer<UInt8>, _ n: Int, _ start: Int) -> UInt32? {
    guard start + 4 <= n else { return nil }
    var value: UInt32 = 0
    for k in start..<(start + 4) {
        let d = jsonHexValue(p[k])
        if d > 15 { return nil }
        value = value << 4 | d
    }
    return value
}

private func jsonHexString(_ unit: UInt32) -> String {
    let s = String(unit, radix: 16)
    return String(repeating: "0", count: max(0, 4 - s.count)) + s
}

/// Scans `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, `NaN`, `Infinity`
/// or `-Infinity`; returns the end index and node info.
@inline(__always)
private func jsonScanNumber(
    _ p: UnsafePointer<UInt8>, _ n: Int, _ start: Int, _ text: UnsafeBufferPointer<UInt8>
) throws(JSONError) -> (end: Int, info: UInt32) {
    @inline(__always) func at(_ k: Int) -> UInt8 { k < n ? p[k] : 0 }
    var i = start
    var info = JSONNode.kindNumber
    var c = p[i]
    if c == UInt8(ascii: "-") {
        i += 1
        c = at(i)
    }
    if c == UInt8(ascii: "0") {
        i += 1
        if (at(i) &- 0x30) < 10 {
            throw JSONError.at(start, in: text, "invalid number: leading zeros are not allowed")
        }
    } else if (c &- 0x31) < 9 {
        i += 1
        while (at(i) &- 0x30) < 10 { i += 1 }
    } else {
        return try jsonScanNonFinite(p, n, start, i, text)
    }
    c = at(i)
    if c == UInt8(ascii: ".") {
        i += 1
        guard (at(i) &- 0x30) < 10 else {
            throw JSONError.at(i, in: text, "invalid number: expected a digit after the decimal point")
        }
        while (at(i) &- 0x30) < 10 { i += 1 }
        info |= JSONNode.flagEscapedOrNonInteger
        c = at(i)
    }
    if c | 0x20 == UInt8(ascii: "e") {
        i += 1
        c = at(i)
        if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") { i += 1 }
        guard (at(i) &- 0x30) < 10 else {
            throw JSONError.at(i, in: text, "invalid number: expected a digit in the exponent")
        }
        while (at(i) &- 0x30) < 10 { i += 1 }
        info |= JSONNode.flagEscapedOrNonInteger
    }
    return (i, info)
}

/// `NaN`, `Infinity`, `-Infinity` (as written by Python's json module).
/// `i` is after the optional minus sign.
@inline(never)
private func jsonScanNonFinite(
    _ p: UnsafePointer<UInt8>, _ n: Int, _ start: Int, _ i: Int, _ text: UnsafeBufferPointer<UInt8>
) throws(JSONError) -> (end: Int, info: UInt32) {
    let info = JSONNode.kindNumber | JSONNode.flagEscapedOrNonInteger | JSONNode.flagNonFinite
    if i + 8 <= n && memcmp(p + i, "Infinity", 8) == 0 && !(i + 8 < n && jsonIsIdentifierByte(p[i + 8])) {
        return (i + 8, info)
    }
    if i == start && i + 3 <= n && memcmp(p + i, "NaN", 3) == 0 && !(i + 3 < n && jsonIsIdentifierByte(p[i + 3])) {
        return (i + 3, info)
    }
    if i > start {
        throw JSONError.at(i, in: text, "invalid number: expected a digit after '-'")
    }
    throw JSONError.at(i, in: text, "expected a value, found \(jsonDescribeByte(p[i]))")
}

/// Checks the 4 bytes at `i` against `word` (little-endian ASCII).
@inline(__always)
private func jsonExpectLiteral(
    _ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int, _ reportAt: Int, _ word: UInt32, _ literal: StaticString,
    _ text: UnsafeBufferPointer<UInt8>
) throws(JSONError) {
    if i + 4 <= n && UInt32(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt32.self)) == word
        && !(i + 4 < n && jsonIsIdentifierByte(p[i + 4]))
    {
        return
    }
    throw JSONError.at(reportAt, in: text, "invalid literal (expected '\(literal)')")
}

@inline(__always)
private func jsonIsIdentifierByte(_ c: UInt8) -> Bool {
    let lower = c | 0x20
    return (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")) || (c &- 0x30) < 10 || c == UInt8(ascii: "_")
}

// MARK: - Error construction (cold)

@inline(never)
private func jsonUnexpectedInValuePosition(
    _ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int, _ text: UnsafeBufferPointer<UInt8>
) -> JSONError {
    if i >= n {
        let onlyWhitespace = jsonSkipWhitespace(p, n, 0) >= n
        return JSONError.at(i, in: text, onlyWhitespace
            ? "unexpected end of input: expected a JSON value"
            : "unexpected end of input: expected a value")
    }
    let c = p[i]
    var previous = i - 1
    while previous >= 0 && (p[previous] == 0x20 || p[previous] == 0x0A || p[previous] == 0x0D || p[previous] == 0x09) {
        previous -= 1
    }
    if (c == UInt8(ascii: "]") || c == UInt8(ascii: "}")) && previous >= 0 && p[previous] == UInt8(ascii: ",") {
        return JSONError.at(i, in: text, "expected a value, found \(jsonDescribeByte(c)) (trailing comma?)")
    }
    if c == UInt8(ascii: "'") {
        return JSONError.at(i, in: text, "expected a value, found \"'\" (JSON strings use double quotes)")
    }
    if c == 0xEF && i + 2 < n && p[i + 1] == 0xBB && p[i + 2] == 0xBF {
        return JSONError.at(i, in: text, "unexpected byte order mark (U+FEFF)")
    }
    return JSONError.at(i, in: text, "expected a value, found \(jsonDescribeByte(c))")
}

@inline(never)
private func jsonBadAfterValue(
    _ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int, _ containerStart: Int, isObject: Bool,
    _ text: UnsafeBufferPointer<UInt8>
) -> JSONError {
    if i >= n {
        return JSONError.at(containerStart, in: text, isObject
            ? "unexpected end of input: unterminated object (missing '}')"
            : "unexpected end of input: unterminated array (missing ']')")
    }
    return JSONError.at(i, in: text, isObject
        ? "expected ',' or '}' after object member, found \(jsonDescribeByte(p[i]))"
        : "expected ',' or ']' after array element, found \(jsonDescribeByte(p[i]))")
}

@inline(never)
private func jsonBadKey(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int, _ text: UnsafeBufferPointer<UInt8>) -> JSONError {
    if i >= n { return JSONError.at(i, in: text, "unexpected end of input: expected a string key") }
    let c = p[i]
    if c == UInt8(ascii: "}") { return JSONError.at(i, in: text, "expected a string key, found '}' (trailing comma?)") }
    return JSONError.at(i, in: text, "expected a string key in double quotes, found \(jsonDescribeByte(c))")
}

@inline(never)
private func jsonControlCharacter(_ c: UInt8, _ i: Int, _ text: UnsafeBufferPointer<UInt8>) -> JSONError {
    let hex = String(c, radix: 16, uppercase: true)
    let name = c == 0x0A ? " (newline)" : c == 0x09 ? " (tab)" : c == 0x0D ? " (carriage return)" : ""
    return JSONError.at(i, in: text, "unescaped control character U+00\(hex.count < 2 ? "0" + hex : hex)\(name) in string")
}

@inline(never)
private func jsonBadEscape(
    _ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int, _ stringStart: Int, _ text: UnsafeBufferPointer<UInt8>
) -> JSONError {
    if i + 1 >= n { return JSONError.at(stringStart, in: text, "unexpected end of input: unterminated string") }
    let e = p[i + 1]
    let shown = e >= 0x20 && e < 0x7F ? String(Unicode.Scalar(e)) : jsonDescribeByte(e)
    return JSONError.at(i, in: text, "invalid escape sequence '\\\(shown)' in string")
}

/// Value of a hex digit, or a value > 15.
@inline(__always)
func jsonHexValue(_ c: UInt8) -> UInt32 {
    let d = UInt32(c &- 0x30)
    if d < 10 { return d }
    let l = UInt32((c | 0x20) &- 0x61)
    return l < 6 ? l + 10 : 255
}
