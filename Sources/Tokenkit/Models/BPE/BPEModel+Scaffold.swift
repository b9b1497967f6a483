/// The two tokens a Scaffold-BPE scaffold was merged from (the first merge that made it).
public struct ScaffoldSplit: Sendable, Equatable {
    public var left: TokenID
    public var right: TokenID

    public init(left: TokenID, right: TokenID) {
        self.left = left
        self.right = right
    }
}

extension BPEModel {
    /// Replaces every scaffold among `symbols` by the two tokens it was merged from, until none
    /// is left (a part may itself be a scaffold). Lengths follow the parts' text: the right part
    /// covers its own key's text (without a continuing-subword prefix, with an end-of-word
    /// suffix not counted), the left part the rest.
    func splitScaffolds(_ symbols: inout [Symbol]) {
        guard symbols.contains(where: { options.scaffoldSplits[$0.id] != nil }) else { return }
        var result: [Symbol] = []
        result.reserveCapacity(symbols.count + 4)
        for symbol in symbols { appendParts(of: symbol, to: &result) }
        symbols = result
    }

    /// `ids` with every scaffold split into its parts (the fast encoder's ids); nil stays nil.
    func splittingScaffolds(_ ids: [TokenID]?) -> [TokenID]? {
        guard let ids, !options.scaffoldSplits.isEmpty, ids.contains(where: { options.scaffoldSplits[$0] != nil }) else { return ids }
        var parts: [Symbol] = []
        parts.reserveCapacity(ids.count + 8)
        for id in ids { appendParts(of: Symbol(id: id, length: 0), to: &parts) }
        return parts.map(\.id)
    }

    /// Appends `symbol`, or, for a scaffold, its parts left to right (recursively).
    private func appendParts(of symbol: Symbol, to result: inout [Symbol]) {
        guard let split = options.scaffoldSplits[symbol.id] else {
            result.append(symbol)
            return
        }
        let rightLength = min(symbol.length, textLength(of: split.right))
        appendParts(of: Symbol(id: split.left, length: symbol.length - rightLength), to: &result)
        appendParts(of: Symbol(id: split.right, length: rightLength), to: &result)
    }

    /// How many bytes of text a token's key stands for (its key without the continuing-subword
    /// prefix and end-of-word suffix; raw bytes in byte-level mode).
    private func textLength(of id: TokenID) -> Int {
        guard let key = keyBytes(forID: id) else { return 0 }
        var length = key.count
        if alphabet == .unicode {
            if let prefix = options.continuingSubwordPrefix, key.starts(with: prefix.utf8) { length -= prefix.utf8.count }
            if let suffix = options.endOfWordSuffix, key.count >= suffix.utf8.count, key.suffix(suffix.utf8.count).elementsEqual(suffix.utf8) {
                length -= suffix.utf8.count
            }
        }
        return max(0, length)
    }
}
