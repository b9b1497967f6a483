/// The result of encoding one input (a single text or a pair): token ids and
/// everything aligned with them, as `tokenizers`' `Encoding`.
///
/// Offsets are in Unicode scalars of the input text (what the Python
/// `tokenizers` reports); for a pair, each token's offsets refer to its own sequence.
public struct Encoding: Sendable, Equatable {
    public var ids: [TokenID] = []
    public var typeIDs: [UInt32] = []
    public var tokens: [String] = []
    /// The index of the pre-tokenized word each token comes from (nil for special and padding tokens).
    public var wordIDs: [UInt32?] = []
    public var offsets: [Range<Int>] = []
    /// 1 for tokens added by post-processing or padding, 0 for tokens of the input.
    public var specialTokensMask: [UInt8] = []
    /// 1 for real tokens, 0 for padding.
    public var attentionMask: [UInt8] = []
    /// Windows cut off by truncation, each a full encoding of its own.
    public var overflowing: [Encoding] = []
    /// The token range of each sequence (0 = first, 1 = pair) once post-processed.
    public var sequenceRanges: [Int: Range<Int>] = [:]

    public init() {}

    public var count: Int { ids.count }
    public var isEmpty: Bool { ids.isEmpty }

    mutating func reserveCapacity(_ n: Int) {
        ids.reserveCapacity(n)
        typeIDs.reserveCapacity(n)
        tokens.reserveCapacity(n)
        wordIDs.reserveCapacity(n)
        offsets.reserveCapacity(n)
        specialTokensMask.reserveCapacity(n)
        attentionMask.reserveCapacity(n)
    }

    mutating func append(id: TokenID, token: String, offsets range: Range<Int>, word: UInt32?, typeID: UInt32, isSpecial: Bool) {
        ids.append(id)
        tokens.append(token)
        offsets.append(range)
        wordIDs.append(word)
        typeIDs.append(typeID)
        specialTokensMask.append(isSpecial ? 1 : 0)
        attentionMask.append(1)
    }

    /// For each token, the sequence it belongs to (nil for tokens outside every sequence).
    public var sequenceIDs: [Int?] {
        var result = [Int?](repeating: nil, count: count)
        if sequenceRanges.isEmpty {
            return [Int?](repeating: 0, count: count)
        }
        for (sequence, range) in sequenceRanges {
            for i in range where i < count { result[i] = sequence }
        }
        return result
    }

    mutating func setSequenceID(_ id: Int) {
        sequenceRanges[id] = 0..<count
    }

    private func slice(_ range: Range<Int>) -> Encoding {
        var e = Encoding()
        e.ids = Array(ids[range])
        e.typeIDs = Array(typeIDs[range])
        e.tokens = Array(tokens[range])
        e.wordIDs = Array(wordIDs[range])
        e.offsets = Array(offsets[range])
        e.specialTokensMask = Array(specialTokensMask[range])
        e.attentionMask = Array(attentionMask[range])
        return e
    }

    /// Truncates to `maximumLength` tokens; the rest goes to `overflowing` in windows
    /// overlapping by `stride` tokens (tokenizers' `Encoding::truncate`).
    mutating func truncate(to maximumLength: Int, stride: Int, direction: TruncationDirection) throws(TokenizationError) {
        let length = count
        guard maximumLength < length else { return }
        if maximumLength == 0 {
            let old = self
            self = Encoding()
            overflowing.append(old)
            return
        }
        guard stride < maximumLength else {
            throw .truncation("stride (\(stride)) must be strictly less than the maximum length (\(maximumLength)), which excludes the special tokens")
        }
        sequenceRanges = [:]
        let step = maximumLength - stride
        var parts: [Range<Int>] = []
        switch direction {
        case .right:
            var start = 0
            while start < length {
                let stop = min(start + maximumLength, length)
                parts.append(start..<stop)
                if stop == length { break }
                start += step
            }
        case .left:
            var last = length - 1
            while last >= 0 {
                let stop = last + 1
                let start = max(0, stop - maximumLength)
                if start < stop {
                    parts.append(start..<stop)
                    if start == 0 { break }
                }
                last -= step
            }
        }
        var result = slice(parts[0])
        for part in parts.dropFirst() { result.overflowing.append(slice(part)) }
        self = result
    }

    /// Appends `other` (tokenizers' `Encoding::merge_with`), combining overflowing windows too.
    mutating func merge(with other: Encoding, growingOffsets: Bool) {
        var combined: [Encoding] = []
        for mine in overflowing {
            var e = mine
            e.merge(with: other, growingOffsets: growingOffsets)
            combined.append(e)
            for theirs in other.overflowing {
                var e2 = mine
                e2.merge(with: theirs, growingOffsets: growingOffsets)
                combined.append(e2)
            }
        }
        for theirs in other.overflowing {
            var e = self
            e.merge(with: theirs, growingOffsets: growingOffsets)
            combined.append(e)
        }
        let originalCount = count
        for (sequence, range) in other.sequenceRanges {
            sequenceRanges[sequence] = (originalCount + range.lowerBound)..<(originalCount + range.upperBound)
        }
        ids += other.ids
        typeIDs += other.typeIDs
        tokens += other.tokens
        wordIDs += other.wordIDs
        let shift = growingOffsets ? (offsets.last?.upperBound ?? 0) : 0
        offsets += other.offsets.map { ($0.lowerBound + shift)..<($0.upperBound + shift) }
        specialTokensMask += other.specialTokensMask
        attentionMask += other.attentionMask
        overflowing = combined
    }

    /// Pads to `length` tokens (tokenizers' `Encoding::pad`), overflowing windows included.
    mutating func pad(to length: Int, id: TokenID, typeID: UInt32, token: String, direction: PaddingDirection) {
        for i in overflowing.indices {
            overflowing[i].pad(to: length, id: id, typeID: typeID, token: token, direction: direction)
        }
        guard count < length else { return }
        let n = length - count
        switch direction {
        case .left:
            ids = Array(repeating: id, count: n) + ids
            typeIDs = Array(repeating: typeID, count: n) + typeIDs
            tokens = Array(repeating: token, count: n) + tokens
            wordIDs = Array(repeating: nil, count: n) + wordIDs
            attentionMask = Array(repeating: 0, count: n) + attentionMask
            specialTokensMask = Array(repeating: 1, count: n) + specialTokensMask
            offsets = Array(repeating: 0..<0, count: n) + offsets
            for (sequence, range) in sequenceRanges {
                sequenceRanges[sequence] = (range.lowerBound + n)..<(range.upperBound + n)
            }
        case .right:
            ids += Array(repeating: id, count: n)
            typeIDs += Array(repeating: typeID, count: n)
            tokens += Array(repeating: token, count: n)
            wordIDs += Array(repeating: nil, count: n)
            attentionMask += Array(repeating: 0, count: n)
            specialTokensMask += Array(repeating: 1, count: n)
            offsets += Array(repeating: 0..<0, count: n)
        }
    }
}

/// Which end of a sequence truncation removes tokens from.
public enum TruncationDirection: String, Sendable {
    case left = "Left"
    case right = "Right"
}

/// Which end of a sequence padding adds tokens to.
public enum PaddingDirection: String, Sendable {
    case left = "Left"
    case right = "Right"
}
