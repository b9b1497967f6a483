/// A worker's reusable buffer of `Element`s: grown when a call needs more room, kept between
/// calls (its contents are not), and freed after a call that made it larger than
/// `retainedCapacity`, so that memory stays bounded however large one text was.
struct ScratchBuffer<Element> {
    private var storage: UnsafeMutablePointer<Element>?
    private var capacity = 0
    /// Buffers above this many elements are freed after use rather than kept.
    let retainedCapacity: Int
    /// The least a buffer is allocated with (so that small texts do not regrow it one by one).
    let minimumCapacity: Int

    init(retainedCapacity: Int, minimumCapacity: Int) {
        self.retainedCapacity = retainedCapacity
        self.minimumCapacity = minimumCapacity
    }

    /// Room for `count` elements, uninitialized.
    mutating func buffer(capacity count: Int) -> UnsafeMutablePointer<Element> {
        if count > capacity {
            storage?.deallocate()
            capacity = max(count, minimumCapacity)
            storage = .allocate(capacity: capacity)
        }
        return storage.unsafelyUnwrapped
    }

    /// Frees an oversized buffer.
    mutating func shrink() {
        if capacity > retainedCapacity { deallocate() }
    }

    mutating func deallocate() {
        storage?.deallocate()
        storage = nil
        capacity = 0
    }
}
