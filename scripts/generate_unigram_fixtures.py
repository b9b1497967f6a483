#!/usr/bin/env python3
"""Trains Unigram models with SentencePiece on the training fixture corpus, as the reference for
Tokenkit's Unigram trainer (Tests/TokenkitTests/Fixtures/training/).

usage: scripts/generate_unigram_fixtures.py [--corpus DIR] [--check-cli .build/release/tokenkit]

Reads corpus.txt (written by generate_training_fixtures.py) and writes:
  heldout.txt                    ~48 KB of text the models are not trained on: the last lines of
                                 DIR/{en,code,multi}.txt (default ../shared/corpus); kept as is
                                 when DIR is missing
  unigram-NAME.options.json      the trainer settings
  unigram-NAME.reference.json    what SentencePiece trains with them: its version, the pieces in
                                 id order, and the tokens it encodes heldout.txt into (line by
                                 line) with the bytes of that text

SentencePiece runs with every sentence in file order (input_sentence_size=0,
shuffle_input_sentence=False; its default would sample) and one thread (the reduction order of
its EM depends on the thread count), the settings Tokenkit reproduces.

With --check-cli, also trains each configuration with `tokenkit train unigram` (-o x.model and
-o x.json) and checks that sentencepiece loads the .model, tokenizers loads the .json, both
encode heldout.txt to the ids `tokenkit encode` gives with either file, and Tokenkit's tokens per
byte are within 1% of SentencePiece's.
"""
import argparse, io, json, os, subprocess, sys, tempfile

import sentencepiece as spm

here = os.path.dirname(os.path.abspath(__file__))
out_dir = os.path.join(here, "..", "Tests", "TokenkitTests", "Fixtures", "training")
ap = argparse.ArgumentParser()
ap.add_argument("--corpus", default=os.path.join(here, "..", "..", "shared", "corpus"))
ap.add_argument("--check-cli", default=None)
a = ap.parse_args()

CONFIGS = {
    # spm_train's defaults.
    "unigram-default": dict(vocab_size=2000, character_coverage=0.9995, byte_fallback=False, user_defined_symbols=[],
                            control_symbols=[], split_digits=False),
    # Byte fallback, a lower coverage (more characters become unknown), extra special pieces.
    "unigram-bytes": dict(vocab_size=1500, character_coverage=0.99, byte_fallback=True, user_defined_symbols=["<mask>"],
                          control_symbols=["<sep>"], split_digits=True),
}


def tail(path, size):
    lines = open(path, encoding="utf-8").read().splitlines(keepends=True)
    kept, n = [], 0
    for line in reversed(lines):
        kept.append(line); n += len(line.encode())
        if n >= size: break
    return "".join(reversed(kept))


corpus_path = os.path.join(out_dir, "corpus.txt")
heldout_path = os.path.join(out_dir, "heldout.txt")
if os.path.isdir(a.corpus):
    text = "".join(tail(os.path.join(a.corpus, f), 16_000) for f in ("en.txt", "code.txt", "multi.txt"))
    open(heldout_path, "w", encoding="utf-8", newline="").write(text)
heldout = open(heldout_path, encoding="utf-8").read().splitlines()
heldout_bytes = sum(len(line.encode()) for line in heldout)


def train(options):
    model = io.BytesIO()
    extra = {key: options[key] for key in ("user_defined_symbols", "control_symbols") if options[key]}
    spm.SentencePieceTrainer.train(input=corpus_path, model_writer=model, model_type="unigram",
                                   vocab_size=options["vocab_size"], character_coverage=options["character_coverage"],
                                   byte_fallback=options["byte_fallback"], split_digits=options["split_digits"],
                                   input_sentence_size=0, shuffle_input_sentence=False, num_threads=1, minloglevel=2, **extra)
    return model.getvalue()


def tokens(processor):
    return sum(len(ids) for ids in processor.encode(heldout))


for name, options in CONFIGS.items():
    json.dump(options, open(os.path.join(out_dir, name + ".options.json"), "w"), indent=1)
    model = train(options)
    assert model == train(options), f"{name}: SentencePiece is not deterministic on this configuration"
    sp = spm.SentencePieceProcessor(model_proto=model)
    reference = dict(sentencepiece=spm.__version__, heldout_tokens=tokens(sp), heldout_bytes=heldout_bytes,
                     pieces=[sp.id_to_piece(i) for i in range(sp.get_piece_size())])
    json.dump(reference, open(os.path.join(out_dir, name + ".reference.json"), "w", encoding="utf-8"), ensure_ascii=False, indent=0)
    print(f"{name}: {sp.get_piece_size()} pieces, {reference['heldout_tokens']} tokens for {heldout_bytes} held-out bytes "
          f"({reference['heldout_tokens'] / heldout_bytes:.4f} per byte)")

    if a.check_cli:
        from tokenizers import Tokenizer
        with tempfile.TemporaryDirectory() as tmp:
            outputs = {}
            for ext in ("model", "json"):
                outputs[ext] = os.path.join(tmp, "trained." + ext)
                cmd = [a.check_cli, "train", "unigram", "--quiet", "--vocab-size", str(options["vocab_size"]),
                       "--character-coverage", str(options["character_coverage"]), corpus_path, "-o", outputs[ext]]
                if options["byte_fallback"]: cmd.append("--byte-fallback")
                if options["split_digits"]: cmd.append("--split-digits")
                for s in options["user_defined_symbols"]: cmd += ["--user-defined-symbol", s]
                for s in options["control_symbols"]: cmd += ["--special-token", s]
                subprocess.run(cmd, check=True)
            ours = spm.SentencePieceProcessor(model_file=outputs["model"])
            spm_ids = ours.encode(heldout)
            hf_ids = [e.ids for e in Tokenizer.from_file(outputs["json"]).encode_batch(heldout, add_special_tokens=False)]
            requests = "".join(json.dumps({"text": line}) + "\n" for line in heldout)
            for ext, path in outputs.items():
                run = subprocess.run([a.check_cli, "encode", "--tokenizer", path, "--jsonl"], input=requests.encode(),
                                     capture_output=True, check=True)
                tk_ids = [json.loads(line)["ids"] for line in run.stdout.decode().splitlines()]
                expected = spm_ids if ext == "model" else hf_ids
                bad = [i for i, (x, y) in enumerate(zip(tk_ids, expected)) if x != y]
                assert len(tk_ids) == len(expected) and not bad, f"{name}: tokenkit encode with the .{ext} differs at lines {bad[:5]}"
            differ = [i for i, (x, y) in enumerate(zip(spm_ids, hf_ids)) if x != y]
            # The .model and the .json are the same vocabulary; sentencepiece sums scores in single
            # precision and tokenizers in double, so near ties may differ: report them.
            ratio = sum(map(len, spm_ids)) / reference["heldout_tokens"]
            overlap = len(set(ours.id_to_piece(i) for i in range(ours.get_piece_size())) & set(reference["pieces"]))
            print(f"{name}: tokenkit's .model loads in sentencepiece, its .json in tokenizers; tokenkit encode agrees with both; "
                  f".model and .json differ on {len(differ)} of {len(heldout)} lines; tokens/byte {ratio:.4f}× SentencePiece's; "
                  f"{overlap} of {len(reference['pieces'])} pieces shared")
            assert abs(ratio - 1) <= 0.01, f"{name}: tokens per byte {ratio:.4f}× SentencePiece's"
