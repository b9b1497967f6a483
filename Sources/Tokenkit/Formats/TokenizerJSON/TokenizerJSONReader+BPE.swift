import Foundation

// Performance notes: the vocabulary and merges of large tokenizers (o200k: 200k
// tokens, 446k merges) dominate loading time. Both are read from the JSON tape
// through pointers (no value or string object per entry), byte-level keys are
// decoded from GPT-2 characters into one scratch buffer, and a merge's result
// is first guessed as the id after the previous merge's result (merge lists
// are usually in vocabulary order), checked by comparing bytes, before it is
// looked up. Tokenizers without a merge list in vocabulary order only lose
// the shortcut. The pair table fills on a second thread (`PairTableFiller`), and
// a long merge list is resolved by two threads, run by run (`MergeRuns`).

extension TokenizerJSONReader {
    func readBPE(_ v: JSONValue, _ path: String, byteLevelText: Bool) throws(TokenizerLoadingError) -> BPEModel {
        var options = BPEModel.Options()
        options.unknownToken = try string(v, "unk_token", path)
        options.continuingSubwordPrefix = try string(v, "continuing_subword_prefix", path)
        options.endOfWordSuffix = try string(v, "end_of_word_suffix", path)
        options.fuseUnknown = try bool(v, "fuse_unk", path, default: false)
        options.byteFallback = try bool(v, "byte_fallback", path, default: false)
        options.ignoreMerges = try bool(v, "ignore_merges", path, default: false)
        if let d = optional(v, "dropout") {
            guard let p = d.double, p >= 0, p <= 1 else {
                throw malformed(d, "field \(path).dropout: expected a probability between 0 and 1")
            }
            options.dropout = Float(p)
        }
        let alphabet: BPEModel.Alphabet = byteLevelText ? .byteLevel : .unicode
        let vocabValue = try require(v, "vocab", path)
        _ = try wrap { () throws(JSONError) in try vocabValue.expectObject(path: path + ".vocab") }
        let mergesValue = try array(v, "merges", path)
        let reader = VocabularyBuilder(alphabet: alphabet, expectedCount: vocabValue.count)

        // Vocabulary.
        var members = vocabValue.tapeMembers
        while let key = members.next(), let value = members.next() {
            guard let n = value.int, n >= 0, n <= Int(UInt32.max) else {
                let keyValue = key.value(in: vocabValue)
                throw malformed(value.value(in: vocabValue), "field \(path).vocab[\(keyValue.string?.debugDescription ?? "?")]: expected a token id (a non-negative integer), found \(value.value(in: vocabValue).kind)")
            }
            _ = key.withStringBytes { reader.add($0, id: TokenID(n)) }
        }
        reader.flush()

        // Scaffold-BPE's scaffolds (Tokenkit's extension): tokens split back into their parts.
        var scaffolds: Set<TokenID> = []
        if let list = optional(v, "scaffold_tokens") {
            guard list.isArray else { throw malformed(list, "field \(path).scaffold_tokens: expected an array of token strings") }
            for (index, token) in list.elements.enumerated() {
                guard let id = token.withStringBytes({ reader.id(of: $0) }) ?? nil else {
                    throw malformed(token, "field \(path).scaffold_tokens[\(index)]: expected a token of the vocabulary")
                }
                scaffolds.insert(id)
            }
        }

        // Merges.
        let merges = PairTableFiller(mergeCount: mergesValue.count, keepFirst: false, filtered: alphabet == .byteLevel)
        let prefixLength = options.continuingSubwordPrefix?.utf8.count ?? 0
        var failure: MergeFailure?
        if mergesValue.count >= VocabularyBuilder.parallelMergeCount, merges.isThreaded, scaffolds.isEmpty {
            // Two threads take runs of the list in turn (so that neither waits for the other
            // however the cores are shared) and hand them to the filler, which inserts them in
            // the list's order whatever order they arrive in. (Scaffolds need every result in order.)
            let runs = MergeRuns(mergesValue.tapeElements)
            let helperDone = DispatchSemaphore(value: 0)
            let helperFailure = UnsafeMutablePointer<MergeFailure?>.allocate(capacity: 1)
            helperFailure.initialize(to: nil)
            defer { helperFailure.deinitialize(count: 1); helperFailure.deallocate() }
            let work = UncheckedSendable((VocabularyBuilder(sharing: reader), helperFailure))
            // (A thread of its own rather than a dispatch queue's, which a caller loading several
            // tokenizers at once from that queue could have all waiting here.)
            Thread {
                let (helper, helperFailure) = work.value
                helperFailure.pointee = runs.resolve(with: helper, into: merges, prefixLength: prefixLength)
                helperDone.signal()
            }.start()
            failure = runs.resolve(with: reader, into: merges, prefixLength: prefixLength)
            helperDone.wait()
            // (The first bad merge of the list: runs are taken in order and every run before a
            // bad one is resolved to its end, or has a bad one itself.)
            if let other = helperFailure.pointee, other.rank < failure?.rank ?? .max { failure = other }
        } else {
            var writer = merges.writer()
            failure = reader.resolveMerges(mergesValue.tapeElements, firstRank: 0, prefixLength: prefixLength) { rank, left, right, result in
                writer.add(left: left, right: right, rank: UInt32(rank), result: result)
                if !scaffolds.isEmpty, scaffolds.contains(result), options.scaffoldSplits[result] == nil {
                    options.scaffoldSplits[result] = ScaffoldSplit(left: left, right: right)
                }
            }
            writer.close()
        }
        // Always collected, so that the filling thread ends even when the list is malformed.
        let pairs = merges.finish()
        if let failure {
            // (The path is built only here: 446k merges would otherwise allocate 446k strings.)
            throw malformed(failure.merge.value(in: mergesValue), "field \(path).merges[\(failure.rank)]: \(failure.problem.description)")
        }
        if let missing = scaffolds.first(where: { options.scaffoldSplits[$0] == nil }) {
            throw malformed(v, "field \(path).scaffold_tokens: token id \(missing) is made by no merge, so it cannot be split")
        }
        return BPEModel(alphabet: alphabet, vocabulary: reader.vocabulary, extraTokens: reader.extraTokens, merges: pairs,
                        mergeFilter: merges.filter, options: options)
    }
}

/// The two parts of a legacy merge string "left right" (exactly one space), else nil.
@inline(__always)
private func splitLegacyMerge(_ bytes: UnsafeBufferPointer<UInt8>) -> (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>)? {
    guard let space = bytes.firstIndex(of: 0x20), bytes[(space + 1)...].firstIndex(of: 0x20) == nil else { return nil }
    return (UnsafeBufferPointer(rebasing: bytes[..<space]), UnsafeBufferPointer(rebasing: bytes[(space + 1)...]))
}

/// Hands out consecutive runs of a merge list to the threads resolving it, in order.
private final class MergeRuns: @unchecked Sendable {
    /// Merges per run: small enough to balance two threads, large enough that taking one (under
    /// the lock, walking its elements) is rare.
    static let length = 8192

    private let lock = NSLock()
    private var rest: JSONTapeSequence
    private var nextRank = 0
    private var stopped = false

    init(_ elements: JSONTapeSequence) {
        rest = elements
    }

    /// The next run and the rank of its first merge; nil when none is left or after a bad merge.
    private func next() -> (JSONTapeSequence, Int)? {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return nil }
        let (run, count) = rest.take(Self.length)
        guard count > 0 else { return nil }
        defer { nextRank += count }
        return (run, nextRank)
    }

    /// Resolves runs until none is left, adding their merges to `filler`; returns the first bad
    /// merge of a run, after which no thread takes another.
    func resolve(with builder: VocabularyBuilder, into filler: PairTableFiller, prefixLength: Int) -> MergeFailure? {
        while let (run, firstRank) = next() {
            // (One entry at most per rank: the run's slots of the filler start at its first rank.)
            var writer = filler.writer(startingAt: firstRank)
            let failure = builder.resolveMerges(run, firstRank: firstRank, prefixLength: prefixLength) { rank, left, right, result in
                writer.add(left: left, right: right, rank: UInt32(rank), result: result)
            }
            writer.close()
            if let failure {
                lock.lock()
                stopped = true
                lock.unlock()
                return failure
            }
        }
        return nil
    }
}

/// The first merge of a list that cannot be resolved.
private struct MergeFailure {
    var rank: Int
    var problem: MergeProblem
    var merge: JSONTapeValue
}

/// Why a merge entry cannot be resolved.
private enum MergeProblem: Error, CustomStringConvertible {
    case notAPair
    case shape
    case unknown(String)
    case shorterThanPrefix(String)
    case unknownMerged(String)

    var description: String {
        switch self {
        case .notAPair: return "expected a pair of tokens [\"left\", \"right\"] or a string \"left right\""
        case .shape: return "expected a merge \"left right\" with exactly one space"
        case let .unknown(token): return "token \(token.debugDescription) is not in the vocabulary"
        case let .shorterThanPrefix(token): return "token \(token.debugDescription) is shorter than the continuing subword prefix"
        case let .unknownMerged(token): return "merged token \(token.debugDescription) is not in the vocabulary"
        }
    }
}

/// Builds a BPE vocabulary from token strings and resolves merges against it, through one
/// scratch buffer. A class used by one reader at a time, so that the closures of the JSON
/// iteration mutate it without dynamic exclusivity checks.
private final class VocabularyBuilder {
    let alphabet: BPEModel.Alphabet
    @exclusivity(unchecked) var vocabulary: ByteStringTable
    @exclusivity(unchecked) var extraTokens: [String: TokenID] = [:]
    /// Vocabulary entry of each id (-1: none), for checking guessed merge results.
    @exclusivity(unchecked) var entryForID: [Int32] = []
    @exclusivity(unchecked) private var scratch: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var scratchCapacity = 1024
    /// `ByteLevelAlphabet.byteForScalarTable`, copied so that decoding a key retains nothing.
    private let byteTable: UnsafeMutableBufferPointer<Int16>

    init(alphabet: BPEModel.Alphabet, expectedCount: Int) {
        self.alphabet = alphabet
        vocabulary = ByteStringTable(compactFor: expectedCount)
        entryForID.reserveCapacity(expectedCount)
        scratch = .allocate(capacity: scratchCapacity)
        byteTable = .allocate(capacity: ByteLevelAlphabet.byteForScalarTable.count)
        _ = byteTable.initialize(from: ByteLevelAlphabet.byteForScalarTable)
        pending.reserveCapacity(Self.batch)
        prepared.reserveCapacity(Self.mergeBatch)
        preparedHashes.reserveCapacity(3 * Self.mergeBatch)
    }

    deinit {
        scratch.deallocate()
        batchKeys.deallocate()
        byteTable.deallocate()
    }

    /// Grows the scratch buffer to `n` bytes, keeping its contents.
    private func reserveScratch(_ n: Int) {
        Self.reserve(n, in: &scratch, capacity: &scratchCapacity)
    }

    /// Grows `buffer` to at least `n` bytes (at least doubling it), keeping its contents.
    private static func reserve(_ n: Int, in buffer: inout UnsafeMutablePointer<UInt8>, capacity: inout Int) {
        if n <= capacity { return }
        let grownCapacity = max(n, capacity * 2)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: grownCapacity)
        grown.update(from: buffer, count: capacity)
        buffer.deallocate()
        buffer = grown
        capacity = grownCapacity
    }

    /// The vocabulary key of a token string written at `scratch + offset`: its length, or nil
    /// when a byte-level string has characters outside the alphabet.
    private func key(_ utf8: UnsafeBufferPointer<UInt8>, at offset: Int) -> Int? {
        key(utf8, to: scratch + offset)
    }

    /// The vocabulary key of a token string written at `destination` (room for `utf8.count` bytes).
    @inline(__always)
    private func key(_ utf8: UnsafeBufferPointer<UInt8>, to destination: UnsafeMutablePointer<UInt8>) -> Int? {
        switch alphabet {
        case .unicode:
            if let base = utf8.baseAddress { destination.update(from: base, count: utf8.count) }
            return utf8.count
        case .byteLevel:
            return ByteLevelAlphabet.decode(utf8: utf8, to: destination, table: UnsafeBufferPointer(byteTable))
        }
    }

    /// Keys decoded but not inserted yet, end to end from the start of `scratch`, with their
    /// hashes (whose slots were requested) and ids: inserted in order by `flush`.
    private static let batch = 32
    @exclusivity(unchecked) private var pending: [(length: Int, hash: UInt64, id: TokenID)] = []
    @exclusivity(unchecked) private var pendingBytes = 0

    /// Adds a token of the vocabulary (inserted with the next `flush`, which must come before
    /// any lookup).
    func add(_ token: UnsafeBufferPointer<UInt8>, id: TokenID) {
        // (A byte-level key is never longer than its string.)
        reserveScratch(pendingBytes + token.count)
        if let length = key(token, at: pendingBytes) {
            let h = ByteStringTable.hash(UnsafeBufferPointer(start: scratch + pendingBytes, count: length))
            pending.append((length, h, id))
            pendingBytes += length
            if pending.count == Self.batch { flush() }
        } else {
            // (Keys outside the alphabet are kept apart, so their order among the others is free.)
            extraTokens[String(decoding: token, as: UTF8.self)] = id
        }
    }

    /// Inserts the pending keys, in the order they were added.
    func flush() {
        vocabulary.prefetchSlots(hashes: pending.lazy.map { $0.hash })
        var offset = 0
        for (length, h, id) in pending {
            let before = vocabulary.count
            vocabulary.set(UnsafeBufferPointer(start: scratch + offset, count: length), id, hash: h)
            offset += length
            // (Ids far beyond the vocabulary size are left out: they only lose the guess shortcut.)
            if vocabulary.count > before, Int(id) < 4 * vocabulary.count + 1024 {
                if Int(id) >= entryForID.count {
                    entryForID.append(contentsOf: repeatElement(-1, count: max(Int(id) + 1, 2 * entryForID.count) - entryForID.count))
                }
                entryForID[Int(id)] = Int32(before)
            }
        }
        pending.removeAll(keepingCapacity: true)
        pendingBytes = 0
    }

    private func id(ofKey length: Int, at offset: Int) -> TokenID? {
        vocabulary.value(for: UnsafeBufferPointer(start: scratch + offset, count: length))
    }

    func id(of token: UnsafeBufferPointer<UInt8>) -> TokenID? {
        reserveScratch(token.count)
        if let length = key(token, at: 0), let id = id(ofKey: length, at: 0) { return id }
        return extraTokens[String(decoding: token, as: UTF8.self)]
    }

    /// Whether the vocabulary key of `id` is the `length` bytes at `key` (`scratch` by default).
    private func keyOf(_ id: TokenID, equals length: Int, at key: UnsafePointer<UInt8>? = nil) -> Bool {
        guard Int(id) < entryForID.count else { return false }
        let entry = Int(entryForID[Int(id)])
        // (A key given twice keeps its last id: the entry must still map to this one.)
        guard entry >= 0, vocabulary.values[entry] == id else { return false }
        let start = Int(vocabulary.keyStarts[entry])
        guard Int(vocabulary.keyStarts[entry + 1]) - start == length else { return false }
        return vocabulary.keyBytes.withUnsafeBufferPointer { bytesEqual($0.baseAddress! + start, key ?? UnsafePointer(scratch), length) }
    }

    /// Merge lists this long are resolved by two threads (`MergeRuns`).
    static let parallelMergeCount = 65536

    /// A builder for resolving merges on another thread: it shares the (complete) vocabulary
    /// and has buffers of its own.
    convenience init(sharing other: VocabularyBuilder) {
        self.init(alphabet: other.alphabet, expectedCount: 0)
        vocabulary = other.vocabulary
        extraTokens = other.extraTokens
        entryForID = other.entryForID
    }

    /// Resolves the merges of `elements`, whose ranks start at `firstRank`, calling `body` with
    /// each rank and ids in order; stops at the first merge that cannot be resolved and
    /// returns it.
    func resolveMerges(_ elements: JSONTapeSequence, firstRank: Int, prefixLength: Int,
                       _ body: (_ rank: Int, _ left: TokenID, _ right: TokenID, _ result: TokenID) -> Void) -> MergeFailure? {
        var elements = elements
        var rank = firstRank - 1
        var guess: TokenID? = nil
        var batch: [JSONTapeValue] = []
        batch.reserveCapacity(Self.mergeBatch)
        while true {
            // A batch's parts are decoded and their index slots requested before any is looked up.
            batch.removeAll(keepingCapacity: true)
            while batch.count < Self.mergeBatch, let merge = elements.next() { batch.append(merge) }
            if batch.isEmpty { return nil }
            if prefixLength == 0 { prepare(batch) }
            for (index, merge) in batch.enumerated() {
                rank += 1
                let resolved: Result<(TokenID, TokenID, TokenID), MergeProblem>
                if prefixLength == 0, let ids = resolvePrepared(index, guess: guess) {
                    resolved = .success(ids)
                } else if merge.isString {
                    // Legacy form "a b": exactly one space.
                    resolved = merge.withStringBytes { bytes in
                        guard let (left, right) = splitLegacyMerge(bytes) else { return .failure(.shape) }
                        return resolve(left, right, prefixLength: prefixLength, guess: guess)
                    } ?? .failure(.shape)
                } else if let (a, b) = merge.pair, a.isString, b.isString {
                    resolved = a.withStringBytes { left in
                        b.withStringBytes { right in resolve(left, right, prefixLength: prefixLength, guess: guess) }
                    }! ?? .failure(.notAPair)
                } else {
                    resolved = .failure(.notAPair)
                }
                switch resolved {
                case let .success((left, right, result)):
                    body(rank, left, right, result)
                    guess = result &+ 1
                case let .failure(problem):
                    return MergeFailure(rank: rank, problem: problem, merge: merge)
                }
            }
        }
    }

    // Merges are resolved in batches: each part is one lookup in an index of several MB (a
    // cache miss), so a batch's parts are decoded and hashed first and their slots requested,
    // and the lookups then find them loaded. Anything unusual (a malformed entry, a part
    // outside the alphabet or only among the extra tokens) goes through `resolve` instead.
    static let mergeBatch = 32

    /// A prepared merge: its two keys side by side in `batchKeys` from `offset` (together the
    /// result's key), and the three keys' hashes.
    private struct PreparedMerge {
        var offset: Int
        var leftLength: Int
        var rightLength: Int
        var leftHash: UInt64
        var rightHash: UInt64
        var mergedHash: UInt64
    }

    @exclusivity(unchecked) private var prepared: [PreparedMerge?] = []
    @exclusivity(unchecked) private var preparedHashes: [UInt64] = []
    @exclusivity(unchecked) private var batchKeys = UnsafeMutablePointer<UInt8>.allocate(capacity: 4096)
    @exclusivity(unchecked) private var batchKeysCapacity = 4096

    /// Decodes and hashes the parts of a batch of merges (without a continuing-subword prefix)
    /// and requests their index slots; `resolvePrepared` then resolves them in order.
    private func prepare(_ batch: [JSONTapeValue]) {
        prepared.removeAll(keepingCapacity: true)
        preparedHashes.removeAll(keepingCapacity: true)
        var offset = 0
        for merge in batch {
            var entry: PreparedMerge?
            if merge.isString {
                entry = merge.withStringBytes { bytes in
                    splitLegacyMerge(bytes).flatMap { prepareParts($0.0, $0.1, at: &offset) }
                } ?? nil
            } else if let (a, b) = merge.pair {
                entry = a.withStringBytes { left in b.withStringBytes { right in prepareParts(left, right, at: &offset) } ?? nil } ?? nil
            }
            prepared.append(entry)
        }
        vocabulary.prefetchSlots(hashes: preparedHashes)
    }

    private func prepareParts(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>, at offset: inout Int) -> PreparedMerge? {
        // (A byte-level key is never longer than its string.)
        Self.reserve(offset + left.count + right.count, in: &batchKeys, capacity: &batchKeysCapacity)
        let base = batchKeys + offset
        guard let a = key(left, to: base), let b = key(right, to: base + a) else { return nil }
        let leftHash = ByteStringTable.hash(UnsafeBufferPointer(start: base, count: a))
        let rightHash = ByteStringTable.hash(UnsafeBufferPointer(start: base + a, count: b))
        // (The result's slot too: merge lists such as o200k's hold more merges than tokens, so the
        // guess fails for half of them.)
        let mergedHash = ByteStringTable.hash(UnsafeBufferPointer(start: base, count: a + b))
        preparedHashes.append(leftHash)
        preparedHashes.append(rightHash)
        preparedHashes.append(mergedHash)
        defer { offset += a + b }
        return PreparedMerge(offset: offset, leftLength: a, rightLength: b, leftHash: leftHash, rightHash: rightHash, mergedHash: mergedHash)
    }

    /// The ids of the `index`-th prepared merge's parts and result (trying `guess` for the result
    /// first), or nil when it was not prepared or a key is not in the vocabulary (then `resolve`
    /// finds the extra tokens or the problem).
    private func resolvePrepared(_ index: Int, guess: TokenID?) -> (TokenID, TokenID, TokenID)? {
        guard index < prepared.count, let merge = prepared[index] else { return nil }
        let base = batchKeys + merge.offset
        let a = merge.leftLength, b = merge.rightLength
        guard let leftID = vocabulary.value(for: UnsafeBufferPointer(start: base, count: a), hash: merge.leftHash),
              let rightID = vocabulary.value(for: UnsafeBufferPointer(start: base + a, count: b), hash: merge.rightHash)
        else { return nil }
        if let guess, keyOf(guess, equals: a + b, at: base) { return (leftID, rightID, guess) }
        guard let mergedID = vocabulary.value(for: UnsafeBufferPointer(start: base, count: a + b), hash: merge.mergedHash) else { return nil }
        return (leftID, rightID, mergedID)
    }

    /// The ids of a merge's two tokens and of their concatenation (without the continuing-subword
    /// prefix of the right one), trying `guess` for the result first.
    func resolve(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>, prefixLength: Int,
                 guess: TokenID?) -> Result<(TokenID, TokenID, TokenID), MergeProblem> {
        guard right.count >= prefixLength else {
            if id(of: left) == nil { return .failure(.unknown(String(decoding: left, as: UTF8.self))) }
            if id(of: right) == nil { return .failure(.unknown(String(decoding: right, as: UTF8.self))) }
            return .failure(.shorterThanPrefix(String(decoding: right, as: UTF8.self)))
        }
        let rest = UnsafeBufferPointer(rebasing: right[prefixLength...])
        reserveScratch(left.count + right.count)
        // The keys side by side in the scratch buffer: left, then the right one without its
        // prefix, which together are the merged key.
        guard let a = key(left, at: 0), let b = key(rest, at: a) else {
            // Tokens outside the byte-level alphabet: only the extra tokens can match.
            guard let leftID = id(of: left) else { return .failure(.unknown(String(decoding: left, as: UTF8.self))) }
            guard let rightID = id(of: right) else { return .failure(.unknown(String(decoding: right, as: UTF8.self))) }
            let merged = String(decoding: Array(left) + Array(rest), as: UTF8.self)
            guard let id = extraTokens[merged] else { return .failure(.unknownMerged(merged)) }
            return .success((leftID, rightID, id))
        }
        guard let leftID = id(ofKey: a, at: 0) ?? extraTokens[String(decoding: left, as: UTF8.self)] else {
            return .failure(.unknown(String(decoding: left, as: UTF8.self)))
        }
        let rightID: TokenID?
        if prefixLength == 0 {
            rightID = id(ofKey: b, at: a) ?? extraTokens[String(decoding: right, as: UTF8.self)]
        } else {
            rightID = lookUpSeparately(right, after: a + b)
        }
        guard let rightID else { return .failure(.unknown(String(decoding: right, as: UTF8.self))) }
        if let guess, keyOf(guess, equals: a + b) { return .success((leftID, rightID, guess)) }
        guard let mergedID = id(ofKey: a + b, at: 0) else {
            return .failure(.unknownMerged(String(decoding: Array(left) + Array(rest), as: UTF8.self)))
        }
        return .success((leftID, rightID, mergedID))
    }

    /// The id of a token whose key is built after the first `offset` bytes of the scratch buffer.
    private func lookUpSeparately(_ token: UnsafeBufferPointer<UInt8>, after offset: Int) -> TokenID? {
        reserveScratch(offset + token.count)
        if let length = key(token, at: offset), let id = id(ofKey: length, at: offset) { return id }
        return extraTokens[String(decoding: token, as: UTF8.self)]
    }
}
