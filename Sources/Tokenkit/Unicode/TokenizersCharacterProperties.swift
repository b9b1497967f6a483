// Character predicates used by Hugging Face `tokenizers` components, probed from the wheel
// (scripts/generate_unicode_tables.py, Generated/UnicodeTokenizersTables.swift):
// * Rust std (the toolchain that built the wheel knows Unicode 17: e.g. U+11DE0..U+11DE9 are
//   numeric): is_whitespace (WhitespaceSplit), is_numeric (Digits), to_lowercase (Lowercase
//   normalizer), to_uppercase (NormalizedString.uppercase). is_alphanumeric is NOT observable
//   through tokenizers: it is approximated as Alphabetic (Unicode 16 regex tables) || is_numeric.
// * the `unicode_categories` crate (old Unicode): punctuation as BertPreTokenizer/Punctuation see
//   it (is_ascii_punctuation || is_punctuation), is_mark_nonspacing (BertNormalizer strip_accents,
//   after NFD), is_other (BertNormalizer clean_text removes it, with U+0000 and U+FFFD; it covers
//   Cc/Cf/Co but NOT unassigned code points).
// * `unicode-normalization-alignments`' is_combining_mark (StripAccents normalizer; old Unicode).
// * BertNormalizer: whitespace mapped to ' ' (\t \n \r and char::is_whitespace), Chinese
//   characters padded by handle_chinese_chars.
// * UnicodeScripts pre-tokenizer script ids.

/// Up to three scalars (Rust's case mappings never produce more), without allocation.
struct UnicodeCaseMapping: RandomAccessCollection, Sendable, Equatable {
    var count: Int
    var s0: UInt32
    var s1: UInt32
    var s2: UInt32

    init(_ s: UInt32) {
        count = 1
        s0 = s
        s1 = 0
        s2 = 0
    }

    init(_ slice: ArraySlice<UInt32>) {
        precondition(slice.count <= 3 && !slice.isEmpty)
        count = slice.count
        var it = slice.makeIterator()
        s0 = it.next()!
        s1 = it.next() ?? 0
        s2 = it.next() ?? 0
    }

    var startIndex: Int { 0 }
    var endIndex: Int { count }
    subscript(i: Int) -> UInt32 {
        precondition(i >= 0 && i < count)
        return i == 0 ? s0 : (i == 1 ? s1 : s2)
    }
}

enum TokenizersCharacterProperties {
    enum Flag {
        static let whitespace: UInt16 = 1
        static let alphanumeric: UInt16 = 2
        static let numeric: UInt16 = 4
        static let punctuation: UInt16 = 8
        static let combiningMark: UInt16 = 16
        static let bertControl: UInt16 = 32
        static let bertWhitespace: UInt16 = 64
        static let chinese: UInt16 = 128
        static let nonspacingMark: UInt16 = 256
    }

    static let flags = UnicodeTwoStageTable<UInt16>(base64: UnicodeGeneratedTokenizersTables.flags)
    static let scriptIDs = UnicodeTwoStageTable<UInt16>(base64: UnicodeGeneratedTokenizersTables.scriptID)

    struct CaseTables: Sendable {
        var lower: UnicodeMappingTable
        var upper: UnicodeMappingTable
    }

    static let caseTables: CaseTables = {
        var r = UnicodeVarintReader(UnicodeTableDecoding.base64(UnicodeGeneratedTokenizersTables.mappings))
        let lower = r.mappingList()
        let upper = r.mappingList()
        return CaseTables(
            lower: UnicodeMappingTable(
                index: UnicodeTwoStageTable<UInt16>(base64: UnicodeGeneratedTokenizersTables.lowerIndex), list: lower),
            upper: UnicodeMappingTable(
                index: UnicodeTwoStageTable<UInt16>(base64: UnicodeGeneratedTokenizersTables.upperIndex), list: upper))
    }()

    @inline(__always) static func has(_ s: UInt32, _ flag: UInt16) -> Bool { flags.lookup(s) & flag != 0 }

    /// Rust `char::is_whitespace` (White_Space).
    @inline(__always) static func isRustWhitespace(_ s: UInt32) -> Bool { has(s, Flag.whitespace) }
    /// Rust `char::is_alphanumeric` (approximation, see the file header).
    @inline(__always) static func isRustAlphanumeric(_ s: UInt32) -> Bool { has(s, Flag.alphanumeric) }
    /// Rust `char::is_numeric` (probed through the Digits pre-tokenizer).
    @inline(__always) static func isRustNumeric(_ s: UInt32) -> Bool { has(s, Flag.numeric) }
    /// `char::is_ascii_punctuation || unicode_categories::is_punctuation` — the predicate of the
    /// BertPreTokenizer and Punctuation pre-tokenizers.
    @inline(__always) static func isPunctuation(_ s: UInt32) -> Bool { has(s, Flag.punctuation) }
    /// `unicode_categories::is_mark_nonspacing`, what BertNormalizer(strip_accents) removes after
    /// NFD. (Probed on NFD-stable characters; for characters with a canonical decomposition, which
    /// never reach the filter, the value is the UCD's gc == Mn.)
    @inline(__always) static func isNonspacingMark(_ s: UInt32) -> Bool { has(s, Flag.nonspacingMark) }
    /// `unicode_normalization_alignments::char::is_combining_mark` (Mn/Mc/Me of the crate's old
    /// Unicode version): what the StripAccents normalizer removes.
    @inline(__always) static func isCombiningMark(_ s: UInt32) -> Bool { has(s, Flag.combiningMark) }
    /// What BertNormalizer(clean_text) removes: U+0000, U+FFFD and `is_other` (Cc, Cf, Co — not
    /// unassigned code points) except \t \n \r. Checked before `isBertWhitespace`, so U+000B,
    /// U+000C and U+0085 are removed, not mapped to ' '.
    @inline(__always) static func isBertControl(_ s: UInt32) -> Bool { has(s, Flag.bertControl) }
    /// What BertNormalizer(clean_text) maps to ' ' (\t, \n, \r and char::is_whitespace; includes ' ').
    @inline(__always) static func isBertWhitespace(_ s: UInt32) -> Bool { has(s, Flag.bertWhitespace) }
    /// What BertNormalizer(handle_chinese_chars) pads with spaces (fixed CJK blocks).
    @inline(__always) static func isChineseCharacter(_ s: UInt32) -> Bool { has(s, Flag.chinese) }

    /// Rust `char::to_lowercase` (full mapping, 1–3 scalars), as the Lowercase normalizer applies it.
    static func rustLowercase(_ s: UInt32) -> UnicodeCaseMapping {
        mapped(s, caseTables.lower)
    }

    /// Rust `char::to_uppercase` (full mapping, 1–3 scalars), as NormalizedString::uppercase applies it.
    static func rustUppercase(_ s: UInt32) -> UnicodeCaseMapping {
        mapped(s, caseTables.upper)
    }

    @inline(__always)
    private static func mapped(_ s: UInt32, _ t: UnicodeMappingTable) -> UnicodeCaseMapping {
        guard let r = t.range(of: s) else { return UnicodeCaseMapping(s) }
        return UnicodeCaseMapping(t.pool[r])
    }

    /// Script id used by the UnicodeScripts pre-tokenizer, AFTER tokenizers' `fixed_script`:
    /// Hiragana, Katakana and U+30FC map to Han's id; ' ' (U+0020) and every character missing
    /// from tokenizers' own (old) script table are `Script::Any` = id 0. Only equality matters.
    /// The pre-tokenizer starts a new piece before a character whose id is not 0 and differs from
    /// the id of the last non-0 character; id-0 characters never split and never become "last".
    /// Note that Common (id of e.g. '!' or digits) is an ordinary id, distinct from 0.
    @inline(__always) static func tokenizersScriptID(_ s: UInt32) -> UInt16 { scriptIDs.lookup(s) }
}
