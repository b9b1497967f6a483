// Performance notes: Unigram models walk the trie from every character position
// of the text, byte by byte, so a transition must be cheap and allocation-free.
// Transitions live in one open-addressing table keyed by (node << 8 | byte);
// the root's 256 transitions, taken once per position, are a direct array.

/// A trie over byte strings whose nodes may carry a value (a token id), built once
/// and then only walked. Used for Unigram vocabularies and SentencePiece's
/// user-defined-symbol prefix matcher.
package struct ByteTrie: Sendable {
    /// node → value, or -1.
    private var values: [Int32] = [-1]
    /// Children of the root, by byte (0 = none; the root itself is never a child).
    private var rootChildren = [UInt32](repeating: 0, count: 256)
    /// Other transitions: key (node << 8 | byte) → child. Empty slots hold `UInt64.max`.
    private var keys: [UInt64] = []
    private var children: [UInt32] = []
    private var mask = 0
    private var transitionCount = 0
    /// The length of the longest key.
    private(set) var maxKeyLength = 0

    package static let root: UInt32 = 0

    package init() {
        allocate(capacity: 64)
    }

    var nodeCount: Int { values.count }
    var isEmpty: Bool { maxKeyLength == 0 && values[0] < 0 }

    private mutating func allocate(capacity: Int) {
        keys = [UInt64](repeating: .max, count: capacity)
        children = [UInt32](repeating: 0, count: capacity)
        mask = capacity - 1
    }

    @inline(__always)
    private static func slot(_ key: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 29) & mask
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldChildren = children
        allocate(capacity: keys.count * 2)
        for (key, child) in zip(oldKeys, oldChildren) where key != .max {
            var i = Self.slot(key, mask)
            while keys[i] != .max { i = (i &+ 1) & mask }
            keys[i] = key
            children[i] = child
        }
    }

    /// Inserts `key` with `value`; a key inserted twice keeps the last value.
    package mutating func insert<C: Collection<UInt8>>(_ key: C, value: Int32) {
        var node = Self.root
        for byte in key {
            if let next = child(node, byte) {
                node = next
                continue
            }
            let next = UInt32(values.count)
            values.append(-1)
            if node == Self.root {
                rootChildren[Int(byte)] = next
            } else {
                if (transitionCount + 1) * 2 > keys.count { grow() }
                let k = UInt64(node) << 8 | UInt64(byte)
                var i = Self.slot(k, mask)
                while keys[i] != .max { i = (i &+ 1) & mask }
                keys[i] = k
                children[i] = next
                transitionCount += 1
            }
            node = next
        }
        values[Int(node)] = value
        maxKeyLength = max(maxKeyLength, key.count)
    }

    /// The child of `node` along `byte`, if any.
    @inline(__always)
    func child(_ node: UInt32, _ byte: UInt8) -> UInt32? {
        if node == Self.root {
            let next = rootChildren[Int(byte)]
            return next == 0 ? nil : next
        }
        let k = UInt64(node) << 8 | UInt64(byte)
        return keys.withUnsafeBufferPointer { keys in
            var i = Self.slot(k, mask)
            while true {
                let stored = keys[i]
                if stored == k { return children[i] }
                if stored == .max { return nil }
                i = (i &+ 1) & mask
            }
        }
    }

    /// The value stored at `node`, or -1.
    @inline(__always)
    func value(_ node: UInt32) -> Int32 { values[Int(node)] }

    /// Calls `body(length, value)` for every key that is a prefix of `text[start...]`, shortest first.
    @inline(__always)
    func forEachPrefix(of text: UnsafeBufferPointer<UInt8>, from start: Int, _ body: (Int, Int32) -> Void) {
        var node = Self.root
        var i = start
        while i < text.count, let next = child(node, text[i]) {
            node = next
            i += 1
            let v = values[Int(node)]
            if v >= 0 { body(i - start, v) }
        }
    }

    /// The length and value of the longest key that is a prefix of `text[start...]`.
    package func longestPrefix(of text: UnsafeBufferPointer<UInt8>, from start: Int) -> (length: Int, value: Int32)? {
        var result: (length: Int, value: Int32)?
        forEachPrefix(of: text, from: start) { length, value in result = (length, value) }
        return result
    }

    /// The value of exactly `key`, if it is in the trie.
    package func exactValue(_ key: UnsafeBufferPointer<UInt8>) -> Int32? {
        var node = Self.root
        for byte in key {
            guard let next = child(node, byte) else { return nil }
            node = next
        }
        let v = values[Int(node)]
        return v >= 0 ? v : nil
    }
}
