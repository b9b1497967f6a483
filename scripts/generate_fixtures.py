#!/usr/bin/env python3
"""Builds small tokenizers with the reference libraries and records their outputs,
as test fixtures for Tokenkit (Tests/TokenkitTests/Fixtures/tokenizers/).

usage: scripts/generate_fixtures.py [--corpus DIR]   (default: ../shared/corpus)

For every tokenizer NAME it writes NAME (a tokenizer.json or a .tiktoken file with
its NAME.tiktoken.json sidecar) and NAME.cases.jsonl, one case per line in the
format of shared/conformance: text (and pair, add_special_tokens, allowed_special),
ids, tokens, offsets (Unicode scalar positions), type_ids for pairs, decoded text.
Outputs come from `tokenizers` for tokenizer.json files and from tiktoken for
.tiktoken files, never from Tokenkit. Deterministic: same inputs, same files.

Needs: pip install tokenizers tiktoken
"""
import argparse, base64, json, os, random, sys

import tiktoken
import tokenizers
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(ROOT, "Tests", "TokenkitTests", "Fixtures", "tokenizers")

R50K = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s"""
CL100K = r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s+"""
LLAMA3 = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
# A pattern unlike the usual families: lookbehind, lazy and bounded repetition, \h-free classes.
ODD = r"""(?<=[a-z])(?=[A-Z])|\d|[A-Za-z]+?(?=[A-Z]|\b)|[\p{Han}\p{Hiragana}\p{Katakana}]{1,2}|\s+|[^\sA-Za-z\d]+"""

FIXED_TEXTS = [
    "", " ", "  ", "\n", "\n\n\n", "\t", " \t\n ", "a", "A", "hello world", "Hello World!",
    "  leading spaces", "trailing spaces   ", "multiple   spaces   inside", "line1\nline2\r\nline3\rline4",
    "I'm you're he's we'll they'd I've", "I'M YOU'RE HE'S", "don't won't can't", "1234567890",
    "3.14159 2,718 1e-9 -42 +7", "0x1F 0b1010 007", "12345678901234567890123", "def f(x):\n    return x**2  # square\n",
    "if (a && b || !c) { x += 1; }", "Ünïcödé çàfé naïve résumé", "straße STRASSE ß ẞ", "İstanbul ı i̇",
    "ﬁ ﬂ ﬃ ＦＵＬＬＷＩＤＴＨ １２３", "Ǆ ǅ ǆ ᾈ ᾀ", "é é ǟ", "\u200b zero\u200dwidth \ufeffBOM", "日本語のテキストです。",
    "中文文本，包含标点符号！", "한국어 텍스트입니다.", "Русский текст с пунктуацией.", "العربية: مرحبا بالعالم",
    "हिन्दी पाठ और संख्या १२३", "ภาษาไทยไม่มีช่องว่าง", "emoji 😀🎉👍🏽 👨\u200d👩\u200d👧\u200d👦 🇯🇵", "math ∑∫√∞ ≤≥≠ αβγ",
    "a\xa0b\u2003c\u3000d", "\x00\x01\x1f control", "<|endoftext|>", "text <|endoftext|> more", "<s> </s> <unk> [CLS] [SEP] [MASK]",
    "repeated!!!!!!!!!!!!!!!!!!!!", "a" * 70, "🙂" * 30, " " * 100, "-" * 80, "\u2028line sep\u2029para sep",
    "𝐀𝐁 math bold", "Ⅻ ⅻ ① ⑩ ½ ¾", "\u0301leading combining", "a" + "\u0301" * 20, "CamelCaseIdentifier snake_case_id",
    "x = [i**2 for i in range(10) if i % 2 == 0]", "<|user|>hi<|end|> <tool>x</tool>", "word<tool>word", " <tool> ",
    "HeLLo WoRLD", "ǅungla ǈudi", "\U0001E4D0\u1C89 new letters", "\U000E0001 tag \uFFFD replacement",
]


def random_texts(rng, n):
    """Random Unicode strings mixing scripts, marks, spaces, digits and punctuation."""
    pools = [
        (0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x3FF), (0x400, 0x4FF), (0x590, 0x6FF),
        (0x900, 0x97F), (0xE00, 0xE7F), (0x1100, 0x11FF), (0x2000, 0x206F), (0x3000, 0x30FF), (0x4E00, 0x4EFF),
        (0xAC00, 0xACFF), (0xFF00, 0xFFEF), (0x1F300, 0x1F6FF), (0x10000, 0x1007F), (0x1D400, 0x1D4FF),
    ]
    out = []
    for _ in range(n):
        chars = []
        for _ in range(rng.randint(1, 40)):
            r = rng.random()
            if r < 0.15:
                chars.append(rng.choice([" ", " ", "  ", "\n", "\t", "\r\n", "\u3000", "\xa0"]))
            elif r < 0.3:
                chars.append(rng.choice(["'s", "'T", "'re", "'LL", "'d", "'ve", "'m", "’s"]))
            elif r < 0.4:
                chars.append(str(rng.randint(0, 100000)))
            else:
                lo, hi = rng.choice(pools)
                cp = rng.randint(lo, hi)
                if 0xD800 <= cp <= 0xDFFF:
                    cp = 0x41
                chars.append(chr(cp))
        out.append("".join(chars))
    return out


def corpus_texts(corpus_dir, rng, n):
    texts = []
    for name in ("en.txt", "code.txt", "multi.txt"):
        path = os.path.join(corpus_dir, name)
        if not os.path.exists(path):
            continue
        data = open(path, encoding="utf-8", errors="replace").read(400_000)
        for _ in range(n):
            start = rng.randint(0, max(0, len(data) - 400))
            texts.append(data[start:start + rng.randint(5, 300)])
    return texts


def training_text(corpus_dir):
    parts = []
    for name in ("en.txt", "code.txt", "multi.txt"):
        path = os.path.join(corpus_dir, name)
        if os.path.exists(path):
            parts.append(open(path, encoding="utf-8", errors="replace").read(300_000))
    return "\n".join(parts).splitlines()


def encoding_fields(enc, full):
    fields = {"ids": enc.ids, "tokens": enc.tokens, "offsets": [list(o) for o in enc.offsets]}
    if full:
        fields.update({"type_ids": enc.type_ids, "attention_mask": enc.attention_mask,
                       "special_tokens_mask": enc.special_tokens_mask, "word_ids": enc.word_ids,
                       "overflowing": [o.ids for o in enc.overflowing]})
    return fields


def hf_cases(tok, texts, pairs, full=False):
    """Reference outputs of `tokenizers`; `full` also records masks, word ids and overflowing windows."""
    cases = []
    for text in texts:
        for add in (False, True):
            case = {"text": text, "add_special_tokens": add}
            try:
                enc = tok.encode(text, add_special_tokens=add)
            except Exception as e:  # e.g. only_second truncation without a pair: the reference refuses
                case["error"] = str(e)
                cases.append(case)
                continue
            case.update(encoding_fields(enc, full))
            case["decoded"] = tok.decode(enc.ids, skip_special_tokens=False)
            if full:
                case["decoded_skipping_special"] = tok.decode(enc.ids, skip_special_tokens=True)
            cases.append(case)
    for a, b in pairs:
        case = {"text": a, "pair": b, "add_special_tokens": True}
        try:
            enc = tok.encode(a, b, add_special_tokens=True)
        except Exception as e:
            case["error"] = str(e)
            cases.append(case)
            continue
        case.update(encoding_fields(enc, full))
        case["type_ids"] = enc.type_ids
        cases.append(case)
    return cases


def train_byte_level(lines, vocab_size, pre_tokenizer, special_tokens, normalizer=None):
    tok = Tokenizer(models.BPE())
    if normalizer is not None:
        tok.normalizer = normalizer
    tok.pre_tokenizer = pre_tokenizer
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=special_tokens, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(lines, trainer)
    tok.decoder = decoders.ByteLevel()
    return tok


def write_json_tokenizer(name, tok, texts, pairs, mutate=None, full=False):
    path = os.path.join(OUT, name)
    tok.save(path)
    if mutate:
        data = json.load(open(path, encoding="utf-8"))
        mutate(data)
        json.dump(data, open(path, "w", encoding="utf-8"), ensure_ascii=False)
        tok = Tokenizer.from_file(path)
    write_cases(name, hf_cases(tok, texts, pairs, full=full))


def write_cases(name, cases):
    with open(os.path.join(OUT, name + ".cases.jsonl"), "w", encoding="utf-8") as f:
        for c in cases:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")
    print(f"{name}: {len(cases)} cases")


def tiktoken_fixture(name, hf_tok, pattern, specials, texts):
    """A .tiktoken file made from a trained byte-level vocabulary (rank = id), with a sidecar."""
    byte_decoder = {c: b for b, c in zip(range(256), [])}
    # GPT-2's byte <-> character table, as in tokenizers' ByteLevel.
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    byte_decoder = {chr(c): b for b, c in zip(bs, cs)}
    special_set = set(specials)
    ranks = {}
    for token, i in hf_tok.get_vocab(with_added_tokens=False).items():
        if token in special_set:
            continue
        ranks[bytes(byte_decoder[ch] for ch in token)] = i
    # Renumber densely so that special tokens can follow.
    ordered = sorted(ranks.items(), key=lambda kv: kv[1])
    ranks = {tok: r for r, (tok, _) in enumerate(ordered)}
    special_tokens = {s: len(ranks) + k for k, s in enumerate(specials)}
    with open(os.path.join(OUT, name), "w") as f:
        for tok, r in sorted(ranks.items(), key=lambda kv: kv[1]):
            f.write(base64.b64encode(tok).decode() + " " + str(r) + "\n")
    json.dump({"pattern": pattern, "special_tokens": special_tokens}, open(os.path.join(OUT, name + ".json"), "w"), indent=1)
    enc = tiktoken.Encoding(name, pat_str=pattern, mergeable_ranks=ranks, special_tokens=special_tokens)
    cases = []
    for text in texts:
        ids = enc.encode(text, allowed_special="all")
        cases.append({"text": text, "allowed_special": "all", "ids": ids, "decoded": enc.decode(ids)})
        ordinary = enc.encode_ordinary(text)
        cases.append({"text": text, "allowed_special": [], "disallowed_special": [], "ids": ordinary,
                      "decoded": enc.decode(ordinary)})
    write_cases(name, cases)


REGEX_PATTERNS = [
    # The known families, in Oniguruma (tokenizer.json) semantics.
    R50K, CL100K, LLAMA3, ODD,
    r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""",
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+""",
    # Features one at a time.
    r"\p{N}{1,3}+", r"\d+?x", r"a{2,}?", r"(?i)straße|ǅ", r"(?i:[a-z]+)", r"[\p{L}&&[^a-z]]+", r"[[:alpha:]]+|[[:punct:]]",
    r"\w+|\W", r"\bw\w*", r"^\s+|\s+$", r"(?m:.)+", r"[^\x00-\x7F]+", r"\h+", r"(?>a+)b|a", r"(?<!\d)\d{2}(?!\d)",
    r"\p{Han}+|\p{Hiragana}+|\p{Katakana}+|\p{Hangul}+", r"\P{L}+", r"\p{^N}+", r"[\u3040-\u30ff]+", r"\x{1F600}-?",
    r"(ab|a)(bc|c)?", r"(?:a|ab)(?:c|bcd)", r"\s*[\r\n]+", r"a*", r"\.|\$|\^", r"(?x) a b # comment", r"[\-\]]+",
]


def regex_cases(texts):
    """Match spans of Oniguruma as `tokenizers` runs it (Split, Removed, inverted keeps the matches)."""
    cases = []
    for pattern in REGEX_PATTERNS:
        split = pre_tokenizers.Split(Regex(pattern), behavior="removed", invert=True)
        for text in texts:
            pieces = split.pre_tokenize_str(text)
            spans = [[len(text[:s].encode()), len(text[:e].encode())] for _, (s, e) in pieces]
            cases.append({"pattern": pattern, "text": text, "spans": spans})
    with open(os.path.join(ROOT, "Tests", "TokenkitTests", "Fixtures", "regex-cases.jsonl"), "w", encoding="utf-8") as f:
        for c in cases:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")
    print(f"regex: {len(cases)} cases")


def lossy_utf8_cases(rng):
    """Python's bytes.decode("utf-8", "replace") on random byte strings (the replacement rule both references use)."""
    cases = []
    interesting = [b"\xe6", b"\xe6\x97", b"\xe6\x97\xa5", b"\xf0\x9f\x98", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
                   b"\xff", b"a\x80b", b"\xe0\x80\x80", b"\xf0\x80\x80\x80", b"\xc3", b"\xc3\x28", b"\xe2\x82\x28"]
    for raw in interesting:
        cases.append(raw)
    for _ in range(400):
        n = rng.randint(1, 12)
        cases.append(bytes(rng.choice([rng.randint(0, 255), rng.choice([0x80, 0xBF, 0xC2, 0xE0, 0xED, 0xF0, 0xF4, 0xF5])]) for _ in range(n)))
    with open(os.path.join(ROOT, "Tests", "TokenkitTests", "Fixtures", "utf8-lossy-cases.jsonl"), "w", encoding="utf-8") as f:
        for raw in cases:
            f.write(json.dumps({"bytes": list(raw), "text": raw.decode("utf-8", "replace")}, ensure_ascii=False) + "\n")
    print(f"utf8: {len(cases)} cases")


def component_fixtures(lines, texts, pairs):
    """Tokenizers that use every tokenizer.json component type, with truncation and padding."""
    long_pairs = pairs + [(" ".join(["word"] * 40), "short"), ("a b c", " ".join(str(i) for i in range(60)))]

    # WordPiece, cased BERT: BertNormalizer without lowercasing, BertPreTokenizer, BertProcessing,
    # WordPiece decoder, longest-first truncation with a stride, fixed padding on the left.
    bert = Tokenizer(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=20))
    bert.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=False, lowercase=False)
    bert.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    bert.train_from_iterator(lines, trainers.WordPieceTrainer(vocab_size=1500, show_progress=False,
                             special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]))
    bert.post_processor = processors.BertProcessing(("[SEP]", bert.token_to_id("[SEP]")), ("[CLS]", bert.token_to_id("[CLS]")))
    bert.decoder = decoders.WordPiece(prefix="##", cleanup=True)
    bert.enable_truncation(24, stride=4, strategy="longest_first")
    bert.enable_padding(direction="left", pad_id=0, pad_token="[PAD]", length=32)
    write_json_tokenizer("bert-cased.tokenizer.json", bert, texts, long_pairs, full=True)

    # The same vocabulary, uncased with accents stripped, truncating only the second sequence
    # from the left, padding to a multiple of 8 (batch-longest: per single input).
    bert.normalizer = normalizers.BertNormalizer(lowercase=True)
    bert.no_padding()
    bert.enable_truncation(16, stride=2, strategy="only_second", direction="left")
    bert.enable_padding(pad_to_multiple_of=8, pad_id=0, pad_token="[PAD]")
    write_json_tokenizer("bert-uncased.tokenizer.json", bert, texts, [(a, b) for a, b in long_pairs if b], full=True)

    # WordLevel with Whitespace, NFD + StripAccents + Lowercase, a string template, no decoder.
    wl = Tokenizer(models.WordLevel(unk_token="<unk>"))
    wl.normalizer = normalizers.Sequence([normalizers.NFD(), normalizers.StripAccents(), normalizers.Lowercase()])
    wl.pre_tokenizer = pre_tokenizers.Whitespace()
    wl.train_from_iterator(lines, trainers.WordLevelTrainer(vocab_size=1200, show_progress=False, special_tokens=["<unk>", "<s>", "</s>"]))
    wl.post_processor = processors.TemplateProcessing(single="<s> $A </s>", pair="<s> $A </s> $B:1 </s>:1",
                                                      special_tokens=[("<s>", 1), ("</s>", 2)])
    wl.enable_truncation(20, strategy="only_first")
    write_json_tokenizer("wordlevel.tokenizer.json", wl, texts, long_pairs, full=True)

    # WordLevel over every other pre-tokenizer, Nmt + Strip + Replace(regex) normalizers.
    mix = Tokenizer(models.WordLevel(unk_token="<unk>"))
    mix.normalizer = normalizers.Sequence([normalizers.Nmt(), normalizers.Strip(left=True, right=True),
                                           normalizers.Replace(Regex(r"\s{2,}"), " "), normalizers.Replace("!", "?")])
    mix.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation(behavior="merged_with_previous"),
        pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.CharDelimiterSplit("x"),
        pre_tokenizers.UnicodeScripts(), pre_tokenizers.FixedLength(length=6)])
    mix.train_from_iterator(lines, trainers.WordLevelTrainer(vocab_size=1500, show_progress=False, special_tokens=["<unk>"]))
    mix.decoder = decoders.CTC(pad_token="<unk>", word_delimiter_token="|", cleanup=True)
    write_json_tokenizer("pretokenizers-mix.tokenizer.json", mix, texts, pairs, full=True)

    # SentencePiece-style BPE as Llama 2 ships it: normalizer Prepend("▁") + Replace(" ", "▁),
    # no pre-tokenizer, byte fallback, fused unknowns, decoder Replace/ByteFallback/Fuse/Strip.
    spm = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    spm.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    byte_tokens = ["<0x%02X>" % b for b in range(256)]
    spm.train_from_iterator(lines, trainers.BpeTrainer(vocab_size=1200, show_progress=False,
                            special_tokens=["<unk>", "<s>", "</s>"] + byte_tokens, limit_alphabet=120))
    spm.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A $B:1", special_tokens=[("<s>", 1)])
    spm.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(), decoders.Strip(" ", 1, 0)])
    write_json_tokenizer("llama2-style.tokenizer.json", spm, texts, pairs, full=True)

    # Metaspace pre-tokenizer and decoder, prepend_scheme "always", split; BPE with dropout 0.
    meta = Tokenizer(models.BPE(unk_token="<unk>"))
    meta.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    meta.train_from_iterator(lines, trainers.BpeTrainer(vocab_size=900, show_progress=False, special_tokens=["<unk>"], limit_alphabet=150))
    meta.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    write_json_tokenizer("metaspace.tokenizer.json", meta, texts, pairs, full=True)

    # Classic BPE with continuing-subword prefix and end-of-word suffix, BPEDecoder.
    classic = Tokenizer(models.BPE(unk_token="<unk>", continuing_subword_prefix="##", end_of_word_suffix="</w>"))
    classic.pre_tokenizer = pre_tokenizers.Whitespace()
    classic.normalizer = normalizers.Lowercase()
    classic.train_from_iterator(lines, trainers.BpeTrainer(vocab_size=900, show_progress=False, special_tokens=["<unk>"],
                                continuing_subword_prefix="##", end_of_word_suffix="</w>", limit_alphabet=150))
    classic.decoder = decoders.BPEDecoder(suffix="</w>")
    write_json_tokenizer("classic-bpe.tokenizer.json", classic, texts, pairs, full=True)

    # RoBERTa: ByteLevel with prefix space, RobertaProcessing with offset trimming; a Sequence
    # post-processor around it; ByteLevel normalizer variant.
    rob = train_byte_level(lines, 800, pre_tokenizers.ByteLevel(add_prefix_space=True), ["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    rob.post_processor = processors.RobertaProcessing(("</s>", rob.token_to_id("</s>")), ("<s>", rob.token_to_id("<s>")),
                                                      trim_offsets=True, add_prefix_space=True)
    rob.add_special_tokens([tokenizers.AddedToken("<mask>", lstrip=True, special=True)])
    write_json_tokenizer("roberta-style.tokenizer.json", rob, texts, pairs, full=True)
    rob.post_processor = processors.Sequence([processors.ByteLevel(trim_offsets=True),
                                              processors.TemplateProcessing(single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
                                                                            special_tokens=[("<s>", rob.token_to_id("<s>")), ("</s>", rob.token_to_id("</s>"))])])
    rob.enable_truncation(12, stride=3)
    write_json_tokenizer("sequence-processor.tokenizer.json", rob, texts, pairs, full=True)

    bln = train_byte_level(lines, 700, pre_tokenizers.Split(Regex(r"\s+"), behavior="merged_with_next"), ["<|x|>"],
                           normalizer=normalizers.ByteLevel())
    write_json_tokenizer("bytelevel-normalizer.tokenizer.json", bln, texts, pairs, full=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "corpus"))
    a = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(20261123)
    lines = training_text(a.corpus)
    if not lines:
        sys.exit("no training corpus found; pass --corpus DIR")
    texts = FIXED_TEXTS + random_texts(rng, 120) + corpus_texts(a.corpus, rng, 25)
    regex_cases(FIXED_TEXTS + random_texts(random.Random(7), 40))
    lossy_utf8_cases(random.Random(8))
    pairs = [("Hello world", "How are you?"), ("", "second only"), ("first only", ""), ("日本語", "中文 text"),
             ("a b c d e f g", "1 2 3"), ("<|endoftext|> x", "y <tool>")]

    # 1. GPT-2 / RoBERTa style: ByteLevel pre-tokenizer with its own regex and a prefix space,
    #    RoBERTa post-processing replaced by ByteLevel trimming, legacy "a b" merges.
    gpt2 = train_byte_level(lines, 1200, pre_tokenizers.ByteLevel(add_prefix_space=True), ["<|endoftext|>"])
    gpt2.post_processor = processors.ByteLevel(trim_offsets=True)
    def legacy_merges(d):
        d["model"]["merges"] = [" ".join(m) if isinstance(m, list) else m for m in d["model"]["merges"]]
    write_json_tokenizer("gpt2-style.tokenizer.json", gpt2, texts, pairs, mutate=legacy_merges)

    # 2. Llama 3 style: Split(regex) + ByteLevel(use_regex=False), BOS template, added tokens with strip options.
    llama = train_byte_level(lines, 1500, pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)]), ["<|begin|>", "<|end|>"])
    llama.add_tokens([tokenizers.AddedToken("<tool>", lstrip=True, rstrip=True, normalized=False, special=False),
                      tokenizers.AddedToken("word", single_word=True, normalized=True, special=False)])
    llama.add_special_tokens([tokenizers.AddedToken("<|user|>", special=True, normalized=False)])
    llama.post_processor = processors.TemplateProcessing(
        single="<|begin|> $A", pair="<|begin|> $A <|end|> $B:1 <|end|>:1",
        special_tokens=[("<|begin|>", llama.token_to_id("<|begin|>")), ("<|end|>", llama.token_to_id("<|end|>"))])
    write_json_tokenizer("llama-style.tokenizer.json", llama, texts, pairs)

    # 3. DeepSeek style: several Splits in sequence (digits, CJK runs, a word pattern), NFKC normalizer.
    deep = train_byte_level(lines, 1300, pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"\p{N}{1,3}"), behavior="isolated", invert=False),
        pre_tokenizers.Split(Regex(r"[一-龥\u3040-ゟ゠-ヿ]+"), behavior="isolated", invert=False),
        pre_tokenizers.Split(Regex(CL100K), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)]), ["<｜begin▁of▁sentence｜>"],
        normalizer=normalizers.NFKC())
    deep.post_processor = processors.ByteLevel(trim_offsets=False)
    write_json_tokenizer("deepseek-style.tokenizer.json", deep, texts, pairs)

    # 4. Unusual split behaviours and an odd pattern, NFD + NFC normalizers, no post-processor.
    odd = train_byte_level(lines, 900, pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(ODD), behavior="merged_with_previous", invert=False),
        pre_tokenizers.Split(" ", behavior="merged_with_next", invert=False),
        pre_tokenizers.Split(Regex(r"[.,;:!?]"), behavior="contiguous", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=True, use_regex=False)]), ["[X]"],
        normalizer=normalizers.Sequence([normalizers.NFD(), normalizers.NFC()]))
    write_json_tokenizer("odd-splits.tokenizer.json", odd, texts, pairs)

    # 5. Removed / inverted splits.
    inv = train_byte_level(lines, 700, pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"\w+|[^\w\s]+"), behavior="removed", invert=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)]), [])
    write_json_tokenizer("inverted-split.tokenizer.json", inv, texts, pairs)

    # Fewer texts for the component fixtures, which record more fields per case.
    component_fixtures(lines, FIXED_TEXTS + random_texts(random.Random(11), 50) + corpus_texts(a.corpus, random.Random(12), 8), pairs)

    # 6. tiktoken files with other vocabularies and patterns.
    tiktoken_fixture("small-r50k.tiktoken", gpt2, R50K, ["<|endoftext|>"], texts)
    tiktoken_fixture("small-llama.tiktoken", llama, LLAMA3, ["<|begin|>", "<|end|>", "<|user|>"], texts)
    tiktoken_fixture("small-odd.tiktoken", odd, ODD, [], texts)


if __name__ == "__main__":
    main()
