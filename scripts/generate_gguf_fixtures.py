#!/usr/bin/env python3
"""Writes vocabulary-only GGUF files and the ids their source tokenizers give, as test
fixtures for Tokenkit's GGUF reader (Tests/TokenkitTests/Fixtures/gguf/).

usage: scripts/generate_gguf_fixtures.py [--corpus DIR] [--shared DIR] [--big-out DIR] [--skip-small] [--retrain-wordpiece]

The GGUF files hold the `tokenizer.ggml.*` keys the way llama.cpp's
convert_hf_to_gguf.py writes them (gguf-py's GGUFWriter; same keys, token types,
pre-tokenizer names, merges, scores, special token ids, add_bos/add_eos,
add_space_prefix, remove_extra_whitespaces, precompiled_charsmap):

* small tokenizers trained here (committed, a few tens of KB each): byte-level BPE
  in the llama-bpe, gpt-2 and qwen2 styles (model "gpt2"), a
  SentencePiece BPE with byte fallback (model "llama"), a WordPiece (model
  "bert") and a SentencePiece Unigram with the nmt_nfkc charsmap (model "t5");
* with --shared (default ../shared/tokenizers, when present), the shared
  tokenizers converted the same way into --big-out (default /tmp/tokenkit-gguf,
  not committed): llama3 (llama-bpe), qwen3 (qwen2), cl100k_base (dbrx),
  o200k_base (gpt-4o), mistral-v1 (llama, from its .model), minilm (bert),
  unigram8k (t5, from its .model). Tests run on them when that folder exists.

For each NAME.gguf, NAME.gguf.cases.jsonl has one line per text: {"text", "ids",
"ids_plain", "decoded"}: "ids_plain" is the Hugging Face `tokenizers` encoding of
the text without special tokens, "ids" adds BOS/EOS/SEP as llama.cpp does for that
file (add_special), "decoded" is `decode(ids, skip_special_tokens=False)`.
NAME.gguf.decode.jsonl has {"ids", "text"} lines for decoding only: cut-off
encodings, random id sequences and runs of byte-fallback pieces that form invalid
UTF-8, with the source tokenizer's `decode(ids, skip_special_tokens=False)`. The
expected ids and texts always come from the source tokenizer, never from Tokenkit
or llama.cpp. The small tokenizers get the decoders transformers' converters give
the originals (Llama: Replace/ByteFallback/Fuse/Strip, T5: Metaspace, BERT:
WordPiece). Deterministic.

Needs: pip install gguf tokenizers sentencepiece protobuf
"""
import argparse, json, os, random, sys, tempfile

import gguf
import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2 as sp_pb2
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from generate_fixtures import FIXED_TEXTS, LLAMA3, CL100K, corpus_texts, random_texts, training_text  # noqa: E402

OUT = os.path.join(ROOT, "Tests", "TokenkitTests", "Fixtures", "gguf")
GPT2 = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
QWEN2 = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
T = gguf.TokenType


def write_gguf(path, model, tokens, types, pre=None, scores=None, merges=None, ids=None, flags=None, charsmap=None):
    w = gguf.GGUFWriter(path, arch="llama")
    w.add_tokenizer_model(model)
    if pre is not None:
        w.add_tokenizer_pre(pre)
    w.add_token_list(tokens)
    if scores is not None:
        w.add_token_scores(scores)
    w.add_token_types(types)
    if merges:
        w.add_token_merges(merges)
    for kind, value in (ids or {}).items():
        if value is not None:
            getattr(w, f"add_{kind}_token_id")(value)
    for kind, value in (flags or {}).items():
        if kind == "space_prefix":
            w.add_add_space_prefix(value)
        elif kind == "remove_extra_whitespaces":
            w.add_remove_extra_whitespaces(value)
        else:
            getattr(w, f"add_add_{kind}_token")(value)
    if charsmap:
        w.add_precompiled_charsmap(charsmap)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    w.close()


def hf_vocab_base(tok):
    """convert_hf_to_gguf.py's get_vocab_base, on a `tokenizers` Tokenizer."""
    vocab = tok.get_vocab(with_added_tokens=True)
    decoder = tok.get_added_tokens_decoder()
    added = {t.content: i for i, t in decoder.items()}
    reverse = {i: t for t, i in vocab.items()}
    tokens, types = [], []
    for i in range(max(reverse) + 1):
        if i not in reverse:
            tokens.append(f"[PAD{i}]")
            types.append(T.UNUSED)
            continue
        token = reverse[i]
        if token in added:
            if decoder[i].special:
                types.append(T.CONTROL)
            else:
                token = token.replace("\u2581", " ")
                types.append(T.USER_DEFINED)
        else:
            types.append(T.NORMAL)
        tokens.append(token)
    return tokens, types


def hf_merges(tok):
    data = json.loads(tok.to_str())
    merges = data["model"]["merges"]
    if merges and isinstance(merges[0], list):
        merges = [" ".join("".join(chr(ord(c) + 256) if c == " " else c for c in part) for part in pair) for pair in merges]
    return merges


def sp_vocab(model_path):
    """convert_hf_to_gguf.py's _create_vocab_sentencepiece (no added tokens files)."""
    sp = spm.SentencePieceProcessor(model_file=model_path)
    tokens, scores, types = [], [], []
    for i in range(sp.vocab_size()):
        tokens.append(sp.id_to_piece(i))
        scores.append(sp.get_score(i))
        t = T.NORMAL
        if sp.is_unknown(i):
            t = T.UNKNOWN
        elif sp.is_control(i):
            t = T.CONTROL
        elif sp.is_unused(i):
            t = T.UNUSED
        elif sp.is_byte(i):
            t = T.BYTE
        types.append(t)
    proto = sp_pb2.ModelProto()
    proto.ParseFromString(open(model_path, "rb").read())
    return sp, tokens, scores, types, proto


def write_cases(path, tok, texts, prefix=(), suffix=()):
    tok.no_padding()
    tok.no_truncation()
    encoded = []
    with open(path + ".cases.jsonl", "w", encoding="utf-8") as f:
        for text in texts:
            plain = tok.encode(text, add_special_tokens=False).ids
            ids = list(prefix) + plain + list(suffix)
            encoded.append(ids)
            f.write(json.dumps({"text": text, "ids": ids, "ids_plain": plain,
                                "decoded": tok.decode(ids, skip_special_tokens=False)}, ensure_ascii=False) + "\n")
    write_decode_cases(path, tok, encoded)


def write_decode_cases(path, tok, encoded):
    """Id sequences that no text encodes to: cut-off encodings, random ids, byte-fallback runs."""
    rng = random.Random(os.path.basename(path))
    known = [i for i in range(tok.get_vocab_size(with_added_tokens=True)) if tok.id_to_token(i) is not None]
    sequences = [ids[:rng.randrange(1, len(ids))] for ids in encoded if len(ids) > 1]
    sequences += [[rng.choice(known) for _ in range(rng.randrange(1, 13))] for _ in range(150)]
    byte = {b: tok.token_to_id("<0x%02X>" % b) for b in range(256)}
    if all(i is not None for i in byte.values()):
        runs = [[0xE3], [0xE3, 0x81], [0xE3, 0x81, 0x82], [0x80], [0xFF], [0xC3, 0xA9, 0xC3], [0xF0, 0x9F, 0x98],
                [0xF0, 0x9F, 0x98, 0x80], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xE2, 0x96, 0x81], [0x20, 0xC3], [0x0A]]
        for run in runs:
            sequences.append([byte[b] for b in run])
            word = tok.encode("a", add_special_tokens=False).ids
            sequences.append(word + [byte[b] for b in run] + word)
        sequences += [[byte[rng.randrange(256)] for _ in range(rng.randrange(1, 9))] for _ in range(60)]
    with open(path + ".decode.jsonl", "w", encoding="utf-8") as f:
        for ids in sequences:
            f.write(json.dumps({"ids": ids, "text": tok.decode(ids, skip_special_tokens=False)}, ensure_ascii=False) + "\n")


def special_texts(tok):
    specials = [t.content for t in tok.get_added_tokens_decoder().values()][:4]
    out = []
    for s in specials:
        out += [s, f"a{s}b", f" {s} x", f"{s}{s}", f"hello {s}\nworld", f"{s} leading", f"trailing {s}"]
    return out


# ---------------------------------------------------------------- gpt2

def gpt2_gguf(path, tok, pre, texts, bos=None, eos=None, add_bos=False):
    tokens, types = hf_vocab_base(tok)
    ids = {"bos": tok.token_to_id(bos) if bos else None, "eos": tok.token_to_id(eos) if eos else None}
    write_gguf(path, "gpt2", tokens, types, pre=pre, merges=hf_merges(tok), ids=ids,
               flags={"bos": add_bos} if bos else None)
    write_cases(path, tok, texts + special_texts(tok), prefix=[ids["bos"]] if add_bos else [])


def split_seq(patterns, normalizer=None):
    return pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(p), "isolated") for p in patterns]
                                   + [pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])


def train_bpe(lines, size, pre, specials, normalizer=None):
    tok = Tokenizer(models.BPE())
    if normalizer is not None:
        tok.normalizer = normalizer
    tok.pre_tokenizer = pre
    tok.train_from_iterator(lines, trainers.BpeTrainer(vocab_size=size, special_tokens=specials, show_progress=False,
                                                       initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tok.decoder = decoders.ByteLevel()
    return tok


# ---------------------------------------------------------------- llama (SentencePiece BPE)

def hf_from_sp_bpe(sp, tokens, scores):
    """transformers' LlamaConverter (Metaspace prepend_scheme "first", as mistral-v1.tokenizer.json)."""
    vocab = {p: i for i, p in enumerate(tokens)}
    merges = []
    for piece, score in zip(tokens, scores):
        local = [(piece[:k], piece[k:], score) for k in range(1, len(piece)) if piece[:k] in vocab and piece[k:] in vocab]
        merges += sorted(local, key=lambda x: (vocab[x[0]], vocab[x[1]]))
    merges = sorted(merges, key=lambda m: m[2], reverse=True)
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[(a, b) for a, b, _ in merges], unk_token="<unk>",
                               fuse_unk=True, byte_fallback=True))
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="first", split=False)
    tok.decoder = decoders.Sequence([decoders.Replace("\u2581", " "), decoders.ByteFallback(), decoders.Fuse(),
                                     decoders.Strip(" ", 1, 0)])
    tok.add_special_tokens([AddedToken(tokens[1], special=True, normalized=False),
                            AddedToken(tokens[2], special=True, normalized=False)])
    return tok


def llama_gguf(path, model_path, texts, hf=None):
    sp, tokens, scores, types, proto = sp_vocab(model_path)
    tok = hf or hf_from_sp_bpe(sp, tokens, scores)
    write_gguf(path, "llama", tokens, types, pre="default", scores=scores,
               ids={"bos": sp.bos_id(), "eos": sp.eos_id(), "unk": sp.unk_id()}, flags={"bos": True, "eos": False})
    write_cases(path, tok, texts + special_texts(tok) + ["<unk>", "a<unk>b"], prefix=[sp.bos_id()])
    return tok


# ---------------------------------------------------------------- t5 (Unigram)

def hf_from_sp_unigram(tokens, scores, proto):
    """transformers' T5/SpmConverter for a Unigram model (as unigram8k.tokenizer.json)."""
    tok = Tokenizer(models.Unigram([(p, s) for p, s in zip(tokens, scores)], unk_id=proto.trainer_spec.unk_id,
                                   byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(proto.normalizer_spec.precompiled_charsmap),
        normalizers.Strip(left=False, right=True),
        normalizers.Replace(Regex(" {2,}"), "\u2581"),
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="first", split=True)
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="first", split=True)
    tok.add_special_tokens([AddedToken(tokens[1], special=True, normalized=False),
                            AddedToken(tokens[2], special=True, normalized=False)])
    return tok


def t5_gguf(path, model_path, texts, hf=None):
    sp, tokens, scores, types, proto = sp_vocab(model_path)
    tok = hf or hf_from_sp_unigram(tokens, scores, proto)
    eos = sp.eos_id()
    write_gguf(path, "t5", tokens, types, pre="default", scores=scores,
               ids={"eos": eos, "unk": sp.unk_id(), "pad": sp.pad_id() if sp.pad_id() >= 0 else None},
               flags={"space_prefix": proto.normalizer_spec.add_dummy_prefix,
                      "remove_extra_whitespaces": proto.normalizer_spec.remove_extra_whitespaces,
                      "bos": False, "eos": True},
               charsmap=proto.normalizer_spec.precompiled_charsmap)
    write_cases(path, tok, texts + special_texts(tok), suffix=[eos])
    return tok


# ---------------------------------------------------------------- bert (WordPiece)

def bert_gguf(path, tok, texts):
    tokens, types = hf_vocab_base(tok)

    def phantom(t, kind):
        if kind == T.CONTROL:
            return t
        return t[2:] if t.startswith("##") else "\u2581" + t
    tokens = [phantom(t, k) for t, k in zip(tokens, types)]
    ids = {k: tok.token_to_id(v) for k, v in
           (("bos", "[CLS]"), ("unk", "[UNK]"), ("sep", "[SEP]"), ("pad", "[PAD]"), ("mask", "[MASK]"))}
    write_gguf(path, "bert", tokens, types, pre="bert-bge", ids=ids, flags={"bos": True, "eos": False})
    write_cases(path, tok, texts + special_texts(tok), prefix=[ids["bos"]], suffix=[ids["sep"]])


def wordpiece_vocab_of_gguf(path):
    """The `tokenizers` WordPiece vocabulary of a "bert" GGUF file written by bert_gguf."""
    r = gguf.GGUFReader(path)
    f = r.fields["tokenizer.ggml.tokens"]
    t = r.fields["tokenizer.ggml.token_type"]
    vocab = {}
    for i, (k, j) in enumerate(zip(f.data, t.data)):
        token, kind = bytes(f.parts[k]).decode("utf-8"), int(t.parts[j][0])
        vocab[token if kind == T.CONTROL else token[1:] if token.startswith("\u2581") else "##" + token] = i
    return vocab


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "corpus"))
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared", "tokenizers"))
    ap.add_argument("--big-out", default="/tmp/tokenkit-gguf")
    ap.add_argument("--skip-small", action="store_true")
    ap.add_argument("--retrain-wordpiece", action="store_true")
    a = ap.parse_args()
    rng = random.Random(20261124)
    lines = training_text(a.corpus)
    if not lines:
        sys.exit("no training corpus found; pass --corpus DIR")
    texts = FIXED_TEXTS + random_texts(rng, 150) + corpus_texts(a.corpus, rng, 30) + [
        "  two leading", "\u00a0nbsp start", "tab\tin\tside", "x\n \n y", "ＡＢＣ ① ㍻", "Ǳ ǲ ǳ", "  ", "a  b   c    d",
        "end with space ", "ß" * 5, "Ｈｅｌｌｏ　ｗｏｒｌｄ", "ﬃ ﬄ ﬅ", "e\u0301\u0302", "한국어 ᄀᄂ", "아 ᅡ ᆨ",
    ]
    if not a.skip_small:
        os.makedirs(OUT, exist_ok=True)
        small = lines[: len(lines) // 3]
        specials = ["<|begin|>", "<|end|>", "<|user|>"]
        tok = train_bpe(small, 900, split_seq([LLAMA3]), specials)
        tok.add_tokens([AddedToken("<tool>", special=False, normalized=False)])
        gpt2_gguf(os.path.join(OUT, "llama-bpe.gguf"), tok, "llama-bpe", texts, bos="<|begin|>", eos="<|end|>", add_bos=True)
        tok = train_bpe(small, 800, pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True), ["<|endoftext|>"])
        gpt2_gguf(os.path.join(OUT, "gpt-2.gguf"), tok, "gpt-2", texts, bos="<|endoftext|>", eos="<|endoftext|>")
        tok = train_bpe(small, 800, split_seq([QWEN2]), ["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
                        normalizer=normalizers.NFC())
        gpt2_gguf(os.path.join(OUT, "qwen2.gguf"), tok, "qwen2", texts, eos="<|endoftext|>")

        with tempfile.TemporaryDirectory() as tmp:
            corpus = os.path.join(tmp, "corpus.txt")
            open(corpus, "w", encoding="utf-8").write("\n".join(small))
            prefix = os.path.join(tmp, "spm-bpe")
            spm.SentencePieceTrainer.train(input=corpus, model_prefix=prefix, vocab_size=700, model_type="bpe",
                                           byte_fallback=True, character_coverage=0.9995, minloglevel=2)
            llama_gguf(os.path.join(OUT, "spm-bpe.gguf"), prefix + ".model", texts)
            prefix = os.path.join(tmp, "spm-unigram")
            spm.SentencePieceTrainer.train(input=corpus, model_prefix=prefix, vocab_size=600, model_type="unigram",
                                           character_coverage=0.9995, minloglevel=2)
            t5_gguf(os.path.join(OUT, "spm-unigram.gguf"), prefix + ".model", texts)

        # tokenizers' WordPiece trainer breaks ties in an order that changes from run to run, so
        # the committed vocabulary is reused when there is one (--retrain-wordpiece to replace it).
        path = os.path.join(OUT, "wordpiece.gguf")
        specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        if os.path.exists(path) and not a.retrain_wordpiece:
            wp = Tokenizer(models.WordPiece(vocab=wordpiece_vocab_of_gguf(path), unk_token="[UNK]"))
            wp.add_special_tokens(specials)
        else:
            wp = Tokenizer(models.WordPiece(unk_token="[UNK]"))
            wp.train_from_iterator(small, trainers.WordPieceTrainer(vocab_size=700, special_tokens=specials,
                                                                    show_progress=False))
        wp.normalizer = normalizers.BertNormalizer(lowercase=True)
        wp.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        wp.decoder = decoders.WordPiece(prefix="##", cleanup=True)
        bert_gguf(path, wp, texts)

    if os.path.isdir(a.shared):
        os.makedirs(a.big_out, exist_ok=True)
        s = lambda name: os.path.join(a.shared, name)
        o = lambda name: os.path.join(a.big_out, name)
        tok = Tokenizer.from_file(s("llama3.tokenizer.json"))
        gpt2_gguf(o("llama3.gguf"), tok, "llama-bpe", texts, bos="<|begin_of_text|>", eos="<|end_of_text|>", add_bos=True)
        gpt2_gguf(o("qwen3.gguf"), Tokenizer.from_file(s("qwen3.tokenizer.json")), "qwen2", texts, eos="<|endoftext|>")
        gpt2_gguf(o("cl100k_base.gguf"), Tokenizer.from_file(s("cl100k_base.tokenizer.json")), "dbrx", texts,
                  eos="<|endoftext|>")
        gpt2_gguf(o("o200k_base.gguf"), Tokenizer.from_file(s("o200k_base.tokenizer.json")), "gpt-4o", texts,
                  eos="<|endoftext|>")
        llama_gguf(o("mistral-v1.gguf"), s("mistral-v1.model"), texts, hf=Tokenizer.from_file(s("mistral-v1.tokenizer.json")))
        bert_gguf(o("minilm.gguf"), Tokenizer.from_file(s("minilm.tokenizer.json")), texts)
        t5_gguf(o("unigram8k.gguf"), s("unigram8k.model"), texts, hf=Tokenizer.from_file(s("unigram8k.tokenizer.json")))


if __name__ == "__main__":
    main()
