/// A set of Unicode scalar values stored as sorted, non-overlapping, non-adjacent closed ranges.
///
/// `bounds` is `[lo0, hi0, lo1, hi1, …]` with `lo_i <= hi_i` and `hi_i + 1 < lo_{i+1}`.
/// Values are plain `UInt32` code points; surrogates may appear (e.g. in `\p{Cs}` or in an
/// inverted set) even though they never occur in valid text.
struct UnicodeScalarRanges: Sendable, Equatable, Hashable {
    static let maxScalar: UInt32 = 0x10FFFF

    var bounds: [UInt32]

    static let empty = UnicodeScalarRanges(uncheckedBounds: [])
    static let all = UnicodeScalarRanges(uncheckedBounds: [0, maxScalar])

    /// Trusts `bounds` to be normalized (used by the table decoders).
    init(uncheckedBounds bounds: [UInt32]) {
        self.bounds = bounds
    }

    /// Builds a normalized set from arbitrary (possibly overlapping, unsorted) ranges.
    init(ranges: [ClosedRange<UInt32>]) {
        let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
        var b = [UInt32]()
        b.reserveCapacity(sorted.count * 2)
        for r in sorted {
            let hi = min(r.upperBound, Self.maxScalar)
            guard r.lowerBound <= hi else { continue }
            if let last = b.last, r.lowerBound <= last &+ 1 {
                if hi > last { b[b.count - 1] = hi }
            } else {
                b.append(r.lowerBound)
                b.append(hi)
            }
        }
        bounds = b
    }

    init(scalars: some Sequence<UInt32>) {
        self.init(ranges: scalars.map { $0...$0 })
    }

    var isEmpty: Bool { bounds.isEmpty }

    /// Number of ranges.
    var rangeCount: Int { bounds.count / 2 }

    var ranges: [ClosedRange<UInt32>] {
        stride(from: 0, to: bounds.count, by: 2).map { bounds[$0]...bounds[$0 + 1] }
    }

    /// Number of scalar values in the set.
    var count: Int {
        var n = 0
        var i = 0
        while i < bounds.count {
            n += Int(bounds[i + 1] - bounds[i]) + 1
            i += 2
        }
        return n
    }

    /// Binary search, O(log n), no allocation.
    @inline(__always)
    func contains(_ s: UInt32) -> Bool {
        bounds.withUnsafeBufferPointer { b in
            var lo = 0
            var hi = b.count / 2
            while lo < hi {
                let mid = (lo &+ hi) &>> 1
                if b[mid &* 2 &+ 1] < s {
                    lo = mid &+ 1
                } else {
                    hi = mid
                }
            }
            return lo < b.count / 2 && b[lo &* 2] <= s
        }
    }

    func contains(_ scalar: Unicode.Scalar) -> Bool { contains(scalar.value) }

    /// Complement within 0...0x10FFFF.
    func inverted() -> UnicodeScalarRanges {
        var out = [UInt32]()
        out.reserveCapacity(bounds.count + 2)
        var next: UInt32 = 0
        var i = 0
        while i < bounds.count {
            if bounds[i] > next {
                out.append(next)
                out.append(bounds[i] - 1)
            }
            next = bounds[i + 1] &+ 1
            i += 2
        }
        if next <= Self.maxScalar && !(bounds.last == Self.maxScalar) {
            out.append(next)
            out.append(Self.maxScalar)
        }
        return UnicodeScalarRanges(uncheckedBounds: out)
    }

    func union(_ other: UnicodeScalarRanges) -> UnicodeScalarRanges {
        if other.isEmpty { return self }
        if isEmpty { return other }
        var out = [UInt32]()
        out.reserveCapacity(bounds.count + other.bounds.count)
        var i = 0
        var j = 0
        func push(_ lo: UInt32, _ hi: UInt32) {
            if let last = out.last, lo <= last &+ 1 {
                if hi > last { out[out.count - 1] = hi }
            } else {
                out.append(lo)
                out.append(hi)
            }
        }
        while i < bounds.count || j < other.bounds.count {
            if j >= other.bounds.count || (i < bounds.count && bounds[i] <= other.bounds[j]) {
                push(bounds[i], bounds[i + 1])
                i += 2
            } else {
                push(other.bounds[j], other.bounds[j + 1])
                j += 2
            }
        }
        return UnicodeScalarRanges(uncheckedBounds: out)
    }

    func intersection(_ other: UnicodeScalarRanges) -> UnicodeScalarRanges {
        var out = [UInt32]()
        var i = 0
        var j = 0
        while i < bounds.count && j < other.bounds.count {
            let lo = max(bounds[i], other.bounds[j])
            let hi = min(bounds[i + 1], other.bounds[j + 1])
            if lo <= hi {
                out.append(lo)
                out.append(hi)
            }
            if bounds[i + 1] < other.bounds[j + 1] { i += 2 } else { j += 2 }
        }
        return UnicodeScalarRanges(uncheckedBounds: out)
    }

    func subtracting(_ other: UnicodeScalarRanges) -> UnicodeScalarRanges {
        intersection(other.inverted())
    }

    static func union(_ sets: [UnicodeScalarRanges]) -> UnicodeScalarRanges {
        sets.reduce(.empty) { $0.union($1) }
    }
}
