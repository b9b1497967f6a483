/// A hash map from a pair of token ids (packed in 64 bits) to a value: open addressing with
/// linear probing and a multiplicative hash. The trainer's hot maps (pair counts, the words a
/// merge touched) spend most of their time hashing with Swift's seeded `Hasher` otherwise.
struct PairMap<Value> {
    private var keys: [UInt64]
    private var values: [Value]
    /// What empty slots hold (values are not optional: an optional Int takes twice the room).
    private let placeholder: Value
    /// Slots in use, in insertion order (for iteration and for clearing without a full sweep).
    private(set) var occupied: [Int32] = []
    private var shift: UInt64

    private static var empty: UInt64 { .max }

    init(capacity: Int = 16, placeholder: Value) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        self.placeholder = placeholder
        keys = [UInt64](repeating: Self.empty, count: size)
        values = [Value](repeating: placeholder, count: size)
        shift = UInt64(64 - size.trailingZeroBitCount)
    }

    var count: Int { occupied.count }

    @inline(__always)
    private func slot(of key: UInt64) -> (index: Int, found: Bool) {
        let mask = keys.count - 1
        var i = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while true {
            let k = keys[i]
            if k == key { return (i, true) }
            if k == Self.empty { return (i, false) }
            i = (i + 1) & mask
        }
    }

    subscript(key: UInt64) -> Value? {
        let (i, found) = slot(of: key)
        return found ? values[i] : nil
    }

    /// Calls `body` with the value for `key`, inserting `initial` first when absent.
    @inline(__always)
    mutating func update(_ key: UInt64, default initial: @autoclosure () -> Value, _ body: (inout Value) -> Void) {
        var (i, found) = slot(of: key)
        if !found {
            // Grow at three quarters full: the pair maps of large corpora hold millions of pairs.
            if (occupied.count + 1) * 4 > keys.count * 3 {
                grow()
                i = slot(of: key).index
            }
            keys[i] = key
            values[i] = initial()
            occupied.append(Int32(i))
        }
        body(&values[i])
    }

    /// Every key and value, in insertion order.
    func forEach(_ body: (UInt64, Value) -> Void) {
        for i in occupied { body(keys[Int(i)], values[Int(i)]) }
    }

    /// Empties the map, keeping its size.
    mutating func removeAll() {
        for i in occupied {
            keys[Int(i)] = Self.empty
            values[Int(i)] = placeholder
        }
        occupied.removeAll(keepingCapacity: true)
    }

    private mutating func grow() {
        var bigger = PairMap(capacity: keys.count, placeholder: placeholder)
        forEach { key, value in bigger.update(key, default: value) { _ in } }
        self = bigger
    }
}
