/// The Unicode script of a scalar (Unicode 16, from the regex tables), for code that needs the
/// script itself rather than a regex class: SentencePiece-style training keeps pieces within one
/// script.
package enum UnicodeScriptLookup {
    /// An opaque script identifier; compare with `common`, `inherited`, `han`, … or for equality.
    package typealias Script = Int

    package static let common = UnicodeGeneratedRegexTables.scriptKeyIndex(looseName: "common")!
    package static let inherited = UnicodeGeneratedRegexTables.scriptKeyIndex(looseName: "inherited")!
    package static let han = UnicodeGeneratedRegexTables.scriptKeyIndex(looseName: "han")!
    package static let hiragana = UnicodeGeneratedRegexTables.scriptKeyIndex(looseName: "hiragana")!
    package static let katakana = UnicodeGeneratedRegexTables.scriptKeyIndex(looseName: "katakana")!
    private static let unknown = UnicodeGeneratedRegexTables.scriptKeyIndex(looseName: "unknown")!

    /// Every script's ranges merged into one sorted list (lower bounds, upper bounds, script),
    /// built once; a lookup is a binary search.
    private static let table: (lower: [UInt32], upper: [UInt32], script: [Int]) = {
        var ranges: [(UInt32, UInt32, Int)] = []
        // Scripts follow the general categories, \s \w \d and the four binary properties.
        for key in (UnicodeGeneratedRegexTables.binaryBase + 4)..<UnicodeGeneratedRegexTables.keyCount {
            guard key != unknown, let set = UnicodeRegexData.sets.set(key, .oniguruma) else { continue }
            var i = 0
            while i + 1 < set.bounds.count {
                ranges.append((set.bounds[i], set.bounds[i + 1], key))
                i += 2
            }
        }
        ranges.sort { $0.0 < $1.0 }
        return (ranges.map(\.0), ranges.map(\.1), ranges.map(\.2))
    }()

    /// The script of `scalar`; unassigned code points are `common` (as in SentencePiece's table,
    /// which defaults to Common).
    package static func script(of scalar: UInt32) -> Script {
        let (lower, upper, script) = table
        var lo = 0, hi = lower.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if lower[mid] <= scalar { lo = mid + 1 } else { hi = mid }
        }
        guard lo > 0, scalar <= upper[lo - 1] else { return common }
        return script[lo - 1]
    }
}
