#!/usr/bin/env python3
"""Trains small SentencePiece models and records the reference libraries' outputs,
as test fixtures for Tokenkit (Tests/TokenkitTests/Fixtures/sentencepiece/).

usage: scripts/generate_sentencepiece_fixtures.py [--corpus DIR]   (default: ../shared/corpus)

Writes, for every model NAME:
  NAME.model               a SentencePiece model trained with sentencepiece.SentencePieceTrainer
                           (some with pieces then marked UNUSED by editing the protobuf)
  NAME.model.cases.jsonl   one case per text: text, ids (sp.encode), pieces (id_to_piece of
                           each id, as shared/conformance), surfaces (sp.encode(out_type=str):
                           unknown text as it was), decoded (sp.decode(ids))
and, for the Unigram models, a tokenizer.json built with `tokenizers` from the model's pieces
and charsmap (Precompiled normalizer, Split pre-tokenizer, Unigram model; no Metaspace,
which Tokenkit reads elsewhere) with its cases (ids, tokens, offsets, decoded, normalized).

precompiled-*.tokenizer.json: `tokenizers` Precompiled normalizers over charsmaps compiled by
sentencepiece from hand-written rules (expansions, deletions, multi-character keys, rules
that swallow combining marks) and a one-character Unigram vocabulary, so that the cases pin
down tokenizers' grapheme-wise rewriting and its alignment (offsets) quirks.

grapheme-probe.json: for every scalar, whether `tokenizers`' grapheme segmentation (the
unicode-segmentation crate, probed through a Precompiled normalizer) joins "a"+X, X+"a"
and X+U+0301; Tokenkit relies on Swift's segmentation agreeing on these.

Outputs come from sentencepiece and tokenizers, never from Tokenkit. Deterministic.

Needs: pip install sentencepiece tokenizers protobuf (and tiktoken, for generate_fixtures' texts)
"""
import argparse, io, json, os, random, sys

import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2 as pb
from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(ROOT, "Tests", "TokenkitTests", "Fixtures", "sentencepiece")
sys.path.insert(0, HERE)
from generate_fixtures import FIXED_TEXTS, corpus_texts, random_texts  # noqa: E402

spm.set_min_log_level(3)

EXTRA_TEXTS = [
    "<tool>call</tool> <ctrl> <sep> <s> </s> <unk> <0x41>", "foo@@bar@@baz", "™ ℡ ㎏ ㍻ ﬀ", "\u2581already\u2581escaped\u2581",
    "tab\tseparated\tvalues", "  \u3000 ideographic   space ", "numbers 1234567 and 3.14", "x\u0301\u0302\u0303 y\u0308",
    "\U0001F600\U0001F600 smiley", "\ufeffbom", "a\x1eb\x1fc", "user@example.com https://example.org/path?q=1",
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "ab" * 40, "\u00e9\u0301 e\u0301\u0301", "Å Å Å",
]

# Rules for the Precompiled fixtures: (source, replacement). They exercise expansions,
# deletions (also at the start of the text), multi-character keys, keys that are prefixes
# of graphemes (tokenizers rewrites the whole grapheme), and a key longer than a grapheme.
RULES = [
    ("™", "TM"), ("\x1e", ""), ("\u200b", ""), ("ﬁ", "fi"), ("ﬃ", "ffi"), ("e", "E"), ("a\u0301", "á"),
    ("Å", "A"), ("ß", "ss"), ("…", "..."), ("x", ""), ("ab", "Q"), ("\r\n", "\n"), ("\u3000", " "),
    ("Ω", "ΩΩΩ"), ("한", "ㅎㅏㄴ"), ("\U0001F600", ":)"), ("o\u0308", "ö"), ("\u0301", "'"),
]
RULE_TEXTS = [
    "", "e", "é", "e\u0301", "e\u0301\u0302", "e\u0301\u0302\u0303", "a\u0301b", "ab", "abc", "xab", "\x1eabc", "a\x1e\x1eb",
    "™x™", "ﬁﬃ", "Ω\u0301 Ω", "한국어", "\U0001F600\u0301", "\r\n\r\n", "o\u0308\u0308", "\u0301\u0301", "Å\u030a",
    "\u200b\u200b", "x", "xx e", "ßß\u0301", "…e…", "\u3000a\u3000", "e\U0001F3FB", "\u0600e", "é" * 5, "Ω" * 3 + "x",
]


# A small rule set for models that should not carry the 240 kB nmt_nfkc charsmap
# (normalization_rule_tsv: source and target code points in hex).
SMALL_RULES_TSV = "\n".join([
    "FF11\t31", "FF12\t32", "FF21\t41", "FB01\t66 69", "2122\t54 4D", "A0\t20", "9\t20", "3000\t20",
    "2026\t2E 2E 2E", "200B\t", "65 301\t E9", "212B\tC5", "1E\t",
]) + "\n"
# Decoding rules (denormalization_rule_tsv): applied by sp.decode to the decoded text.
DECODE_RULES_TSV = "54 4D\t2122\n2E 2E 2E\t2026\n65\t45\n20 20\t20\n"


def training_lines(corpus_dir):
    lines = []
    for name in ("en.txt", "code.txt", "multi.txt"):
        path = os.path.join(corpus_dir, name)
        if os.path.exists(path):
            lines += open(path, encoding="utf-8", errors="replace").read(250_000).splitlines()
    return [l for l in lines if l.strip()]


def train(lines, **options):
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_writer=model, num_threads=1,
                                   minloglevel=3, **options)
    return model.getvalue()


def mark_unused(model_bytes, every):
    """Marks every `every`-th multi-character normal piece UNUSED (as set_vocabulary would)."""
    m = pb.ModelProto()
    m.ParseFromString(model_bytes)
    n = 0
    for p in m.pieces:
        if p.type == pb.ModelProto.SentencePiece.NORMAL and len(p.piece) > 1:
            n += 1
            if n % every == 0:
                p.type = pb.ModelProto.SentencePiece.UNUSED
    return m.SerializeToString()


def sp_cases(model_bytes, texts):
    sp = spm.SentencePieceProcessor(model_proto=model_bytes)
    cases = []
    for text in texts:
        ids = sp.encode(text)
        case = {"text": text, "ids": ids, "pieces": [sp.id_to_piece(i) for i in ids], "decoded": sp.decode(ids)}
        surfaces = sp.encode(text, out_type=str)
        if surfaces != case["pieces"]:
            case["surfaces"] = surfaces
        cases.append(case)
    # Decoding of id sequences a model would not produce: byte pieces that are not UTF-8,
    # controls and unknowns between spaces.
    rng = random.Random(len(model_bytes))
    n = sp.get_piece_size()
    for _ in range(40):
        ids = [rng.randrange(n) for _ in range(rng.randint(1, 12))]
        cases.append({"decode_only": True, "ids": ids, "decoded": sp.decode(ids)})
    return cases


def write_lines(path, cases):
    with open(path, "w", encoding="utf-8") as f:
        for c in cases:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")


def hf_cases(tok, texts):
    cases = []
    for text in texts:
        enc = tok.encode(text)
        case = {"text": text, "ids": enc.ids, "tokens": enc.tokens, "offsets": [list(o) for o in enc.offsets],
                "decoded": tok.decode(enc.ids)}
        normalized = tok.normalizer.normalize_str(text) if tok.normalizer else text
        if normalized != text:
            case["normalized"] = normalized
        cases.append(case)
    return cases


def unigram_tokenizer_json(model_bytes):
    """tokenizers' Unigram + Precompiled built from a .model (the pieces, scores and charsmap as they are)."""
    m = pb.ModelProto()
    m.ParseFromString(model_bytes)
    vocab = [(p.piece, p.score) for p in m.pieces]
    unk = next(i for i, p in enumerate(m.pieces) if p.type == pb.ModelProto.SentencePiece.UNKNOWN)
    tok = Tokenizer(models.Unigram(vocab, unk_id=unk, byte_fallback=m.trainer_spec.byte_fallback))
    if m.normalizer_spec.precompiled_charsmap:
        tok.normalizer = normalizers.Sequence([normalizers.Precompiled(m.normalizer_spec.precompiled_charsmap)])
    # Words with their leading space, like Metaspace(split=True) minus the "▁" replacement.
    tok.pre_tokenizer = pre_tokenizers.Split(" ", behavior="merged_with_next")
    return tok


def charsmap(rules):
    n = spm.SentencePieceNormalizer(norm_map=rules, add_dummy_prefix=False, escape_whitespaces=False,
                                    remove_extra_whitespaces=False)
    spec = pb.NormalizerSpec()
    spec.ParseFromString(n.serialized_normalizer_spec())
    return spec.precompiled_charsmap


def precompiled_tokenizer(blob, texts, pre_tokenizer):
    norm = normalizers.Precompiled(blob)
    chars = sorted({c for t in texts for c in norm.normalize_str(t)} | {c for t in texts for c in t})
    vocab = [("<unk>", 0.0)] + [(c, -1.0) for c in chars if c not in ("<unk>",)] + [("EE", -1.5), ("fi", -1.5)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=0, byte_fallback=False))
    tok.normalizer = norm
    if pre_tokenizer:
        tok.pre_tokenizer = pre_tokenizer
    return tok


def grapheme_probe():
    """Which scalars tokenizers' grapheme segmentation joins (see the module docstring)."""
    scalars = [c for c in range(1, 0x110000) if not 0xD800 <= c < 0xE000]
    joined_after_a, prepend, breaks_before_mark = [], [], []
    p = normalizers.Precompiled(charsmap([("a", "#")]))
    joined_after_a = [c for c in scalars if p.normalize_str("a" + chr(c)) == "#"]
    chunk = 20000
    for i in range(0, len(scalars), chunk):
        part = [c for c in scalars[i:i + chunk] if c != ord("#")]
        p = normalizers.Precompiled(charsmap([(chr(c), "#") for c in part]))
        for c in part:
            if p.normalize_str(chr(c) + "a") == "#":
                prepend.append(c)
            # Only meaningful below 6 bytes (longer clusters are rewritten scalar by scalar).
            if c < 0x10000 and p.normalize_str(chr(c) + "\u0301") != "#":
                breaks_before_mark.append(c)

    def ranges(xs):
        out = []
        for c in xs:
            if out and out[-1][1] == c - 1:
                out[-1][1] = c
            else:
                out.append([c, c])
        return out
    return {"joined_after_a": ranges(joined_after_a), "joins_following_a": ranges(prepend),
            "breaks_before_u0301": ranges(breaks_before_mark)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "corpus"))
    ap.add_argument("--skip-probe", action="store_true", help="keep the existing grapheme-probe.json")
    a = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    lines = training_lines(a.corpus)
    if not lines:
        sys.exit("no training corpus found; pass --corpus DIR")
    rng = random.Random(20261124)
    texts = FIXED_TEXTS + EXTRA_TEXTS + random_texts(rng, 90) + corpus_texts(a.corpus, rng, 6)
    rules_tsv = os.path.join(OUT, "small-rules.tsv")
    open(rules_tsv, "w").write(SMALL_RULES_TSV)
    decode_rules_tsv = os.path.join(OUT, "decode-rules.tsv")
    open(decode_rules_tsv, "w").write(DECODE_RULES_TSV)

    common = dict(vocab_size=1000, character_coverage=0.9995, input_sentence_size=0, shuffle_input_sentence=False)
    configs = [
        # name, options, unused-every (0: none)
        ("unigram-nmt", dict(model_type="unigram", **common), 0),
        ("unigram-bytes-symbols", dict(model_type="unigram", byte_fallback=True, split_digits=True,
                                       normalization_rule_name="identity",
                                       user_defined_symbols=["<tool>", "</tool>", "@@", "™", "foo"],
                                       control_symbols=["<ctrl>", "<sep>"], **common), 0),
        ("unigram-identity-raw", dict(model_type="unigram", normalization_rule_name="identity", add_dummy_prefix=False,
                                      remove_extra_whitespaces=False, **common), 7),
        ("unigram-suffix-rules", dict(model_type="unigram", normalization_rule_tsv=rules_tsv,
                                      treat_whitespace_as_suffix=True, **common), 0),
        ("bpe-rules", dict(model_type="bpe", normalization_rule_tsv=rules_tsv, **common), 0),
        ("bpe-denormalizer", dict(model_type="bpe", normalization_rule_name="identity",
                                  denormalization_rule_tsv=decode_rules_tsv, **common), 0),
        ("bpe-bytes-symbols", dict(model_type="bpe", byte_fallback=True, split_digits=True, normalization_rule_name="identity",
                                   remove_extra_whitespaces=False, user_defined_symbols=["<tool>", "@@", "™", "foo"],
                                   control_symbols=["<ctrl>"], **common), 0),
        ("bpe-unused-nodummy", dict(model_type="bpe", normalization_rule_name="identity", add_dummy_prefix=False,
                                    **common), 5),
        ("char-identity", dict(model_type="char", normalization_rule_name="identity", user_defined_symbols=["<tool>"],
                               vocab_size=400, character_coverage=0.9995, input_sentence_size=0,
                               shuffle_input_sentence=False), 0),
        ("word-identity", dict(model_type="word", normalization_rule_name="identity", vocab_size=1500,
                               input_sentence_size=0, shuffle_input_sentence=False), 0),
    ]
    for name, options, unused in configs:
        model = train(lines, **options)
        if unused:
            model = mark_unused(model, unused)
        open(os.path.join(OUT, name + ".model"), "wb").write(model)
        write_lines(os.path.join(OUT, name + ".model.cases.jsonl"), sp_cases(model, texts))
        print(f"{name}.model: {len(model)} bytes")
        if options["model_type"] == "unigram":
            tok = unigram_tokenizer_json(model)
            tok.save(os.path.join(OUT, name + ".tokenizer.json"))
            write_lines(os.path.join(OUT, name + ".tokenizer.json.cases.jsonl"), hf_cases(tok, texts))

    os.remove(rules_tsv)
    os.remove(decode_rules_tsv)
    blob = charsmap(RULES)
    rule_texts = RULE_TEXTS + FIXED_TEXTS + EXTRA_TEXTS + random_texts(random.Random(5), 40)
    for name, pre in (("precompiled-rules", pre_tokenizers.Split(Regex(r"\s+"), behavior="merged_with_next")),
                      ("precompiled-rules-split", pre_tokenizers.Split(Regex(r"\s+|[bE]"), behavior="isolated"))):
        tok = precompiled_tokenizer(blob, rule_texts, pre)
        tok.save(os.path.join(OUT, name + ".tokenizer.json"))
        write_lines(os.path.join(OUT, name + ".tokenizer.json.cases.jsonl"), hf_cases(tok, rule_texts))

    if not a.skip_probe:
        json.dump(grapheme_probe(), open(os.path.join(OUT, "grapheme-probe.json"), "w"))
    print("done")


if __name__ == "__main__":
    main()
