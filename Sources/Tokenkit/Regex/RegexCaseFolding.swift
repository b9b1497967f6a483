extension UnicodeProperties {
    /// `set` plus every scalar that `(?i)` treats as equal to one of its members.
    static func caseClosure(of set: UnicodeScalarRanges, flavor: RegexUnicodeFlavor) -> UnicodeScalarRanges {
        let data = UnicodeRegexData.sets
        let f = flavor.tableIndex
        var extra: [UInt32] = []
        for (i, scalar) in data.caseKeys[f].enumerated() where set.contains(scalar) {
            extra += data.caseClasses[f][Int(data.caseClassOf[f][i])]
        }
        return extra.isEmpty ? set : set.union(UnicodeScalarRanges(scalars: extra))
    }
}

/// Full case folding as Oniguruma applies it to `(?i)` strings: two texts are equal when
/// their canonical foldings are equal, where a character with a multi-character folding
/// (ß → ss, ﬁ → fi) is replaced by it and every character by the smallest member of its
/// simple case-equivalence class. The regex crate (tiktoken) only uses simple folding.
enum UnicodeCaseFolding {
    private static let multiCharacter: [UInt32: [UInt32]] = {
        var table: [UInt32: [UInt32]] = [:]
        for entry in UnicodeGeneratedCaseFoldingTables.multiCharacterFolds.split(whereSeparator: { $0 == ";" || $0 == "\n" }) {
            let parts = entry.split(separator: ":")
            guard parts.count == 2, let key = UInt32(parts[0].drop(while: { $0 == " " }), radix: 16) else { continue }
            table[key] = parts[1].split(separator: " ").compactMap { UInt32($0, radix: 16) }
        }
        return table
    }()

    /// Folded sequences of two or more scalars, in canonical form (to spot "ss" in a pattern).
    private static let multiCharacterSequences: [[UInt32]] = Array(Set(multiCharacter.values.map { $0.map(representative) }))

    private static func representative(_ s: UInt32) -> UInt32 {
        let equivalents = UnicodeProperties.caseEquivalents(of: s, flavor: .oniguruma)
        return min(s, equivalents.min() ?? s)
    }

    /// The canonical folding of one scalar (one to three scalars).
    static func canonicalFold(_ s: UInt32) -> [UInt32] {
        if let sequence = multiCharacter[s] { return sequence.map(representative) }
        return [representative(s)]
    }

    static func canonicalFold(_ scalars: [UInt32]) -> [UInt32] {
        scalars.flatMap { canonicalFold($0) }
    }

    /// Whether matching `run` case-insensitively differs between simple and full folding.
    static func needsFullFolding(_ run: [UInt32]) -> Bool {
        if run.contains(where: { multiCharacter[$0] != nil }) { return true }
        let folded = canonicalFold(run)
        for sequence in multiCharacterSequences where sequence.count <= folded.count {
            for start in 0...(folded.count - sequence.count) where Array(folded[start..<(start + sequence.count)]) == sequence {
                return true
            }
        }
        return false
    }
}
