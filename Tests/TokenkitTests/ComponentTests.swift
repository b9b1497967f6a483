import Testing
@testable import Tokenkit

/// Components on small inputs; expected values were produced with `tokenizers` (Python).
@Suite struct ComponentTests {
    func decode(_ decoder: DecoderComponent, _ tokens: [String]) -> String { decoder.decode(tokens) }

    @Test func decoders() {
        #expect(decode(.byteFallback(ByteFallbackDecoder()), ["a", "<0xE6>", "<0x97>", "<0xA5>", "<0xE6>", "b", "<0xFF>"]) == "a\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}b\u{FFFD}")
        #expect(decode(.strip(StripDecoder(content: 0x20, start: 1, stop: 1)), ["  ab  ", " c "]) == " ab c")
        #expect(decode(.strip(StripDecoder(content: 0x78, start: 2, stop: 0)), ["xxxa", "xa"]) == "xaa")
        #expect(decode(.ctc(CTCDecoder()), ["<pad>", "h", "h", "e", "<pad>", "l", "l", "<pad>", "l", "o", "|", "w"]) == "hello w")
        #expect(decode(.bpe(BPESuffixDecoder()), ["hel", "lo</w>", "wor", "ld</w>"]) == "hello world")
        #expect(decode(.replace(ReplaceNormalizer(pattern: .string("▁"), content: " ")), ["▁a▁b", "c"]) == " a bc")
        #expect(decode(.wordPiece(WordPieceDecoder()), ["un", "##aff", "##able", "do", "n't", ",", "x"]) == "unaffable don't, x")
        #expect(decode(.metaspace(MetaspacePreTokenizer(prependScheme: .always)), ["▁Hey", "▁friend"]) == "Hey friend")
        #expect(decode(.metaspace(MetaspacePreTokenizer(prependScheme: .never)), ["▁Hey", "▁friend"]) == " Hey friend")
        let llama2: DecoderComponent = .sequence(SequenceDecoder([
            .replace(ReplaceNormalizer(pattern: .string("▁"), content: " ")), .byteFallback(ByteFallbackDecoder()),
            .fuse(FuseDecoder()), .strip(StripDecoder(content: 0x20, start: 1, stop: 0))]))
        #expect(decode(llama2, ["▁Hi", "<0x21>", "▁<0xE2>", "<0x9C>", "<0x93>"]) == "Hi! <0xE2>\u{FFFD}\u{FFFD}")
        // "##" followed by a combining mark is still a prefix (bytes, not grapheme clusters).
        #expect(decode(.wordPiece(WordPieceDecoder()), ["ह", "##ि"]) == "हि")
    }

    func normalized(_ normalizer: NormalizerComponent, _ text: String) -> String {
        var n = NormalizedString(text)
        normalizer.normalize(&n)
        return n.normalizedString
    }

    @Test func normalizers() {
        let text = " Héllo\u{200B}  WÖRLD 中文\t "
        #expect(normalized(.strip(StripNormalizer()), text) == "Héllo\u{200B}  WÖRLD 中文")
        #expect(normalized(.nmt(NmtNormalizer()), text) == " Héllo   WÖRLD 中文  ")
        #expect(normalized(.bert(BertNormalizer()), text) == " hello  world  中  文   ")
        #expect(normalized(.lowercase(LowercaseNormalizer()), text) == " héllo\u{200B}  wörld 中文\t ")
        #expect(normalized(.prepend(PrependNormalizer("▁")), text) == "▁" + text)
        #expect(normalized(.prepend(PrependNormalizer("▁")), "") == "")
    }

    func pieces(_ preTokenizer: PreTokenizerComponent, _ text: String) -> [String] {
        var pre = PreTokenizedString(text)
        preTokenizer.preTokenize(&pre)
        return pre.splits.map(\.normalized.normalizedString)
    }

    @Test func preTokenizers() {
        #expect(pieces(.punctuation(PunctuationPreTokenizer(behavior: .contiguous)), "a!!b?c") == ["a", "!!", "b", "?", "c"])
        #expect(pieces(.whitespace(WhitespacePreTokenizer()), "Hey friend! 3.5") == ["Hey", "friend", "!", "3", ".", "5"])
        // tokenizers drops what precedes the first character that has a script.
        #expect(pieces(.unicodeScripts(UnicodeScriptsPreTokenizer()), " abc 日本 de") == ["abc ", "日本 ", "de"])
        #expect(pieces(.unicodeScripts(UnicodeScriptsPreTokenizer()), "abc 日本語 ーー カタカナ") == ["abc ", "日本語 ーー カタカナ"])
        #expect(pieces(.metaspace(MetaspacePreTokenizer()), "Hey  friend") == ["▁Hey", "▁", "▁friend"])
        #expect(pieces(.metaspace(MetaspacePreTokenizer(prependScheme: .first, split: false)), " a b") == ["▁a▁b"])
        #expect(pieces(.characterDelimiter(CharacterDelimiterPreTokenizer(delimiter: 0x78)), "axbxxc") == ["a", "b", "c"])
        #expect(pieces(.digits(DigitsPreTokenizer(individualDigits: true)), "a123b4") == ["a", "1", "2", "3", "b", "4"])
        #expect(pieces(.digits(DigitsPreTokenizer(individualDigits: false)), "a123b4") == ["a", "123", "b", "4"])
        #expect(pieces(.fixedLength(FixedLengthPreTokenizer(length: 3)), "abcdefg") == ["abc", "def", "g"])
    }

    @Test func wordPieceLongestMatchFirst() throws {
        var vocab = ByteStringTable()
        for (i, t) in ["[UNK]", "un", "##aff", "##able", "a", "##ff"].enumerated() { vocab.set(Array(t.utf8), UInt32(i)) }
        let model = WordPieceModel(vocabulary: vocab, unknownToken: "[UNK]", continuingSubwordPrefix: "##", maximumInputCharactersPerWord: 10)
        #expect(try model.tokenize(Array("unaffable".utf8)).map(\.value) == ["un", "##aff", "##able"])
        #expect(try model.tokenize(Array("unx".utf8)).map(\.value) == ["[UNK]"])
        #expect(try model.tokenize(Array("unaffableunaffable".utf8)).map(\.value) == ["[UNK]"])   // over 10 characters
    }
}
