/// A piece of input text as it goes through normalization and pre-tokenization,
/// together with the alignment of every normalized byte to the original text.
///
/// This mirrors `NormalizedString` in Hugging Face `tokenizers`, including its
/// exact alignment rules, because token offsets are computed from it and must
/// match the reference bit for bit. Text is kept as UTF-8 bytes.
public struct NormalizedString: Sendable, Equatable {
    /// The original text of this piece (UTF-8).
    public internal(set) var original: [UInt8]
    /// The normalized text (UTF-8).
    public internal(set) var normalized: [UInt8]
    /// For each byte of `normalized`, the range of bytes of `original` it comes from.
    var alignments: [ByteRange]
    /// Offset of `original` within the full input when this is a slice of it.
    public internal(set) var originalShift: Int

    /// A half-open byte range stored compactly.
    struct ByteRange: Sendable, Equatable {
        var start: Int
        var end: Int
    }

    public init(_ text: String) {
        self.init(utf8: Array(text.utf8))
    }

    public init(utf8 bytes: [UInt8]) {
        original = bytes
        normalized = bytes
        alignments = []
        alignments.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let length = UTF8.scalarLength(leadByte: bytes[i])
            let range = ByteRange(start: i, end: i + length)
            for _ in 0..<length { alignments.append(range) }
            i += length
        }
        originalShift = 0
    }

    init(original: [UInt8], normalized: [UInt8], alignments: [ByteRange], originalShift: Int) {
        self.original = original
        self.normalized = normalized
        self.alignments = alignments
        self.originalShift = originalShift
    }

    public var isEmpty: Bool { normalized.isEmpty }

    mutating func setNormalized(_ bytes: [UInt8], alignments newAlignments: [ByteRange]) {
        normalized = bytes
        alignments = newAlignments
    }

    /// The normalized text.
    public var normalizedString: String { String(decoding: normalized, as: UTF8.self) }
    /// The original text.
    public var originalString: String { String(decoding: original, as: UTF8.self) }

    /// Byte offsets of this piece within the full original input.
    public var originalOffsets: Range<Int> { originalShift..<(originalShift + original.count) }

    // MARK: - Offsets

    /// Converts a byte range of the normalized text to a byte range of the original text
    /// (relative to this piece's `original`), as `tokenizers` does.
    func originalRange(ofNormalized range: Range<Int>) -> Range<Int>? {
        // tokenizers returns an empty target unchanged, without mapping it.
        if range.isEmpty { return range }
        guard range.upperBound <= alignments.count else { return nil }
        return alignments[range.lowerBound].start..<alignments[range.upperBound - 1].end
    }

    /// Converts a byte range of the original text to a byte range of the normalized text.
    func normalizedRange(ofOriginal target: Range<Int>) -> Range<Int>? {
        if target.isEmpty { return target }
        var start: Int?
        var end: Int?
        for (i, alignment) in alignments.enumerated() {
            if target.upperBound < alignment.end { break }
            if start == nil && target.lowerBound <= alignment.start && alignment.start != alignment.end {
                start = i
            }
            if target.upperBound >= alignment.end { end = i + 1 }
        }
        switch (start, end) {
        case let (s?, e?): return s..<e
        case let (s?, nil): return s..<s
        case let (nil, e?): return e..<e
        default: return nil
        }
    }

    // MARK: - Slicing

    /// The sub-piece covering a byte range of the normalized text (which must be on scalar boundaries).
    public func slice(normalized range: Range<Int>) -> NormalizedString? {
        guard range.lowerBound >= 0, range.upperBound <= normalized.count,
              normalized.isScalarBoundary(range.lowerBound), normalized.isScalarBoundary(range.upperBound),
              let originalRange = originalRange(ofNormalized: range) else { return nil }
        let clamped = min(originalRange.lowerBound, original.count)..<min(originalRange.upperBound, original.count)
        let shift = originalRange.lowerBound
        let sliceAlignments = alignments[range].map { ByteRange(start: $0.start - shift, end: $0.end - shift) }
        return NormalizedString(
            original: Array(original[clamped]),
            normalized: Array(normalized[range]),
            alignments: sliceAlignments,
            originalShift: originalShift + shift)
    }

    // MARK: - Transformations

    /// Replaces the normalized bytes in `range` by `replacement`, a sequence of scalars with
    /// `tokenizers`' change markers: 0 replaces the current scalar, +1 inserts a new one, and -n
    /// replaces the current scalar and removes the n following ones. `initialOffset` scalars at the
    /// start of the range are removed before anything else.
    mutating func transform(range: Range<Int>, with replacement: [(scalar: UInt32, change: Int)], initialOffset: Int) {
        var oldScalarLengths: [Int] = []
        var i = range.lowerBound
        while i < range.upperBound {
            let length = UTF8.scalarLength(leadByte: normalized[i])
            oldScalarLengths.append(length)
            i += length
        }
        var nextOld = 0
        var offset = range.lowerBound
        for _ in 0..<min(initialOffset, oldScalarLengths.count) {
            offset += oldScalarLengths[nextOld]
            nextOld += 1
        }
        var newBytes: [UInt8] = []
        newBytes.reserveCapacity(range.count)
        var newAlignments: [ByteRange] = []
        newAlignments.reserveCapacity(range.count)
        for (scalar, change) in replacement {
            let alignment: ByteRange
            if change > 0 {
                // An inserted scalar shares the alignment of the byte before it.
                alignment = offset < 1 ? ByteRange(start: 0, end: 0) : alignments[offset - 1]
            } else {
                alignment = offset < alignments.count ? alignments[offset] : (alignments.last ?? ByteRange(start: 0, end: 0))
            }
            if change <= 0, nextOld < oldScalarLengths.count {
                offset += oldScalarLengths[nextOld]
                nextOld += 1
            }
            if change < 0 {
                for _ in 0..<(-change) where nextOld < oldScalarLengths.count {
                    offset += oldScalarLengths[nextOld]
                    nextOld += 1
                }
            }
            let before = newBytes.count
            UTF8.append(scalar, to: &newBytes)
            for _ in before..<newBytes.count { newAlignments.append(alignment) }
        }
        normalized.replaceSubrange(range, with: newBytes)
        alignments.replaceSubrange(range, with: newAlignments)
    }

    /// Applies a transformation to the whole normalized text.
    mutating func transform(_ replacement: [(scalar: UInt32, change: Int)], initialOffset: Int) {
        transform(range: 0..<normalized.count, with: replacement, initialOffset: initialOffset)
    }

    /// The scalars of the normalized text.
    var normalizedScalars: [UInt32] {
        var result: [UInt32] = []
        result.reserveCapacity(normalized.count)
        normalized.forEachScalar { result.append($0) }
        return result
    }

    /// Prepends `prefix` (tokenizers' `prepend`: the first scalar is re-emitted as inserted after the prefix).
    public mutating func prepend(_ prefix: String) {
        guard let first = normalized.firstScalar else { return }
        var changes: [(scalar: UInt32, change: Int)] = []
        for (i, scalar) in prefix.unicodeScalars.enumerated() {
            changes.append((scalar.value, i == 0 ? 0 : 1))
        }
        changes.append((first, 1))
        transform(range: 0..<UTF8.scalarLength(leadByte: normalized[0]), with: changes, initialOffset: 0)
    }

    /// Appends `suffix` (tokenizers' `append`).
    public mutating func append(_ suffix: String) {
        guard let (lastStart, last) = normalized.lastScalarWithStart else {
            transform(suffix.unicodeScalars.map { ($0.value, 1) }, initialOffset: 0)
            return
        }
        var changes: [(scalar: UInt32, change: Int)] = [(last, 0)]
        for scalar in suffix.unicodeScalars { changes.append((scalar.value, 1)) }
        transform(range: lastStart..<normalized.count, with: changes, initialOffset: 0)
    }

    /// Applies a Unicode normalization form with tokenizers' alignment tracking.
    public mutating func normalize(form: UnicodeNormalizationForm) {
        let done = normalized.withUnsafeBufferPointer { UnicodeNormalization.isCertainlyNormalized($0, form: form) }
        if done { return }
        let scalars = normalizedScalars
        var output: [(scalar: UInt32, change: Int)] = []
        output.reserveCapacity(scalars.count)
        scalars.withUnsafeBufferPointer { UnicodeNormalization.normalize($0, form: form, into: &output) }
        transform(output, initialOffset: 0)
    }

    /// Splits the normalized text at the given matches (see `SplitDelimiterBehavior`).
    /// `matches` must cover the text with contiguous ranges, each flagged as a match or not.
    func split(_ matches: [(range: Range<Int>, isMatch: Bool)], behavior: SplitDelimiterBehavior) -> [NormalizedString] {
        applyBehavior(matches, behavior).compactMap { slice(normalized: $0) }
    }
}

/// How a `Split`-style pre-tokenizer treats the delimiters it finds.
public enum SplitDelimiterBehavior: String, Sendable, CaseIterable {
    case removed = "Removed"
    case isolated = "Isolated"
    case mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext"
    case contiguous = "Contiguous"
}

/// Turns a list of match ranges into the contiguous (range, isMatch) cover of a text,
/// as `tokenizers`' `Pattern::find_matches` does.
func coverWithMatches(_ matches: [Range<Int>], length: Int) -> [(range: Range<Int>, isMatch: Bool)] {
    if length == 0 { return [(0..<0, false)] }
    var result: [(range: Range<Int>, isMatch: Bool)] = []
    result.reserveCapacity(matches.count * 2 + 1)
    var previous = 0
    for m in matches {
        if previous != m.lowerBound { result.append((previous..<m.lowerBound, false)) }
        result.append((m, true))
        previous = m.upperBound
    }
    if previous != length { result.append((previous..<length, false)) }
    return result
}
