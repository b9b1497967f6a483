// BERT text preparation for "bert" GGUF vocabularies: tokenizers' BertNormalizer
// (clean_text, handle_chinese_chars, strip_accents = lowercase, lowercase) and
// BertPreTokenizer, the pipeline of the tokenizer.json these vocabularies come
// from. llama.cpp's `llm_tokenizer_wpm_session::preprocess` approximates it.

enum GGUFBert {
    /// Rewrites each scalar of `piece` as `map` says (nothing = removed), keeping alignments.
    static func mapScalars(_ piece: inout NormalizedString, _ map: (UInt32, inout [UInt32]) -> Void) {
        var changes: [(scalar: UInt32, change: Int)] = []
        changes.reserveCapacity(piece.normalized.count)
        var leadingRemoved = 0
        var modified = false
        var out: [UInt32] = []
        piece.normalized.forEachScalar { s in
            out.removeAll(keepingCapacity: true)
            map(s, &out)
            if out.count != 1 || out[0] != s { modified = true }
            if out.isEmpty {
                if changes.isEmpty { leadingRemoved += 1 } else { changes[changes.count - 1].change -= 1 }
                return
            }
            for (k, o) in out.enumerated() { changes.append((o, k == 0 ? 0 : 1)) }
        }
        if modified { piece.transform(changes, initialOffset: leadingRemoved) }
    }

    static func normalize(_ piece: inout NormalizedString, lowercase: Bool) {
        typealias P = TokenizersCharacterProperties
        // clean_text
        mapScalars(&piece) { s, out in
            if s == 0 || s == 0xFFFD || P.isBertControl(s) { return }
            out.append(P.isBertWhitespace(s) ? 0x20 : s)
        }
        // handle_chinese_chars
        mapScalars(&piece) { s, out in
            if P.isChineseCharacter(s) { out += [0x20, s, 0x20] } else { out.append(s) }
        }
        guard lowercase else { return }
        // strip_accents (defaults to lowercase), then lowercase.
        piece.normalize(form: .nfd)
        mapScalars(&piece) { s, out in
            if P.isNonspacingMark(s) { return }
            out += P.rustLowercase(s)
        }
    }

    /// BertPreTokenizer: split on whitespace (removed), then isolate punctuation.
    static func split(_ piece: NormalizedString) -> [NormalizedString] {
        typealias P = TokenizersCharacterProperties
        func cover(_ text: NormalizedString, _ predicate: (UInt32) -> Bool) -> [(range: Range<Int>, isMatch: Bool)] {
            var matches: [Range<Int>] = []
            var i = 0
            text.normalized.forEachScalar { s in
                let length = UTF8.scalarLength(leadByte: text.normalized[i])
                if predicate(s) { matches.append(i..<(i + length)) }
                i += length
            }
            return coverWithMatches(matches, length: text.normalized.count)
        }
        var result: [NormalizedString] = []
        for word in piece.split(cover(piece, P.isRustWhitespace), behavior: .removed) where !word.isEmpty {
            for part in word.split(cover(word, P.isPunctuation), behavior: .isolated) where !part.isEmpty {
                result.append(part)
            }
        }
        return result
    }
}
