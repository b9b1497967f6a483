// Regex-facing Unicode properties, probed from the reference regex engines
// (see scripts/generate_unicode_tables.py and Generated/UnicodeRegexTables.swift).
//
// Both engines know Unicode 16. General categories, scripts and the binary properties
// Alphabetic/Uppercase/Lowercase/White_Space, `\s`, `\d` and the simple case-folding classes are
// identical in the two flavors; they differ only in
// * `\w`: Oniguruma's has U+00B2 U+00B3 U+00B9 U+00BC U+00BD U+00BE (²³¹¼½¾) and lacks
//   U+200C/U+200D; the Rust regex crate's (Alphabetic+M+Nd+Pc+Join_Control) is the reverse;
// * `\p{Unknown}`/`\p{Zzzz}`: accepted by Oniguruma only;
// * neither engine accepts `\p{Katakana_Or_Hiragana}`.

/// The 30 two-letter general categories, in UCD order. Raw values are table values.
enum UnicodeGeneralCategory: UInt8, Sendable, CaseIterable {
    case uppercaseLetter /* Lu */, lowercaseLetter /* Ll */, titlecaseLetter /* Lt */
    case modifierLetter /* Lm */, otherLetter /* Lo */
    case nonspacingMark /* Mn */, spacingMark /* Mc */, enclosingMark /* Me */
    case decimalNumber /* Nd */, letterNumber /* Nl */, otherNumber /* No */
    case connectorPunctuation /* Pc */, dashPunctuation /* Pd */, openPunctuation /* Ps */
    case closePunctuation /* Pe */, initialPunctuation /* Pi */, finalPunctuation /* Pf */
    case otherPunctuation /* Po */
    case mathSymbol /* Sm */, currencySymbol /* Sc */, modifierSymbol /* Sk */, otherSymbol /* So */
    case spaceSeparator /* Zs */, lineSeparator /* Zl */, paragraphSeparator /* Zp */
    case control /* Cc */, format /* Cf */, surrogate /* Cs */, privateUse /* Co */
    case unassigned /* Cn */

    /// O(1) two-stage table lookup (Unicode 16, identical for both regex flavors); no allocation.
    /// Values above U+10FFFF are `.unassigned`.
    @inline(__always)
    init(_ scalar: UInt32) {
        let raw = UnicodeRegexData.generalCategory.lookup(scalar)
        self = scalar < 0x110000 ? (UnicodeGeneralCategory(rawValue: raw) ?? .unassigned) : .unassigned
    }

    static let shortNames = [
        "Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No", "Pc", "Pd", "Ps", "Pe",
        "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So", "Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Cn",
    ]
    static let longNames = [
        "Uppercase_Letter", "Lowercase_Letter", "Titlecase_Letter", "Modifier_Letter", "Other_Letter",
        "Nonspacing_Mark", "Spacing_Mark", "Enclosing_Mark", "Decimal_Number", "Letter_Number",
        "Other_Number", "Connector_Punctuation", "Dash_Punctuation", "Open_Punctuation",
        "Close_Punctuation", "Initial_Punctuation", "Final_Punctuation", "Other_Punctuation",
        "Math_Symbol", "Currency_Symbol", "Modifier_Symbol", "Other_Symbol", "Space_Separator",
        "Line_Separator", "Paragraph_Separator", "Control", "Format", "Surrogate", "Private_Use",
        "Unassigned",
    ]

    /// Two-letter abbreviation (e.g. "Lu").
    var shortName: String { Self.shortNames[Int(rawValue)] }
}

/// Which reference regex engine's Unicode tables to follow.
enum RegexUnicodeFlavor: Sendable, CaseIterable {
    /// Oniguruma as bundled in Hugging Face `tokenizers`.
    case oniguruma
    /// The Rust `regex` / `fancy-regex` crates as bundled in `tiktoken`.
    case rustRegex

    @inline(__always) var tableIndex: Int { self == .oniguruma ? 0 : 1 }
}

/// Decoded regex tables (lazily, once, thread-safe via `static let`).
enum UnicodeRegexData {
    static let generalCategory = UnicodeTwoStageTable<UInt8>(base64: UnicodeGeneratedRegexTables.generalCategory)

    struct Sets: Sendable {
        var sets: [UnicodeScalarRanges] = []
        /// [flavor][key] -> set index + 1 (0 = the engine rejects that name).
        var flavorIndex: [[Int]] = [[], []]
        /// [flavor]: sorted scalars having case equivalents, their class, and the classes.
        var caseKeys: [[UInt32]] = [[], []]
        var caseClassOf: [[UInt16]] = [[], []]
        var caseClasses: [[[UInt32]]] = [[], []]

        /// Set of key `k` (layout in UnicodeGeneratedRegexTables) for `flavor`; nil when rejected.
        func set(_ k: Int, _ flavor: RegexUnicodeFlavor) -> UnicodeScalarRanges? {
            let i = flavorIndex[flavor.tableIndex][k]
            return i == 0 ? nil : sets[i - 1]
        }
    }

    static let sets: Sets = {
        var result = Sets()
        var r = UnicodeVarintReader(UnicodeTableDecoding.base64(UnicodeGeneratedRegexTables.sets))
        let setCount = r.nextInt()
        result.sets.reserveCapacity(setCount)
        for _ in 0..<setCount { result.sets.append(r.rangeSet()) }
        let keyCount = r.nextInt()
        precondition(keyCount == UnicodeGeneratedRegexTables.keyCount, "corrupt Unicode regex tables")
        for f in 0..<2 {
            result.flavorIndex[f] = (0..<keyCount).map { _ in r.nextInt() }
        }
        for f in 0..<2 {
            let classCount = r.nextInt()
            var pairs: [(UInt32, UInt16)] = []
            var classes: [[UInt32]] = []
            for c in 0..<classCount {
                let n = r.nextInt()
                var members: [UInt32] = []
                var prev: UInt32 = 0
                for _ in 0..<n {
                    prev &+= r.next()
                    members.append(prev)
                    pairs.append((prev, UInt16(c)))
                }
                classes.append(members)
            }
            pairs.sort { $0.0 < $1.0 }
            result.caseKeys[f] = pairs.map(\.0)
            result.caseClassOf[f] = pairs.map(\.1)
            result.caseClasses[f] = classes
        }
        return result
    }()

    static let categoryRanges: [UnicodeScalarRanges] = (0..<30).map { sets.set($0, .oniguruma)! }

    static let perlS = UnicodeGeneratedRegexTables.perlBase
    static let perlW = UnicodeGeneratedRegexTables.perlBase + 1
    static let perlD = UnicodeGeneratedRegexTables.perlBase + 2
    static let alphabetic = UnicodeGeneratedRegexTables.binaryBase
    static let uppercase = UnicodeGeneratedRegexTables.binaryBase + 1
    static let lowercase = UnicodeGeneratedRegexTables.binaryBase + 2
    static let whiteSpace = UnicodeGeneratedRegexTables.binaryBase + 3
}

enum UnicodeProperties {
    /// White_Space (identical in both regex flavors and equal to Rust's `char::is_whitespace`).
    @inline(__always)
    static func isWhiteSpace(_ s: UInt32) -> Bool {
        switch s {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// Lowercases and drops spaces, '_' and '-' (UAX #44 loose matching).
    static func looseName(_ name: some StringProtocol) -> String {
        var out = String.UnicodeScalarView()
        for ch in name.unicodeScalars where ch != " " && ch != "_" && ch != "-" {
            if ch.value >= 0x41 && ch.value <= 0x5A {
                out.append(Unicode.Scalar(ch.value + 0x20)!)
            } else if ch.isASCII {
                out.append(ch)
            } else {
                out.append(contentsOf: String(ch).lowercased().unicodeScalars)
            }
        }
        return String(out)
    }

    static let generalCategoryGroups: [String: [UnicodeGeneralCategory]] = [
        "l": [.uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter],
        "lc": [.uppercaseLetter, .lowercaseLetter, .titlecaseLetter],
        "m": [.nonspacingMark, .spacingMark, .enclosingMark],
        "n": [.decimalNumber, .letterNumber, .otherNumber],
        "p": [.connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
              .initialPunctuation, .finalPunctuation, .otherPunctuation],
        "s": [.mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol],
        "z": [.spaceSeparator, .lineSeparator, .paragraphSeparator],
        "c": [.control, .format, .surrogate, .privateUse, .unassigned],
    ]
    static let generalCategoryGroupAliases: [String: String] = [
        "letter": "l", "l&": "lc", "casedletter": "lc", "mark": "m", "combiningmark": "m",
        "number": "n", "punctuation": "p", "punct": "p", "symbol": "s", "separator": "z", "other": "c",
    ]

    /// Resolves a general category name (short, long or group, loose) to its ranges.
    static func generalCategoryRanges(looseName n: String) -> UnicodeScalarRanges? {
        for (i, short) in UnicodeGeneralCategory.shortNames.enumerated() {
            if n == looseName(short) || n == looseName(UnicodeGeneralCategory.longNames[i]) {
                return UnicodeRegexData.categoryRanges[i]
            }
        }
        if let g = generalCategoryGroups[generalCategoryGroupAliases[n] ?? n] {
            return UnicodeScalarRanges.union(g.map { UnicodeRegexData.categoryRanges[Int($0.rawValue)] })
        }
        return nil
    }

    /// Resolves a property name as it appears in `\p{...}`:
    /// * general categories by short or long name, and the groups L, LC (L&, Cased_Letter), M, N,
    ///   P, S, Z, C (with long names Letter, Mark, Number, …);
    /// * scripts by long name or ISO 15924 code (Latin/Latn, Han/Hani, …);
    /// * binary properties Alphabetic/Alpha, White_Space/Space/WSpace, Uppercase/Upper,
    ///   Lowercase/Lower, plus Any, Assigned and ASCII;
    /// * the prefixes `Script=`/`sc=` and `General_Category=`/`gc=`.
    /// Matching is loose (case, spaces, '_' and '-' ignored). Returns nil for unknown names and
    /// for names the flavor's engine rejects (`Unknown`/`Zzzz` in rustRegex; `Katakana_Or_Hiragana`
    /// in both). Note: the engines themselves are stricter about spelling (Oniguruma rejects the
    /// `sc=`/`gc=` prefixes, neither accepts `L&`); this resolver accepts all of them.
    static func ranges(forProperty name: String, flavor: RegexUnicodeFlavor) -> UnicodeScalarRanges? {
        var n = looseName(name)
        var allowScript = true
        var allowCategory = true
        var allowBinary = true
        if let eq = n.firstIndex(of: "=") {
            let prefix = String(n[..<eq])
            n = String(n[n.index(after: eq)...])
            switch prefix {
            case "script", "sc":
                allowCategory = false
                allowBinary = false
            case "generalcategory", "gc":
                allowScript = false
                allowBinary = false
            default:
                return nil
            }
        }
        let data = UnicodeRegexData.sets
        if allowCategory, let r = generalCategoryRanges(looseName: n) {
            return r
        }
        if allowBinary {
            switch n {
            case "alphabetic", "alpha": return data.set(UnicodeRegexData.alphabetic, flavor)
            case "whitespace", "space", "wspace": return data.set(UnicodeRegexData.whiteSpace, flavor)
            case "uppercase", "upper": return data.set(UnicodeRegexData.uppercase, flavor)
            case "lowercase", "lower": return data.set(UnicodeRegexData.lowercase, flavor)
            case "any": return .all
            case "assigned":
                return UnicodeRegexData.categoryRanges[Int(UnicodeGeneralCategory.unassigned.rawValue)].inverted()
            case "ascii": return UnicodeScalarRanges(uncheckedBounds: [0, 0x7F])
            default: break
            }
        }
        if allowScript, let k = UnicodeGeneratedRegexTables.scriptKeyIndex(looseName: n) {
            return data.set(k, flavor)
        }
        return nil
    }

    static func ranges(for category: UnicodeGeneralCategory) -> UnicodeScalarRanges {
        UnicodeRegexData.categoryRanges[Int(category.rawValue)]
    }

    /// `\w` of the engine (differs between flavors, see the file header).
    static func wordCharacters(flavor: RegexUnicodeFlavor) -> UnicodeScalarRanges {
        UnicodeRegexData.sets.set(UnicodeRegexData.perlW, flavor)!
    }

    /// `\d` of the engine (= Nd in both flavors).
    static func digits(flavor: RegexUnicodeFlavor) -> UnicodeScalarRanges {
        UnicodeRegexData.sets.set(UnicodeRegexData.perlD, flavor)!
    }

    /// `\s` of the engine (= White_Space in both flavors).
    static func whiteSpace(flavor: RegexUnicodeFlavor) -> UnicodeScalarRanges {
        UnicodeRegexData.sets.set(UnicodeRegexData.perlS, flavor)!
    }

    /// The other scalars that `(?i)` treats as equal to `s` under the engine's simple case folding
    /// (e.g. 's' -> ['S', U+017F], 'k' -> ['K', U+212A]); sorted; empty for most scalars.
    /// Both engines have identical simple-folding classes. Oniguruma ALSO does multi-character
    /// folding (`(?i)ss` matches "ß", `(?i)ß` matches "ss"/"SS", `(?i)ff` matches "ﬀ"), which the
    /// Rust regex crate does not do; that is not represented here.
    static func caseEquivalents(of s: UInt32, flavor: RegexUnicodeFlavor) -> [UInt32] {
        let data = UnicodeRegexData.sets
        let f = flavor.tableIndex
        guard let i = binarySearch(data.caseKeys[f], s) else { return [] }
        return data.caseClasses[f][Int(data.caseClassOf[f][i])].filter { $0 != s }
    }

    @inline(__always)
    static func binarySearch(_ keys: [UInt32], _ s: UInt32) -> Int? {
        keys.withUnsafeBufferPointer { k in
            var lo = 0
            var hi = k.count
            while lo < hi {
                let mid = (lo &+ hi) &>> 1
                if k[mid] < s { lo = mid &+ 1 } else { hi = mid }
            }
            return lo < k.count && k[lo] == s ? lo : nil
        }
    }
}
