// Performance notes: the vocabulary and merge lists of large tokenizers hold
// hundreds of thousands of strings. Going through `JSONValue` for each would
// retain and release the document per value; these views read the tape and the
// text through plain pointers, valid only inside the call that hands them out.

/// One value of a document, read straight from the tape (no reference counting). Valid while
/// the `JSONTapeSequence` that produced it is in use.
struct JSONTapeValue {
    let nodes: UnsafePointer<JSONNode>
    let text: UnsafePointer<UInt8>
    let index: Int

    @inline(__always) var node: JSONNode { nodes[index] }
    @inline(__always) var isString: Bool { node.kind == JSONNode.kindString }
    @inline(__always) var isArray: Bool { node.kind == JSONNode.kindArray }

    /// The index just past this value and its descendants.
    @inline(__always) var next: Int {
        let node = self.node
        return node.isContainer ? Int(node.payload) : index &+ 1
    }

    /// Calls `body` with the decoded UTF-8 of a string (in place when it has no escapes);
    /// nil for other kinds.
    @inline(__always)
    func withStringBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R? {
        let node = self.node
        guard node.kind == JSONNode.kindString else { return nil }
        let raw = UnsafeBufferPointer(start: text + Int(node.start) + 1, count: Int(node.payload - node.start) - 1)
        if node.info & JSONNode.flagEscapedOrNonInteger == 0 { return body(raw) }
        return jsonWithUnescaped(raw, body)
    }

    /// An integer number (see `JSONValue.int`), else nil.
    @inline(__always) var int: Int? {
        let node = self.node
        guard node.info & (JSONNode.kindMask | JSONNode.flagEscapedOrNonInteger) == JSONNode.kindNumber else { return nil }
        return jsonParseInt(text + Int(node.start), Int(node.payload - node.start))
    }

    /// The elements of an array of exactly two values, else nil.
    var pair: (JSONTapeValue, JSONTapeValue)? {
        let node = self.node
        guard node.kind == JSONNode.kindArray else { return nil }
        let first = JSONTapeValue(nodes: nodes, text: text, index: index &+ 1)
        guard first.index < Int(node.payload) else { return nil }
        let second = JSONTapeValue(nodes: nodes, text: text, index: first.next)
        guard second.index < Int(node.payload), second.next == Int(node.payload) else { return nil }
        return (first, second)
    }

    /// The value as a `JSONValue`, for error reporting.
    func value(in document: JSONValue) -> JSONValue { JSONValue(storage: document.storage, index: index) }
}

/// The elements of an array (or members of an object, key then value) as tape values. Holds the
/// document, so the values stay valid while the sequence is in use.
struct JSONTapeSequence: Sequence, IteratorProtocol {
    private let storage: JSONStorage
    private let nodes: UnsafePointer<JSONNode>
    private let text: UnsafePointer<UInt8>
    private var current: Int
    private let end: Int

    fileprivate init(storage: JSONStorage, first: Int, end: Int) {
        self.storage = storage
        nodes = UnsafePointer(storage.nodes)
        text = UnsafePointer(storage.base)
        current = first
        self.end = end
    }

    /// Removes the first `n` remaining values (or all, when fewer remain) and returns them, with
    /// their count.
    mutating func take(_ n: Int) -> (values: JSONTapeSequence, count: Int) {
        let first = current
        var taken = 0
        while taken < n, current < end {
            current = JSONTapeValue(nodes: nodes, text: text, index: current).next
            taken += 1
        }
        return (JSONTapeSequence(storage: storage, first: first, end: current), taken)
    }

    mutating func next() -> JSONTapeValue? {
        guard current < end else { return nil }
        let value = JSONTapeValue(nodes: nodes, text: text, index: current)
        current = value.next
        return value
    }
}

extension JSONValue {
    /// The elements of an array as tape values (empty for other kinds).
    var tapeElements: JSONTapeSequence {
        let node = self.node
        return JSONTapeSequence(storage: storage, first: index + 1, end: node.kind == JSONNode.kindArray ? Int(node.payload) : index + 1)
    }

    /// The members of an object as tape values, each key followed by its value (empty for other kinds).
    var tapeMembers: JSONTapeSequence {
        let node = self.node
        return JSONTapeSequence(storage: storage, first: index + 1, end: node.kind == JSONNode.kindObject ? Int(node.payload) : index + 1)
    }
}
