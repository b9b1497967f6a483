#!/usr/bin/env python3
"""Trains BPE tokenizers with Hugging Face `tokenizers` on a small corpus, as the reference
for Tokenkit's BPE trainer (Tests/TokenkitTests/Fixtures/training/).

usage: scripts/generate_training_fixtures.py [--corpus DIR] [--check-cli .build/release/tokenkit]

Writes:
  corpus.txt                 ~160 KB cut at line ends from DIR/{en,code,multi}.txt (default ../shared/corpus)
  NAME.options.json          the trainer settings (vocab_size, min_frequency, special_tokens,
                             max_token_length, limit_alphabet, pattern: null for GPT-2's ByteLevel)
  NAME.tokenizer.json        what `tokenizers` trains with them (Tokenizer.train on corpus.txt)

  bert-wordpiece.*           the same for WordPieceTrainer (BERT normalizer and pre-tokenizer).
                             tokenizers' WordPiece training is not deterministic: the ids of the
                             "##" characters follow a hash map walk, and ties between pairs are
                             broken by ids; two runs differ by a few tokens. Tests compare within
                             a tolerance.

With --check-cli, also trains each configuration with `tokenkit train bpe` and checks that the
files are the same model (vocab and merges), that `tokenizers` loads Tokenkit's file and
encodes the corpus to the same ids as its own, and that tiktoken does too with the same
training written as a .tiktoken file.
"""
import argparse, json, os, subprocess, tempfile, unicodedata

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

here = os.path.dirname(os.path.abspath(__file__))
out_dir = os.path.join(here, "..", "Tests", "TokenkitTests", "Fixtures", "training")
ap = argparse.ArgumentParser()
ap.add_argument("--corpus", default=os.path.join(here, "..", "..", "shared", "corpus"))
ap.add_argument("--check-cli", default=None)
a = ap.parse_args()

LLAMA3 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
O200K = (r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
         r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
         r"|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+")

CONFIGS = {
    "gpt2-bpe": dict(vocab_size=1200, min_frequency=2, special_tokens=["<|endoftext|>"], max_token_length=None,
                     limit_alphabet=None, pattern=None),
    "llama3-bpe": dict(vocab_size=2000, min_frequency=0, special_tokens=["<s>", "</s>", "<pad>"], max_token_length=6,
                       limit_alphabet=None, pattern=LLAMA3),
    "o200k-bpe": dict(vocab_size=3000, min_frequency=3, special_tokens=[], max_token_length=None,
                      limit_alphabet=None, pattern=O200K),
    # SentencePiece-style: NFKC, Metaspace, BPE over characters with an unknown token.
    "metaspace-bpe": dict(vocab_size=2500, min_frequency=2, special_tokens=["<unk>", "<s>", "</s>"], max_token_length=None,
                          limit_alphabet=None, pattern=None, metaspace=True, unk_token="<unk>"),
}


def cut(path, size):
    data = open(path, encoding="utf-8").read()
    lines, n = [], 0
    for line in data.splitlines(keepends=True):
        lines.append(line); n += len(line.encode())
        if n >= size: break
    return "".join(lines)


def train(options, corpus_path):
    if options.get("metaspace"):
        tok = Tokenizer(models.BPE(unk_token=options["unk_token"]))
        tok.normalizer = normalizers.NFKC()
        tok.pre_tokenizer = pre_tokenizers.Metaspace()
        tok.decoder = decoders.Metaspace()
        tok.train([corpus_path], trainers.BpeTrainer(vocab_size=options["vocab_size"], min_frequency=options["min_frequency"],
                                                     special_tokens=options["special_tokens"], show_progress=False))
        return tok
    tok = Tokenizer(models.BPE())
    if options["pattern"] is None:
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True)
    else:
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(options["pattern"]), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    kwargs = dict(vocab_size=options["vocab_size"], min_frequency=options["min_frequency"],
                  special_tokens=options["special_tokens"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                  show_progress=False)
    if options["max_token_length"] is not None: kwargs["max_token_length"] = options["max_token_length"]
    if options["limit_alphabet"] is not None: kwargs["limit_alphabet"] = options["limit_alphabet"]
    tok.train([corpus_path], trainers.BpeTrainer(**kwargs))
    return tok


def model_of(path):
    model = json.load(open(path, encoding="utf-8"))["model"]
    return model["vocab"], [tuple(m) if isinstance(m, list) else tuple(m.split(" ", 1)) for m in model["merges"]]


os.makedirs(out_dir, exist_ok=True)
corpus_path = os.path.join(out_dir, "corpus.txt")
if os.path.isdir(a.corpus):
    text = cut(os.path.join(a.corpus, "en.txt"), 60_000) + cut(os.path.join(a.corpus, "code.txt"), 40_000) \
        + cut(os.path.join(a.corpus, "multi.txt"), 60_000)
    open(corpus_path, "w", encoding="utf-8", newline="").write(text)

for name, options in CONFIGS.items():
    json.dump(options, open(os.path.join(out_dir, name + ".options.json"), "w"), indent=1, ensure_ascii=False)
    reference = train(options, corpus_path)
    # Training twice must give the same model, or the fixture would record an accident.
    again = train(options, corpus_path)
    assert reference.to_str() == again.to_str(), f"{name}: tokenizers is not deterministic on this configuration"
    reference.save(os.path.join(out_dir, name + ".tokenizer.json"), pretty=False)
    print(f"{name}: vocab {reference.get_vocab_size()}")

    if a.check_cli:
        with tempfile.TemporaryDirectory() as tmp:
            ours = os.path.join(tmp, "tokenizer.json")
            cmd = [a.check_cli, "train", "bpe", "--quiet", "--vocab-size", str(options["vocab_size"]),
                   "--min-frequency", str(options["min_frequency"]), corpus_path, "-o", ours]
            for t in options["special_tokens"]: cmd += ["--special-token", t]
            if options["max_token_length"] is not None: cmd += ["--max-token-length", str(options["max_token_length"])]
            if options["limit_alphabet"] is not None: cmd += ["--limit-alphabet", str(options["limit_alphabet"])]
            if options["pattern"] is not None: cmd += ["--pattern", options["pattern"]]
            if options.get("metaspace"): cmd += ["--metaspace", "--unk-token", options["unk_token"]]
            subprocess.run(cmd, check=True)
            assert model_of(ours) == model_of(os.path.join(out_dir, name + ".tokenizer.json")), f"{name}: models differ"
            loaded = Tokenizer.from_file(ours)
            lines = open(corpus_path, encoding="utf-8").read().splitlines(keepends=True)
            assert [e.ids for e in loaded.encode_batch(lines)] == [e.ids for e in reference.encode_batch(lines)]
            print(f"{name}: tokenkit's file is the same model and tokenizers encodes the corpus identically with it")
            if options.get("metaspace"):
                # The same training as a SentencePiece BPE model: sentencepiece encodes like
                # tokenizers, except before a leading space (SentencePiece adds its "▁" prefix
                # anyway) and on control characters (nmt_nfkc rewrites them, NFKC keeps them).
                import sentencepiece as spm
                spm_path = os.path.join(tmp, "trained.model")
                subprocess.run([spm_path if arg == ours else arg for arg in cmd], check=True)
                sp = spm.SentencePieceProcessor(model_file=spm_path)
                plain = [l.rstrip("\n") for l in lines if l[:1].strip() and not any(ord(c) < 32 for c in l.rstrip("\n"))]
                assert sp.encode(plain) == [e.ids for e in reference.encode_batch(plain, add_special_tokens=False)]
                print(f"{name}: sentencepiece encodes {len(plain)} lines with tokenkit's .model as tokenizers does")
                # Character coverage and byte fallback: the .model and the tokenizer.json encode
                # alike in sentencepiece and tokenizers, rare and unseen characters as bytes, and
                # decode back. sentencepiece's ids are recorded for Tokenkit's test, which trains
                # the same model and must encode these lines the same.
                fb_json, fb_model = os.path.join(tmp, "fallback.json"), os.path.join(tmp, "fallback.model")
                for target in (fb_json, fb_model):
                    subprocess.run([target if arg == ours else arg for arg in cmd] + ["--character-coverage", "0.999", "--byte-fallback"],
                                   check=True)
                sp = spm.SentencePieceProcessor(model_file=fb_model)
                hf = Tokenizer.from_file(fb_json)
                # Lines with non-ASCII characters, trimmed and without control characters (the two
                # known differences between the files, see above).
                probes = [" ".join(l.split()) for l in lines if any(ord(c) > 0x7F for c in l)]
                probes = [l for l in probes if l and unicodedata.normalize("NFKC", l) == l][:150]
                probes.append("unseen: \u2603 \U0001F600 \u0E01\u0E02 end")
                sp_ids = sp.encode(probes)
                assert sp_ids == [e.ids for e in hf.encode_batch(probes, add_special_tokens=False)], "byte fallback: files differ"
                assert any(3 <= i < 259 for ids in sp_ids for i in ids), "byte fallback: no byte token used"
                assert sp.decode(sp_ids) == probes and hf.decode_batch(sp_ids) == probes, "byte fallback: no round trip"
                json.dump({"options": ["--character-coverage", "0.999", "--byte-fallback"], "lines": probes, "ids": sp_ids},
                          open(os.path.join(out_dir, name + ".byte-fallback.json"), "w"), ensure_ascii=False)
                print(f"{name}: with coverage and byte fallback, sentencepiece and tokenizers encode {len(probes)} lines alike and decode them back")
                continue
            # The same training written as a tiktoken file: tiktoken encodes like tokenizers.
            import tiktoken
            from tiktoken.load import load_tiktoken_bpe
            ranks = os.path.join(tmp, "trained.tiktoken")
            subprocess.run([ranks if arg == ours else arg for arg in cmd], check=True)
            side = json.load(open(ranks + ".json"))
            enc = tiktoken.Encoding(name, pat_str=side["pattern"], mergeable_ranks=load_tiktoken_bpe(ranks),
                                    special_tokens=side["special_tokens"])
            assert [enc.encode_ordinary(l) for l in lines] == [e.ids for e in reference.encode_batch(lines, add_special_tokens=False)]
            print(f"{name}: tiktoken encodes the corpus with tokenkit's .tiktoken file as tokenizers does")

wordpiece = dict(vocab_size=2500, min_frequency=0, special_tokens=["[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]"], lowercase=True)
json.dump(wordpiece, open(os.path.join(out_dir, "bert-wordpiece.options.json"), "w"), indent=1)
tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
tok.normalizer = normalizers.BertNormalizer(lowercase=wordpiece["lowercase"])
tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
tok.decoder = decoders.WordPiece()
tok.train([corpus_path], trainers.WordPieceTrainer(vocab_size=wordpiece["vocab_size"], min_frequency=wordpiece["min_frequency"],
                                                   special_tokens=wordpiece["special_tokens"], show_progress=False))
tok.save(os.path.join(out_dir, "bert-wordpiece.tokenizer.json"), pretty=False)
print(f"bert-wordpiece: vocab {tok.get_vocab_size()}")
if a.check_cli:
    with tempfile.TemporaryDirectory() as tmp:
        ours = os.path.join(tmp, "tokenizer.json")
        subprocess.run([a.check_cli, "train", "wordpiece", "--quiet", "--vocab-size", str(wordpiece["vocab_size"]), corpus_path,
                        "-o", ours], check=True)
        loaded = Tokenizer.from_file(ours)
        mine, theirs = set(loaded.get_vocab()), set(tok.get_vocab())
        print(f"bert-wordpiece: tokenizers loads tokenkit's file; vocabularies differ by {len(mine ^ theirs)} tokens")
