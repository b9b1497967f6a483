/// A compiled pattern: a flat list of instructions for the backtracking matcher.
///
/// Sub-programs (lookarounds, atomic groups) live in the same instruction
/// array and end with `.succeed`; the main program ends with `.succeed` too.
struct RegexProgram: Sendable {
    enum Instruction: Sendable {
        /// Match one scalar equal to the operand.
        case scalar(UInt32)
        /// Match one ASCII byte (fast path of `.scalar`).
        case byte(UInt8)
        /// Match one scalar in `sets[index]`.
        case set(Int32)
        /// Match any scalar (but `\n` unless `matchesNewline`).
        case any(matchesNewline: Bool)
        /// Repeat a single-scalar matcher (`sets[set]`, or any scalar when set == -1/-2) `min...max` times.
        case repeatSet(set: Int32, min: Int32, max: Int32, mode: RepetitionMode)
        /// Try `first`; on failure resume at `second`.
        case split(first: Int32, second: Int32)
        case jump(Int32)
        case assert(RegexAssertion)
        /// Run the sub-program at `body` anchored here; continue at the next instruction from where it ended, never backtracking into it.
        case atomic(body: Int32)
        /// Succeeds (consuming nothing) if the sub-program at `body` matches here (or does not, when negated).
        case lookahead(body: Int32, negated: Bool)
        /// Succeeds if one of the alternatives (sub-programs with a fixed length in scalars) matches ending here.
        case lookbehind(alternatives: Int32, negated: Bool)
        /// Loop bookkeeping for bodies that can match empty: remember the position in `slot`.
        case saveLoopStart(slot: Int32)
        /// If the body consumed nothing since `saveLoopStart`, leave the loop (jump to `exit`).
        case exitIfEmptyIteration(slot: Int32, exit: Int32)
        /// Match text whose full case folding equals `foldedLiterals[index]` (Oniguruma's `(?i)`
        /// string matching, where "ß" and "ss" are equal).
        case foldedLiteral(Int32)
        /// End of a (sub-)program: report success at the current position.
        case succeed
        /// End of a lookbehind alternative: succeed only at the lookbehind's target position.
        case succeedAtLookbehindTarget
    }

    var instructions: [Instruction] = []
    var sets: [RegexScalarSet] = []
    /// For each lookbehind: (program start, length in scalars) of every alternative.
    var lookbehindAlternatives: [[(start: Int32, length: Int)]] = []
    var loopSlotCount = 0
    /// Canonical full case foldings of `(?i)` literal runs (see `UnicodeCaseFolding`).
    var foldedLiterals: [[UInt32]] = []
    /// Scalars a match can start with, when known; used to skip start positions quickly.
    var firstScalarFilter: RegexScalarSet?
    var canMatchEmpty = true
}

/// A set of scalars with an ASCII bitmap for the common case.
struct RegexScalarSet: Sendable {
    let low: UInt64
    let high: UInt64
    let ranges: UnicodeScalarRanges
    /// True when every non-ASCII scalar is in the set (e.g. a negated ASCII class).
    let containsAllNonASCII: Bool
    let containsNoNonASCII: Bool

    init(_ ranges: UnicodeScalarRanges) {
        self.ranges = ranges
        var low: UInt64 = 0
        var high: UInt64 = 0
        for scalar in UInt32(0)..<128 where ranges.contains(scalar) {
            if scalar < 64 { low |= 1 << UInt64(scalar) } else { high |= 1 << UInt64(scalar - 64) }
        }
        self.low = low
        self.high = high
        let nonASCII = ranges.intersection(UnicodeScalarRanges(ranges: [0x80...0x10FFFF]))
        containsNoNonASCII = nonASCII.bounds.isEmpty
        containsAllNonASCII = nonASCII.bounds == [0x80, 0xD7FF, 0xE000, 0x10FFFF] || nonASCII.bounds == [0x80, 0x10FFFF]
    }

    @inline(__always)
    func contains(_ scalar: UInt32) -> Bool {
        if scalar < 64 { return low & (1 << UInt64(scalar)) != 0 }
        if scalar < 128 { return high & (1 << UInt64(scalar - 64)) != 0 }
        if containsNoNonASCII { return false }
        if containsAllNonASCII { return true }
        return ranges.contains(scalar)
    }

    @inline(__always)
    func containsASCII(_ byte: UInt8) -> Bool {
        byte < 64 ? low & (1 << UInt64(byte)) != 0 : high & (1 << UInt64(byte &- 64)) != 0
    }
}

/// Translates a `RegexNode` tree into a `RegexProgram`.
struct RegexCompiler {
    private var program = RegexProgram()
    private let dialect: RegexDialect
    private let pattern: String
    private static let maximumInstructions = 200_000

    private init(dialect: RegexDialect, pattern: String) {
        self.dialect = dialect
        self.pattern = pattern
    }

    static func compile(_ node: RegexNode, dialect: RegexDialect, pattern: String) throws(RegexError) -> RegexProgram {
        var compiler = RegexCompiler(dialect: dialect, pattern: pattern)
        try compiler.emit(node)
        compiler.append(.succeed)
        compiler.program.canMatchEmpty = RegexAnalysis.minimumLength(of: node) == 0
        if !compiler.program.canMatchEmpty && compiler.program.foldedLiterals.isEmpty {
            compiler.program.firstScalarFilter = RegexAnalysis.firstScalars(of: node, flavor: dialect.unicodeFlavor).map { RegexScalarSet($0) }
        }
        return compiler.program
    }

    private func tooLarge() -> RegexError {
        RegexError(kind: .unsupportedFeature, message: "pattern expands to too many instructions", pattern: pattern, position: 0)
    }

    @discardableResult
    private mutating func append(_ instruction: RegexProgram.Instruction) -> Int32 {
        program.instructions.append(instruction)
        return Int32(program.instructions.count - 1)
    }

    private var nextIndex: Int32 { Int32(program.instructions.count) }

    private mutating func addSet(_ ranges: UnicodeScalarRanges) -> Int32 {
        program.sets.append(RegexScalarSet(ranges))
        return Int32(program.sets.count - 1)
    }

    private mutating func emit(_ node: RegexNode) throws(RegexError) {
        guard program.instructions.count < Self.maximumInstructions else { throw tooLarge() }
        switch node {
        case .empty:
            break
        case let .scalar(value, caseInsensitive):
            let equivalents = caseInsensitive ? UnicodeProperties.caseEquivalents(of: value, flavor: dialect.unicodeFlavor) : []
            if !equivalents.isEmpty {
                var ranges = UnicodeScalarRanges(ranges: [value...value])
                for e in equivalents { ranges = ranges.union(UnicodeScalarRanges(ranges: [e...e])) }
                append(.set(addSet(ranges)))
            } else if value < 0x80 {
                append(.byte(UInt8(value)))
            } else {
                append(.scalar(value))
            }
        case let .characterClass(set):
            append(.set(addSet(set.ranges)))
        case let .any(matchesNewline):
            append(.any(matchesNewline: matchesNewline))
        case let .concatenation(items):
            var i = 0
            while i < items.count {
                // Oniguruma matches (?i) strings by full case folding ("ß" = "ss"): a run of
                // case-insensitive literals becomes one folded-literal instruction when that matters.
                if dialect == .oniguruma, case .scalar(_, true) = items[i] {
                    var run: [UInt32] = []
                    var j = i
                    while j < items.count, case let .scalar(value, true) = items[j] {
                        run.append(value)
                        j += 1
                    }
                    if UnicodeCaseFolding.needsFullFolding(run) {
                        program.foldedLiterals.append(UnicodeCaseFolding.canonicalFold(run))
                        append(.foldedLiteral(Int32(program.foldedLiterals.count - 1)))
                        i = j
                        continue
                    }
                }
                try emit(items[i])
                i += 1
            }
        case let .alternation(branches):
            // split L1, next ; L1: branch0 ; jump end ; next: split L2, next2 ...
            var jumpsToEnd: [Int32] = []
            for (i, branch) in branches.enumerated() {
                if i < branches.count - 1 {
                    let split = append(.split(first: 0, second: 0))
                    try emit(branch)
                    jumpsToEnd.append(append(.jump(0)))
                    program.instructions[Int(split)] = .split(first: split + 1, second: nextIndex)
                } else {
                    try emit(branch)
                }
            }
            for j in jumpsToEnd { program.instructions[Int(j)] = .jump(nextIndex) }
        case let .group(body):
            try emit(body)
        case let .atomic(body):
            try emitAtomic(body)
        case let .lookahead(body, negated):
            let instruction = append(.lookahead(body: 0, negated: negated))
            let skip = append(.jump(0))
            let bodyStart = nextIndex
            try emit(body)
            append(.succeed)
            program.instructions[Int(instruction)] = .lookahead(body: bodyStart, negated: negated)
            program.instructions[Int(skip)] = .jump(nextIndex)
        case let .lookbehind(body, negated):
            try emitLookbehind(body, negated: negated)
        case let .assertion(kind):
            append(.assert(kind))
        case let .repetition(body, min, max, mode):
            try emitRepetition(body, min: min, max: max, mode: mode)
        }
    }

    private mutating func emitAtomic(_ body: RegexNode) throws(RegexError) {
        let instruction = append(.atomic(body: 0))
        let skip = append(.jump(0))
        let bodyStart = nextIndex
        try emit(body)
        append(.succeed)
        program.instructions[Int(instruction)] = .atomic(body: bodyStart)
        program.instructions[Int(skip)] = .jump(nextIndex)
    }

    private mutating func emitLookbehind(_ body: RegexNode, negated: Bool) throws(RegexError) {
        // Both engines require every alternative of a lookbehind to have a fixed length.
        let branches: [RegexNode]
        if case let .alternation(b) = body { branches = b } else { branches = [body] }
        var alternatives: [(start: Int32, length: Int)] = []
        let instruction = append(.lookbehind(alternatives: 0, negated: negated))
        let skip = append(.jump(0))
        for branch in branches {
            guard let length = RegexAnalysis.fixedLength(of: branch) else {
                throw RegexError(kind: .unsupportedFeature, message: "variable-length lookbehind", pattern: pattern, position: 0)
            }
            let start = nextIndex
            try emit(branch)
            append(.succeedAtLookbehindTarget)
            alternatives.append((start, length))
        }
        program.lookbehindAlternatives.append(alternatives)
        program.instructions[Int(instruction)] = .lookbehind(alternatives: Int32(program.lookbehindAlternatives.count - 1), negated: negated)
        program.instructions[Int(skip)] = .jump(nextIndex)
    }

    /// The set index for a body that matches exactly one scalar, or nil.
    private mutating func singleScalarSet(_ node: RegexNode) -> Int32? {
        switch node {
        case let .scalar(value, caseInsensitive):
            if dialect == .oniguruma && caseInsensitive && UnicodeCaseFolding.needsFullFolding([value]) { return nil }
            var ranges = UnicodeScalarRanges(ranges: [value...value])
            if caseInsensitive {
                for e in UnicodeProperties.caseEquivalents(of: value, flavor: dialect.unicodeFlavor) {
                    ranges = ranges.union(UnicodeScalarRanges(ranges: [e...e]))
                }
            }
            return addSet(ranges)
        case let .characterClass(set):
            return addSet(set.ranges)
        case let .any(matchesNewline):
            return matchesNewline ? -1 : -2
        case let .group(inner):
            return singleScalarSet(inner)
        default:
            return nil
        }
    }

    private mutating func emitRepetition(_ body: RegexNode, min: Int, max: Int?, mode: RepetitionMode) throws(RegexError) {
        if let set = singleScalarSet(body) {
            append(.repeatSet(set: set, min: Int32(min), max: Int32(max ?? -1), mode: mode))
            return
        }
        if mode == .possessive {
            try emitAtomic(.repetition(body, min: min, max: max, mode: .greedy))
            return
        }
        // Mandatory copies.
        for _ in 0..<min { try emit(body) }
        let canBeEmpty = RegexAnalysis.minimumLength(of: body) == 0
        if let max {
            // Optional copies, nested: (body (body (...)?)?)?
            let optional = max - min
            guard optional <= 10_000 else { throw tooLarge() }
            var pendingSplits: [Int32] = []
            for _ in 0..<optional {
                let split = append(.split(first: 0, second: 0))
                pendingSplits.append(split)
                try emit(body)
            }
            let end = nextIndex
            for split in pendingSplits {
                program.instructions[Int(split)] = mode == .lazy
                    ? .split(first: end, second: split + 1)
                    : .split(first: split + 1, second: end)
            }
        } else {
            // loop: split body, exit ; body ; jump loop
            let slot = Int32(program.loopSlotCount)
            if canBeEmpty { program.loopSlotCount += 1 }
            let loop = append(.split(first: 0, second: 0))
            if canBeEmpty { append(.saveLoopStart(slot: slot)) }
            try emit(body)
            let check = canBeEmpty ? append(.exitIfEmptyIteration(slot: slot, exit: 0)) : -1
            append(.jump(loop))
            let exit = nextIndex
            program.instructions[Int(loop)] = mode == .lazy
                ? .split(first: exit, second: loop + 1)
                : .split(first: loop + 1, second: exit)
            if check >= 0 { program.instructions[Int(check)] = .exitIfEmptyIteration(slot: slot, exit: exit) }
        }
    }
}

/// Static facts about pattern trees used by the compiler.
enum RegexAnalysis {
    /// The length in scalars of every match of `node`, if it is fixed.
    static func fixedLength(of node: RegexNode) -> Int? {
        switch node {
        case .empty, .assertion, .lookahead, .lookbehind: return 0
        case .scalar, .characterClass, .any: return 1
        case let .concatenation(items):
            var total = 0
            for item in items {
                guard let l = fixedLength(of: item) else { return nil }
                total += l
            }
            return total
        case let .alternation(branches):
            let lengths = branches.map(fixedLength(of:))
            guard let first = lengths.first, let f = first, lengths.allSatisfy({ $0 == f }) else { return nil }
            return f
        case let .group(body), let .atomic(body): return fixedLength(of: body)
        case let .repetition(body, min, max, _):
            guard max == min, let l = fixedLength(of: body) else { return nil }
            return l * min
        }
    }

    /// The minimum number of scalars a match of `node` consumes.
    static func minimumLength(of node: RegexNode) -> Int {
        switch node {
        case .empty, .assertion, .lookahead, .lookbehind: return 0
        case .scalar, .characterClass, .any: return 1
        case let .concatenation(items): return items.reduce(0) { $0 + minimumLength(of: $1) }
        case let .alternation(branches): return branches.map(minimumLength(of:)).min() ?? 0
        case let .group(body), let .atomic(body): return minimumLength(of: body)
        case let .repetition(body, min, _, _): return min == 0 ? 0 : min * minimumLength(of: body)
        }
    }

    /// A superset of the scalars that any non-empty match of `node` starts with, or nil when unknown.
    static func firstScalars(of node: RegexNode, flavor: RegexUnicodeFlavor) -> UnicodeScalarRanges? {
        switch node {
        case let .scalar(value, caseInsensitive):
            var result = UnicodeScalarRanges(ranges: [value...value])
            if caseInsensitive {
                for e in UnicodeProperties.caseEquivalents(of: value, flavor: flavor) {
                    result = result.union(UnicodeScalarRanges(ranges: [e...e]))
                }
            }
            return result
        case let .characterClass(set): return set.ranges
        case let .any(matchesNewline):
            return matchesNewline ? UnicodeScalarRanges(ranges: [0...0x10FFFF]) : UnicodeScalarRanges(ranges: [0...0x09, 0x0B...0x10FFFF])
        case let .concatenation(items):
            var result = UnicodeScalarRanges(ranges: [])
            for item in items {
                guard let first = firstScalars(of: item, flavor: flavor) else { return nil }
                result = result.union(first)
                if minimumLength(of: item) > 0 { return result }
            }
            return result
        case let .alternation(branches):
            var result = UnicodeScalarRanges(ranges: [])
            for branch in branches {
                guard let first = firstScalars(of: branch, flavor: flavor) else { return nil }
                result = result.union(first)
            }
            return result
        case let .group(body), let .atomic(body), let .repetition(body, _, _, _):
            return firstScalars(of: body, flavor: flavor)
        case .empty, .assertion, .lookahead, .lookbehind:
            // Zero-width: contributes no first scalar of its own.
            return UnicodeScalarRanges(ranges: [])
        }
    }
}
