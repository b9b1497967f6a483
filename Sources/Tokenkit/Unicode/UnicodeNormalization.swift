// Unicode normalization exactly as Hugging Face `tokenizers` performs it, i.e. as the crate
// `unicode-normalization-alignments` 0.1.12 does (an OLD Unicode version — older than 12.1:
// U+32FF and U+11938 do not decompose), including the per-character alignment "changes" that
// `NormalizedString::transform` consumes. Tables: Generated/UnicodeNormalizationTables.swift,
// probed from tokenizers by scripts/generate_unicode_tables.py.
//
// Algorithm (re-implemented from its observable behaviour):
// * decomposition: each input scalar is replaced by its full (canonical or compatibility)
//   decomposition (Hangul algorithmically); the first scalar of it gets change 0, the others +1.
//   Non-starters are buffered and the pending run is STABLY sorted by combining class whenever a
//   starter arrives and at the end (changes travel with their scalar);
// * recomposition (NFC/NFKC): the canonical composition algorithm with a `composee`, the last
//   combining class and a buffer of blocked marks; when a scalar composes, the composite's change
//   is `composee.change + scalar.change - 1`.

public enum UnicodeNormalizationForm: Sendable, CaseIterable {
    case nfc, nfd, nfkc, nfkd

    var isCompatibility: Bool { self == .nfkc || self == .nfkd }
    var isComposed: Bool { self == .nfc || self == .nfkc }

    /// Bit of the quick-check table.
    @inline(__always) var quickCheckBit: UInt8 {
        switch self {
        case .nfd: return 1
        case .nfkd: return 2
        case .nfc: return 4
        case .nfkc: return 8
        }
    }
}

enum UnicodeNormalizationData {
    static let ccc = UnicodeTwoStageTable<UInt8>(base64: UnicodeGeneratedNormalizationTables.ccc)
    static let quickCheck = UnicodeTwoStageTable<UInt8>(base64: UnicodeGeneratedNormalizationTables.quickCheck)

    struct Mappings: Sendable {
        var canonical: UnicodeMappingTable
        var compatibility: UnicodeMappingTable
        /// Sorted `(first << 32) | second` keys and their composites.
        var compositionKeys: [UInt64]
        var compositionValues: [UInt32]
    }

    static let mappings: Mappings = {
        var r = UnicodeVarintReader(UnicodeTableDecoding.base64(UnicodeGeneratedNormalizationTables.mappings))
        let canonicalList = r.mappingList()
        let compatList = r.mappingList()
        let n = r.nextInt()
        var keys = [UInt64]()
        var values = [UInt32]()
        keys.reserveCapacity(n)
        values.reserveCapacity(n)
        for _ in 0..<n {
            let a = UInt64(r.next())
            let b = UInt64(r.next())
            keys.append(a << 32 | b)
            values.append(r.next())
        }
        precondition(zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 }, "composition keys not sorted")
        return Mappings(
            canonical: UnicodeMappingTable(
                index: UnicodeTwoStageTable<UInt16>(base64: UnicodeGeneratedNormalizationTables.canonicalIndex),
                list: canonicalList),
            compatibility: UnicodeMappingTable(
                index: UnicodeTwoStageTable<UInt16>(base64: UnicodeGeneratedNormalizationTables.compatIndex),
                list: compatList),
            compositionKeys: keys,
            compositionValues: values)
    }()
}

enum UnicodeNormalization {
    static let hangulSBase: UInt32 = 0xAC00
    static let hangulLBase: UInt32 = 0x1100
    static let hangulVBase: UInt32 = 0x1161
    static let hangulTBase: UInt32 = 0x11A7
    static let hangulLCount: UInt32 = 19
    static let hangulVCount: UInt32 = 21
    static let hangulTCount: UInt32 = 28
    static let hangulNCount: UInt32 = 21 * 28
    static let hangulSCount: UInt32 = 19 * 21 * 28

    /// Canonical combining class as used by tokenizers' normalizers (0 for starters and for
    /// characters unknown to its Unicode version). For characters that have a canonical
    /// decomposition (which never reach the algorithm) the UCD value is returned.
    @inline(__always)
    static func canonicalCombiningClass(_ s: UInt32) -> UInt8 {
        UnicodeNormalizationData.ccc.lookup(s)
    }

    /// Composite of `(a, b)` under tokenizers' composition table (Hangul included), if any.
    @inline(__always)
    static func compose(_ a: UInt32, _ b: UInt32) -> UInt32? {
        let m = UnicodeNormalizationData.mappings
        return m.compositionKeys.withUnsafeBufferPointer { k in
            m.compositionValues.withUnsafeBufferPointer { v in composeFast(a, b, k, v) }
        }
    }

    /// Full decomposition of one scalar under `form` (the scalar itself when it has none),
    /// in the crate's (unsorted) order.
    static func decomposition(of s: UInt32, compatibility: Bool) -> [UInt32] {
        var items: [Item] = []
        appendDecomposition(of: s, compatibility: compatibility, UnicodeNormalizationData.mappings, to: &items)
        return items.map(\.scalar)
    }

    fileprivate struct Item {
        var scalar: UInt32
        var change: Int
        var ccc: UInt8
        /// Second element of some composition (quick-check bit 4): only then is `compose` tried.
        var composesAsSecond: Bool
    }

    @inline(__always)
    private static func composeFast(
        _ a: UInt32, _ b: UInt32, _ keys: UnsafeBufferPointer<UInt64>, _ values: UnsafeBufferPointer<UInt32>
    ) -> UInt32? {
        if a &- hangulLBase < hangulLCount && b &- hangulVBase < hangulVCount {
            return hangulSBase + ((a - hangulLBase) * hangulVCount + (b - hangulVBase)) * hangulTCount
        }
        if a &- hangulSBase < hangulSCount && (a - hangulSBase) % hangulTCount == 0
            && b > hangulTBase && b < hangulTBase + hangulTCount {
            return a + (b - hangulTBase)
        }
        let key = UInt64(a) << 32 | UInt64(b)
        var lo = 0
        var hi = keys.count
        while lo < hi {
            let mid = (lo &+ hi) &>> 1
            if keys[mid] < key { lo = mid &+ 1 } else { hi = mid }
        }
        return lo < keys.count && keys[lo] == key ? values[lo] : nil
    }

    /// Appends the normalized scalars and their alignment changes to `output`
    /// (0 = replaces the current input char, +1 = inserted, -n = replaces the current char and
    /// removes the n following ones), exactly as tokenizers' NFC/NFD/NFKC/NFKD normalizers.
    static func normalize<C: Collection>(
        _ scalars: C, form: UnicodeNormalizationForm,
        into output: inout [(scalar: UInt32, change: Int)]
    ) where C.Element == UInt32 {
        var scratch = Scratch()
        normalize(scalars, form: form, into: &output, scratch: &scratch, UnicodeNormalizationData.mappings)
    }

    /// Buffers `normalize` reuses from one stretch of text to the next (a text in many scripts
    /// has thousands of stretches, each a few scalars long).
    struct Scratch {
        fileprivate var items: [Item] = []
        fileprivate var blocked: [(scalar: UInt32, change: Int)] = []
    }

    /// `normalize(_:form:into:)` with the caller's buffers and mappings. (No closure captures a
    /// buffer: that would put it in a heap box, with a dynamic exclusivity check per access.)
    static func normalize<C: Collection>(
        _ scalars: C, form: UnicodeNormalizationForm,
        into output: inout [(scalar: UInt32, change: Int)],
        scratch: inout Scratch, _ m: borrowing UnicodeNormalizationData.Mappings
    ) where C.Element == UInt32 {
        let cccTable = UnicodeNormalizationData.ccc
        let qcTable = UnicodeNormalizationData.quickCheck
        let compat = form.isCompatibility
        // quick-check bit meaning "ccc 0 and no decomposition" for the decomposition step
        let stableBit: UInt8 = compat ? 2 : 1
        // 1. decomposition + canonical ordering (into the scratch buffer, moved out and back so
        // that it stays uniquely referenced)
        var items: [Item] = []
        swap(&items, &scratch.items)
        defer { swap(&items, &scratch.items) }
        items.removeAll(keepingCapacity: true)
        var pendingStart = 0
        for s in scalars {
            let q = s < 0x80 ? stableBit : qcTable.lookup(s)
            if q & stableBit != 0 {
                sortByCombiningClass(&items, from: pendingStart)
                items.append(Item(scalar: s, change: 0, ccc: 0, composesAsSecond: q & 16 != 0))
                pendingStart = items.count
                continue
            }
            let first = items.count
            appendDecomposition(of: s, compatibility: compat, m, to: &items)
            for index in first..<items.count {
                let x = items[index].scalar
                let k = cccTable.lookup(x)
                items[index].ccc = k
                items[index].composesAsSecond = qcTable.lookup(x) & 16 != 0
                if k == 0 {
                    // A starter: the marks pending before it are sorted; it stays where it is.
                    sortByCombiningClass(&items, from: pendingStart, to: index)
                    pendingStart = index + 1
                }
            }
        }
        sortByCombiningClass(&items, from: pendingStart)
        output.reserveCapacity(output.count + items.count)
        guard form.isComposed else {
            for it in items { output.append((it.scalar, it.change)) }
            return
        }
        // 2. recomposition
        var buffer: [(scalar: UInt32, change: Int)] = []
        swap(&buffer, &scratch.blocked)
        defer { swap(&buffer, &scratch.blocked) }
        buffer.removeAll(keepingCapacity: true)
        m.compositionKeys.withUnsafeBufferPointer { keys in
            m.compositionValues.withUnsafeBufferPointer { values in
                var composee: (scalar: UInt32, change: Int)? = nil
                var lastCCC: UInt8? = nil
                for it in items {
                    let k = it.ccc
                    guard let c = composee else {
                        if k != 0 {
                            output.append((it.scalar, it.change))
                        } else {
                            composee = (it.scalar, it.change)
                        }
                        continue
                    }
                    if let l = lastCCC {
                        if l >= k {
                            // blocked from the composee
                            if k == 0 {
                                output.append(c)
                                output.append(contentsOf: buffer)
                                buffer.removeAll(keepingCapacity: true)
                                composee = (it.scalar, it.change)
                                lastCCC = nil
                            } else {
                                buffer.append((it.scalar, it.change))
                                lastCCC = k
                            }
                            continue
                        }
                        if it.composesAsSecond, let r = composeFast(c.scalar, it.scalar, keys, values) {
                            composee = (r, c.change + it.change - 1)
                            continue
                        }
                        buffer.append((it.scalar, it.change))
                        lastCCC = k
                    } else {
                        if it.composesAsSecond, let r = composeFast(c.scalar, it.scalar, keys, values) {
                            composee = (r, c.change + it.change - 1)
                            continue
                        }
                        if k == 0 {
                            output.append(c)
                            composee = (it.scalar, it.change)
                            continue
                        }
                        buffer.append((it.scalar, it.change))
                        lastCCC = k
                    }
                }
                if let c = composee { output.append(c) }
                output.append(contentsOf: buffer)
            }
        }
    }

    /// Stable insertion sort of `items[start..<end]` (the marks after a starter) by combining class.
    @inline(__always)
    private static func sortByCombiningClass(_ items: inout [Item], from start: Int, to end: Int? = nil) {
        let end = end ?? items.count
        guard end &- start > 1 else { return }
        var i = start + 1
        while i < end {
            let x = items[i]
            var j = i - 1
            while j >= start && items[j].ccc > x.ccc {
                items[j + 1] = items[j]
                j -= 1
            }
            items[j + 1] = x
            i += 1
        }
    }

    /// Appends the full decomposition of `s` (itself when it has none) as items whose combining
    /// class and composition flag are still to be set, with their alignment changes.
    @inline(__always)
    private static func appendDecomposition(of s: UInt32, compatibility: Bool, _ m: borrowing UnicodeNormalizationData.Mappings,
                                            to items: inout [Item]) {
        if s &- hangulSBase < hangulSCount {
            let si = s - hangulSBase
            items.append(Item(scalar: hangulLBase + si / hangulNCount, change: 0, ccc: 0, composesAsSecond: false))
            items.append(Item(scalar: hangulVBase + (si % hangulNCount) / hangulTCount, change: 1, ccc: 0, composesAsSecond: false))
            let t = si % hangulTCount
            if t != 0 { items.append(Item(scalar: hangulTBase + t, change: 1, ccc: 0, composesAsSecond: false)) }
            return
        }
        let table = compatibility ? m.compatibility : m.canonical
        guard let r = table.range(of: s) else {
            items.append(Item(scalar: s, change: 0, ccc: 0, composesAsSecond: false))
            return
        }
        table.pool.withUnsafeBufferPointer { pool in
            for i in r { items.append(Item(scalar: pool[i], change: i == r.lowerBound ? 0 : 1, ccc: 0, composesAsSecond: false)) }
        }
    }

    /// The UTF-8 of the normalized text (for paths that need no alignment). `utf8` must be valid.
    ///
    /// Only the stretches around scalars that normalization may change go through `normalize`:
    /// a scalar that is certainly normalized (ccc 0, no decomposition, never the second element of
    /// a composition) is a boundary nothing reorders or composes across, so the text between
    /// such boundaries normalizes on its own and everything else is copied.
    static func normalizedUTF8(_ utf8: UnsafeBufferPointer<UInt8>, form: UnicodeNormalizationForm) -> [UInt8] {
        let bit = form.quickCheckBit
        let table = UnicodeNormalizationData.quickCheck
        let n = utf8.count
        @inline(__always) func isBoundary(_ s: UInt32) -> Bool { s < 0x80 || table.lookup(s) & bit != 0 }

        var result: [UInt8] = []
        result.reserveCapacity(n + 16)
        var flushed = 0          // bytes before this are in `result`
        var lastBoundary = 0     // start of the last boundary scalar seen at or after `flushed`
        var scalars: [UInt32] = []
        var normalized: [(scalar: UInt32, change: Int)] = []
        var scratch = Scratch()
        let mappings = UnicodeNormalizationData.mappings
        var i = 0
        while i < n {
            let (s, length) = UTF8.decode(utf8, at: i)
            if isBoundary(s) {
                lastBoundary = i
                i += length
                continue
            }
            // A stretch that may change: from the last boundary to the next one.
            var end = i + length
            while end < n {
                let (t, l) = UTF8.decode(utf8, at: end)
                if isBoundary(t) { break }
                end += l
            }
            let start = max(lastBoundary, flushed)
            result.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[flushed..<start]))
            scalars.removeAll(keepingCapacity: true)
            var j = start
            while j < end {
                let (t, l) = UTF8.decode(utf8, at: j)
                scalars.append(t)
                j += l
            }
            normalized.removeAll(keepingCapacity: true)
            normalize(scalars, form: form, into: &normalized, scratch: &scratch, mappings)
            for (value, _) in normalized { UTF8.append(value, to: &result) }
            flushed = end
            lastBoundary = end
            i = end
        }
        result.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[flushed..<n]))
        return result
    }

    /// Convenience: normalized scalars only.
    static func normalized<C: Collection>(_ scalars: C, form: UnicodeNormalizationForm) -> [UInt32]
    where C.Element == UInt32 {
        var out: [(scalar: UInt32, change: Int)] = []
        normalize(scalars, form: form, into: &out)
        return out.map(\.scalar)
    }

    /// Quick check: true when normalizing cannot change this text (every scalar is one that never
    /// changes under `form` in any context: ccc 0, no decomposition, and for C forms not the
    /// second element of any composition). All-ASCII text is always certainly normalized.
    /// Returns false for invalid UTF-8. When true, the output equals the input with all changes 0.
    static func isCertainlyNormalized(_ utf8: UnsafeBufferPointer<UInt8>, form: UnicodeNormalizationForm) -> Bool {
        let bit = form.quickCheckBit
        let table = UnicodeNormalizationData.quickCheck
        let n = utf8.count
        var i = 0
        while i < n {
            let b0 = utf8[i]
            if b0 < 0x80 {
                // ASCII is always normalized.
                i = endOfASCII(utf8, after: i)
                continue
            }
            var s: UInt32
            if b0 & 0xE0 == 0xC0 {
                guard i + 1 < n, b0 >= 0xC2, utf8[i + 1] & 0xC0 == 0x80 else { return false }
                s = UInt32(b0 & 0x1F) << 6 | UInt32(utf8[i + 1] & 0x3F)
                i &+= 2
            } else if b0 & 0xF0 == 0xE0 {
                guard i + 2 < n, utf8[i + 1] & 0xC0 == 0x80, utf8[i + 2] & 0xC0 == 0x80 else { return false }
                s = UInt32(b0 & 0x0F) << 12 | UInt32(utf8[i + 1] & 0x3F) << 6 | UInt32(utf8[i + 2] & 0x3F)
                guard s >= 0x800, !(0xD800...0xDFFF).contains(s) else { return false }
                i &+= 3
            } else if b0 & 0xF8 == 0xF0 {
                guard i + 3 < n, utf8[i + 1] & 0xC0 == 0x80, utf8[i + 2] & 0xC0 == 0x80,
                      utf8[i + 3] & 0xC0 == 0x80 else { return false }
                s = UInt32(b0 & 0x07) << 18 | UInt32(utf8[i + 1] & 0x3F) << 12
                    | UInt32(utf8[i + 2] & 0x3F) << 6 | UInt32(utf8[i + 3] & 0x3F)
                guard s >= 0x10000, s <= 0x10FFFF else { return false }
                i &+= 4
            } else {
                return false
            }
            if table.lookup(s) & bit == 0 { return false }
        }
        return true
    }

    /// How far the text is known to be ASCII from `start`, an ASCII byte (the rest of a run is left
    /// to the caller's next steps): one word after it is checked, then 32 bytes at a time and eight
    /// (the quick check runs over
    /// every text a normalizing tokenizer encodes, and most of it is ASCII; text in other scripts
    /// has only short runs between its scalars, which the first word check ends).
    @inline(__always)
    private static func endOfASCII(_ utf8: UnsafeBufferPointer<UInt8>, after start: Int) -> Int {
        let p = UnsafeRawPointer(utf8.baseAddress!), n = utf8.count
        let high: UInt64 = 0x8080_8080_8080_8080
        var i = start &+ 1
        guard i &+ 8 <= n, p.loadUnaligned(fromByteOffset: i, as: UInt64.self) & high == 0 else { return i }
        i &+= 8
        while i &+ 32 <= n {
            let any = p.loadUnaligned(fromByteOffset: i, as: UInt64.self) | p.loadUnaligned(fromByteOffset: i &+ 8, as: UInt64.self)
                | p.loadUnaligned(fromByteOffset: i &+ 16, as: UInt64.self) | p.loadUnaligned(fromByteOffset: i &+ 24, as: UInt64.self)
            if any & high != 0 { break }
            i &+= 32
        }
        while i &+ 8 <= n, p.loadUnaligned(fromByteOffset: i, as: UInt64.self) & high == 0 { i &+= 8 }
        return i
    }

    /// Same check on scalars.
    static func isCertainlyNormalized<C: Collection>(scalars: C, form: UnicodeNormalizationForm) -> Bool
    where C.Element == UInt32 {
        let bit = form.quickCheckBit
        let table = UnicodeNormalizationData.quickCheck
        for s in scalars where s >= 0x80 && table.lookup(s) & bit == 0 {
            return false
        }
        return true
    }
}
