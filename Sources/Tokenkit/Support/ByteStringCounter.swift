/// Counts occurrences of byte strings (the words of a training corpus) with one hash table
/// probe per occurrence and no allocation per string: keys live end to end in one buffer.
/// Memory grows with the number of distinct strings, not with how many are counted.
public struct ByteStringCounter: Sendable {
    private var table = ByteStringTable(denselyPacked: true)
    /// The count of each distinct string, in first-seen order.
    public private(set) var counts: [Int] = []

    public init() {}

    /// The number of distinct strings.
    public var distinctCount: Int { counts.count }

    public mutating func add(_ key: UnsafeBufferPointer<UInt8>, count: Int = 1) {
        precondition(table.count == 0 || table.hasLookupIndex, "ByteStringCounter.add after finishCounting()")
        if let entry = table.value(for: key) {
            counts[Int(entry)] += count
        } else {
            _ = table.insertNew(key, UInt32(counts.count))
            counts.append(count)
        }
    }

    /// Frees the lookup index (most of the memory): the counts may then only be walked with
    /// `forEach`; counting more strings is a programming error.
    public mutating func finishCounting() {
        table.dropLookupIndex()
    }

    /// Calls `body` with every distinct string and its count, in first-seen order.
    public func forEach(_ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) rethrows {
        try table.forEach { key, entry in try body(key, counts[Int(entry)]) }
    }

    /// Calls `body` with the strings first seen `entries`-th (0 is the first distinct string) and
    /// their counts, in first-seen order.
    public func forEach(entries: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) rethrows {
        try table.forEach(entries: entries) { key, entry in try body(key, counts[Int(entry)]) }
    }
}
