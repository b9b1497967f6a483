// Performance notes: this is the generic path, used for split patterns that
// have no hand-written scanner. It is a backtracking VM (the reference
// engines are backtracking too, which is what makes leftmost-first,
// lookahead and possessive semantics identical). The one optimisation that
// matters for tokenizer patterns is `repeatSet`: `\p{L}+` and friends run as
// a tight loop with a single backtrack entry that steps back one scalar at a
// time, instead of one entry per iteration.

/// The mutable state of one search: the backtrack stack and loop registers.
/// Created per call so that a compiled `UnicodeRegex` can be shared across threads.
struct RegexMatcher {
    private struct Backtrack {
        enum Kind: UInt8 { case resume, greedyRepeat, lazyRepeat, restoreLoopStart }
        var kind: Kind
        var pc: Int32
        var position: Int
        var auxiliary: Int
    }

    private let program: RegexProgram
    private let text: UnsafeBufferPointer<UInt8>
    private let wordCharacters: RegexScalarSet
    private var stack: [Backtrack] = []
    private var loopStarts: [Int]
    private var lookbehindTargets: [Int] = []
    private var searchStart = 0

    init(program: RegexProgram, text: UnsafeBufferPointer<UInt8>, wordCharacters: RegexScalarSet) {
        self.program = program
        self.text = text
        self.wordCharacters = wordCharacters
        self.loopStarts = Array(repeating: -1, count: program.loopSlotCount)
        stack.reserveCapacity(64)
    }

    // MARK: - UTF-8

    @inline(__always)
    private func decode(at i: Int) -> (scalar: UInt32, length: Int) {
        let b0 = UInt32(text[i])
        if b0 < 0x80 { return (b0, 1) }
        if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(text[i + 1] & 0x3F), 2) }
        if b0 < 0xF0 {
            return ((b0 & 0x0F) << 12 | UInt32(text[i + 1] & 0x3F) << 6 | UInt32(text[i + 2] & 0x3F), 3)
        }
        return ((b0 & 0x07) << 18 | UInt32(text[i + 1] & 0x3F) << 12 | UInt32(text[i + 2] & 0x3F) << 6 | UInt32(text[i + 3] & 0x3F), 4)
    }

    @inline(__always)
    private func previousBoundary(_ i: Int) -> Int {
        var j = i - 1
        while j > 0 && text[j] & 0xC0 == 0x80 { j -= 1 }
        return j
    }

    @inline(__always)
    private func nextBoundary(_ i: Int) -> Int {
        let b = text[i]
        if b < 0x80 { return i + 1 }
        if b < 0xE0 { return i + 2 }
        if b < 0xF0 { return i + 3 }
        return i + 4
    }

    /// Matches one scalar at `position` against a single-scalar matcher; returns the next position or -1.
    @inline(__always)
    private func step(set: Int32, at position: Int) -> Int {
        guard position < text.count else { return -1 }
        let b = text[position]
        if b < 0x80 {
            switch set {
            case -1: return position + 1
            case -2: return b == 0x0A ? -1 : position + 1
            default: return program.sets[Int(set)].containsASCII(b) ? position + 1 : -1
            }
        }
        let (scalar, length) = decode(at: position)
        if set < 0 { return position + length }
        return program.sets[Int(set)].contains(scalar) ? position + length : -1
    }

    // MARK: - Assertions

    private func isWord(before position: Int) -> Bool {
        guard position > 0 else { return false }
        return wordCharacters.contains(decode(at: previousBoundary(position)).scalar)
    }

    private func isWord(at position: Int) -> Bool {
        guard position < text.count else { return false }
        return wordCharacters.contains(decode(at: position).scalar)
    }

    private func check(_ assertion: RegexAssertion, at position: Int) -> Bool {
        let count = text.count
        switch assertion {
        case .textStart: return position == 0
        case .textEnd: return position == count
        case .lineStart: return position == 0 || text[position - 1] == 0x0A
        case .lineEnd: return position == count || text[position] == 0x0A
        case .textEndBeforeNewline: return position == count || (position == count - 1 && text[position] == 0x0A)
        case .wordBoundary: return isWord(before: position) != isWord(at: position)
        case .notWordBoundary: return isWord(before: position) == isWord(at: position)
        case .searchStart: return position == searchStart
        }
    }

    // MARK: - Execution

    /// Runs the program from `pc` at `position`; returns the end of the first (leftmost-first) match, or nil.
    private mutating func run(_ startPC: Int32, at startPosition: Int) -> Int? {
        let base = stack.count
        var pc = Int(startPC)
        var position = startPosition
        let end = text.count
        while true {
            var failed = false
            switch program.instructions[pc] {
            case let .byte(b):
                if position < end && text[position] == b { position += 1; pc += 1 } else { failed = true }
            case let .scalar(value):
                if position < end {
                    let (scalar, length) = decode(at: position)
                    if scalar == value { position += length; pc += 1 } else { failed = true }
                } else { failed = true }
            case let .set(set):
                let next = step(set: set, at: position)
                if next >= 0 { position = next; pc += 1 } else { failed = true }
            case let .any(matchesNewline):
                let next = step(set: matchesNewline ? -1 : -2, at: position)
                if next >= 0 { position = next; pc += 1 } else { failed = true }
            case let .repeatSet(set, min, max, mode):
                var count: Int32 = 0
                var current = position
                while count < min {
                    let next = step(set: set, at: current)
                    if next < 0 { break }
                    current = next
                    count += 1
                }
                if count < min { failed = true; break }
                if mode == .lazy {
                    if max < 0 || count < max {
                        stack.append(Backtrack(kind: .lazyRepeat, pc: Int32(pc), position: current, auxiliary: Int(count)))
                    }
                    position = current
                    pc += 1
                    break
                }
                let minimumEnd = current
                while max < 0 || count < max {
                    let next = step(set: set, at: current)
                    if next < 0 { break }
                    current = next
                    count += 1
                }
                if mode == .greedy && current > minimumEnd {
                    stack.append(Backtrack(kind: .greedyRepeat, pc: Int32(pc + 1), position: current, auxiliary: minimumEnd))
                }
                position = current
                pc += 1
            case let .split(first, second):
                stack.append(Backtrack(kind: .resume, pc: second, position: position, auxiliary: 0))
                pc = Int(first)
            case let .jump(target):
                pc = Int(target)
            case let .assert(kind):
                if check(kind, at: position) { pc += 1 } else { failed = true }
            case let .atomic(body):
                if let matchEnd = run(body, at: position) { position = matchEnd; pc += 1 } else { failed = true }
            case let .lookahead(body, negated):
                let matched = run(body, at: position) != nil
                if matched != negated { pc += 1 } else { failed = true }
            case let .lookbehind(alternatives, negated):
                var matched = false
                for alternative in program.lookbehindAlternatives[Int(alternatives)] {
                    var start = position
                    var ok = true
                    for _ in 0..<alternative.length {
                        if start == 0 { ok = false; break }
                        start = previousBoundary(start)
                    }
                    guard ok else { continue }
                    lookbehindTargets.append(position)
                    let result = run(alternative.start, at: start)
                    lookbehindTargets.removeLast()
                    if result != nil { matched = true; break }
                }
                if matched != negated { pc += 1 } else { failed = true }
            case let .saveLoopStart(slot):
                stack.append(Backtrack(kind: .restoreLoopStart, pc: slot, position: 0, auxiliary: loopStarts[Int(slot)]))
                loopStarts[Int(slot)] = position
                pc += 1
            case let .exitIfEmptyIteration(slot, exit):
                pc = loopStarts[Int(slot)] == position ? Int(exit) : pc + 1
            case let .foldedLiteral(index):
                let pattern = program.foldedLiterals[Int(index)]
                var j = 0
                var current = position
                var ok = true
                while j < pattern.count {
                    guard current < end else { ok = false; break }
                    let (scalar, length) = decode(at: current)
                    let folded = UnicodeCaseFolding.canonicalFold(scalar)
                    guard j + folded.count <= pattern.count else { ok = false; break }
                    for (k, f) in folded.enumerated() where pattern[j + k] != f { ok = false; break }
                    if !ok { break }
                    j += folded.count
                    current += length
                }
                if ok { position = current; pc += 1 } else { failed = true }
            case .succeed:
                stack.removeSubrange(base...)
                return position
            case .succeedAtLookbehindTarget:
                if position == lookbehindTargets.last {
                    stack.removeSubrange(base...)
                    return position
                }
                failed = true
            }
            if !failed { continue }
            // Backtrack.
            var resumed = false
            while stack.count > base {
                let entry = stack.removeLast()
                switch entry.kind {
                case .resume:
                    pc = Int(entry.pc)
                    position = entry.position
                    resumed = true
                case .greedyRepeat:
                    let previous = previousBoundary(entry.position)
                    if previous > entry.auxiliary {
                        stack.append(Backtrack(kind: .greedyRepeat, pc: entry.pc, position: previous, auxiliary: entry.auxiliary))
                    }
                    pc = Int(entry.pc)
                    position = previous
                    resumed = true
                case .lazyRepeat:
                    guard case let .repeatSet(set, _, max, _) = program.instructions[Int(entry.pc)] else { continue }
                    let next = step(set: set, at: entry.position)
                    guard next >= 0 else { continue }
                    let count = entry.auxiliary + 1
                    if max < 0 || count < Int(max) {
                        stack.append(Backtrack(kind: .lazyRepeat, pc: entry.pc, position: next, auxiliary: count))
                    }
                    pc = Int(entry.pc) + 1
                    position = next
                    resumed = true
                case .restoreLoopStart:
                    loopStarts[Int(entry.pc)] = entry.auxiliary
                }
                if resumed { break }
            }
            if !resumed { return nil }
        }
    }

    /// Finds the leftmost match starting at or after `from`.
    mutating func firstMatch(from: Int) -> Range<Int>? {
        searchStart = from
        var start = from
        let end = text.count
        let filter = program.firstScalarFilter
        while start <= end {
            if let filter {
                // Skip positions that cannot start a match.
                while start < end {
                    let b = text[start]
                    if b < 0x80 {
                        if filter.containsASCII(b) { break }
                        start += 1
                    } else {
                        if filter.contains(decode(at: start).scalar) { break }
                        start = nextBoundary(start)
                    }
                }
                if start >= end { return nil }
            }
            if let matchEnd = run(0, at: start) {
                return start..<matchEnd
            }
            if start == end { break }
            start = nextBoundary(start)
        }
        return nil
    }

    /// The start of the scalar after `position` (for advancing past empty matches).
    func boundary(after position: Int) -> Int {
        position < text.count ? nextBoundary(position) : position + 1
    }
}
