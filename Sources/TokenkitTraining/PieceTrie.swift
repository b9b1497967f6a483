// Performance notes: training words are sequences of character symbols (dense ids), so the trie
// steps once per character rather than once per UTF-8 byte. The root's transitions, taken from
// every position of every word, are a direct array; deeper ones live in one open-addressing table
// keyed by (node << 32 | symbol).

/// A trie over symbol sequences (the pieces of a Unigram model being trained), each piece's node
/// holding its index. Rebuilt whenever the pieces change.
struct PieceTrie {
    private var rootChildren: [Int32]
    private var keys: [UInt64]
    private var children: [Int32]
    private var mask: Int
    /// Piece index at each node, or -1.
    private var values: [Int32] = [-1]

    /// Builds the trie of `pieces` (symbols below `alphabetSize`).
    init(pieces: PieceList, alphabetSize: Int) {
        rootChildren = [Int32](repeating: -1, count: alphabetSize)
        // Grown as transitions are added (at most half full): pieces share most prefixes, so
        // sizing for every symbol of every piece would waste most of the table.
        var capacity = 1024
        while capacity < pieces.count { capacity *= 2 }
        keys = [UInt64](repeating: .max, count: capacity)
        children = [Int32](repeating: 0, count: capacity)
        mask = capacity - 1
        var transitions = 0
        for index in 0..<pieces.count {
            var node: Int32 = 0
            for symbol in pieces[index] {
                if node == 0 {
                    if rootChildren[Int(symbol)] < 0 {
                        rootChildren[Int(symbol)] = Int32(values.count)
                        values.append(-1)
                    }
                    node = rootChildren[Int(symbol)]
                    continue
                }
                let key = UInt64(UInt32(node)) << 32 | UInt64(symbol)
                var slot = Self.slot(key, mask)
                while keys[slot] != .max && keys[slot] != key { slot = (slot &+ 1) & mask }
                if keys[slot] == .max {
                    if (transitions + 1) * 2 > keys.count {
                        grow()
                        slot = Self.slot(key, mask)
                        while keys[slot] != .max { slot = (slot &+ 1) & mask }
                    }
                    keys[slot] = key
                    children[slot] = Int32(values.count)
                    values.append(-1)
                    transitions += 1
                }
                node = children[slot]
            }
            values[Int(node)] = Int32(index)
        }
    }

    private mutating func grow() {
        let oldKeys = keys, oldChildren = children
        keys = [UInt64](repeating: .max, count: oldKeys.count * 2)
        children = [Int32](repeating: 0, count: oldKeys.count * 2)
        mask = keys.count - 1
        for (key, child) in zip(oldKeys, oldChildren) where key != .max {
            var slot = Self.slot(key, mask)
            while keys[slot] != .max { slot = (slot &+ 1) & mask }
            keys[slot] = key
            children[slot] = child
        }
    }

    @inline(__always)
    private static func slot(_ key: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 29) & mask
    }

    /// Calls `body(length, piece)` for every piece that is a prefix of `word[start...]`,
    /// shortest first.
    @inline(__always)
    func forEachPrefix(of word: UnsafeBufferPointer<UInt32>, from start: Int, _ body: (Int, Int32) -> Void) {
        guard start < word.count else { return }
        var node = rootChildren[Int(word[start])]
        guard node >= 0 else { return }
        var end = start + 1
        keys.withUnsafeBufferPointer { keys in
            children.withUnsafeBufferPointer { children in
                values.withUnsafeBufferPointer { values in
                    while true {
                        let value = values[Int(node)]
                        if value >= 0 { body(end - start, value) }
                        guard end < word.count else { return }
                        let key = UInt64(UInt32(node)) << 32 | UInt64(word[end])
                        var slot = Self.slot(key, mask)
                        while true {
                            let stored = keys[slot]
                            if stored == key { break }
                            if stored == .max { return }
                            slot = (slot &+ 1) & mask
                        }
                        node = children[slot]
                        end += 1
                    }
                }
            }
        }
    }
}

/// Pieces as symbol sequences, end to end in one buffer.
struct PieceList {
    private(set) var symbols: [UInt32] = []
    private(set) var starts: [Int] = [0]

    var count: Int { starts.count - 1 }
    var totalLength: Int { symbols.count }

    mutating func append<C: Collection<UInt32>>(_ piece: C) {
        symbols += piece
        starts.append(symbols.count)
    }

    subscript(index: Int) -> ArraySlice<UInt32> { symbols[starts[index]..<starts[index + 1]] }

    func length(_ index: Int) -> Int { starts[index + 1] - starts[index] }

    /// The pieces at `indices`, in that order.
    func subset(_ indices: [Int]) -> PieceList {
        var result = PieceList()
        result.symbols.reserveCapacity(indices.reduce(0) { $0 + length($1) })
        for index in indices { result.append(self[index]) }
        return result
    }
}
