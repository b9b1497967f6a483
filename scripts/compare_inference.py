#!/usr/bin/env python3
"""Inference methods compared on one trained vocabulary, and the training variants (issue 6, point 5).

Trains a byte-level BPE vocabulary with `tokenkit train bpe` on the first --train-mb MB of each
of ../shared/corpus/{en,code,multi}.txt (together), then encodes the next --eval-mb MB of each
corpus (held out) with every inference method (`tokenkit bench --inference METHOD`, one
thread, no warm-up: `merges` fills its BPE piece cache during the timed pass, the other methods
have no cache) and prints a Markdown table: method × corpus → tokens per byte, fertility
(tokens per whitespace-separated word) and encoding time. `unigram` runs twice: with the Zipf
prior over the merge order, and as `unigram+counts` with log-probabilities estimated from the
training text (`--unigram-scores-from`, the merges' tokens counted).

Then the training variants at the same vocabulary size, each encoded with its own merges:
Scaffold-BPE (`train bpe --scaffold`), SuperBPE (`--superword-transition` at 75% of the
vocabulary) and Multi-Word Tokenization (BPE with 1,000 fewer tokens plus its 1,000 most
frequent 2-3 word n-grams from `train multiword`, encoded by `encode --multi-word`, whose time
is the whole command's, loading included).

usage: scripts/compare_inference.py [--cli .build/release/tokenkit] [--shared ../shared]
                                    [--vocab-size 8000] [--train-mb 2] [--eval-mb 1]
                                    [--methods merges,least-tokens,...] [--markdown FILE]

Lines are grouped into texts of about 4 KB (bench's JSON Lines input). Times are seconds of
the timed pass only (bench's "seconds"); building the segmenter counts as loading. The whole run
takes a few minutes with a release build.
"""
import argparse, json, os, subprocess, sys, tempfile, time

METHODS = ["merges", "longest-prefix", "longest-suffix", "longest-token", "least-tokens", "unigram"]
CORPORA = ["en", "code", "multi"]

ap = argparse.ArgumentParser()
ap.add_argument("--cli", default=".build/release/tokenkit")
ap.add_argument("--shared", default="../shared")
ap.add_argument("--vocab-size", type=int, default=8000)
ap.add_argument("--train-mb", type=float, default=2)
ap.add_argument("--eval-mb", type=float, default=1)
ap.add_argument("--methods", default=",".join(METHODS))
ap.add_argument("--markdown", default=None)
a = ap.parse_args()

work = tempfile.mkdtemp(prefix="tokenkit-inference-")
train_path = os.path.join(work, "train.txt")
eval_texts = {}


def whole_lines(data, start, size):
    """The lines of data[start:start + size], cut at line ends; returns (bytes, end offset)."""
    end = data.find(b"\n", start + size)
    end = len(data) if end < 0 else end + 1
    return data[start:end], end


with open(train_path, "wb") as train:
    for name in CORPORA:
        data = open(os.path.join(a.shared, "corpus", name + ".txt"), "rb").read()
        head, end = whole_lines(data, 0, int(a.train_mb * 1_000_000))
        train.write(head)
        held_out, _ = whole_lines(data, end, int(a.eval_mb * 1_000_000))
        texts, chunk = [], []
        size = 0
        for line in held_out.decode("utf-8", errors="replace").splitlines(keepends=True):
            chunk.append(line)
            size += len(line)
            if size >= 4096:
                texts.append("".join(chunk))
                chunk, size = [], 0
        if chunk:
            texts.append("".join(chunk))
        eval_texts[name] = texts

tokenizer = os.path.join(work, "bpe.tokenizer.json")
subprocess.run([a.cli, "train", "bpe", "--vocab-size", str(a.vocab_size), "--quiet", train_path, "-o", tokenizer], check=True)

inputs = {}
for name, texts in eval_texts.items():
    path = os.path.join(work, name + ".jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
    inputs[name] = path

runs = []
for method in a.methods.split(","):
    runs.append((method, [method]))
    if method == "unigram":
        runs.append(("unigram+counts", ["unigram", "--unigram-scores-from", train_path]))

rows = []
for label, options in runs:
    cells = []
    for name in CORPORA:
        out = subprocess.run([a.cli, "bench", "--tokenizer", tokenizer, "--inference"] + options +
                             ["--input", inputs[name], "--threads", "1", "--json"], check=True, capture_output=True, text=True)
        r = json.loads(out.stdout)
        words = sum(len(t.split()) for t in eval_texts[name])
        cells.append((r["tokens"] / r["bytes"], r["tokens"] / words, r["seconds"]))
    rows.append((label, cells))

# Training variants: each trained on the same text to the same vocabulary size.
variants = [("Scaffold-BPE (merges)", ["--scaffold"]),
            (f"SuperBPE, transition {int(a.vocab_size * 0.75)} (merges)", ["--superword-transition", str(int(a.vocab_size * 0.75))])]
for label, extra in variants:
    path = os.path.join(work, label.split()[0] + ".tokenizer.json")
    subprocess.run([a.cli, "train", "bpe", "--vocab-size", str(a.vocab_size), "--quiet"] + extra + [train_path, "-o", path], check=True)
    cells = []
    for name in CORPORA:
        out = subprocess.run([a.cli, "bench", "--tokenizer", path, "--input", inputs[name], "--threads", "1", "--json"],
                             check=True, capture_output=True, text=True)
        r = json.loads(out.stdout)
        words = sum(len(t.split()) for t in eval_texts[name])
        cells.append((r["tokens"] / r["bytes"], r["tokens"] / words, r["seconds"]))
    rows.append((label, cells))

ngram_count = 1000
base = os.path.join(work, "mwt-base.tokenizer.json")
ngrams = os.path.join(work, "ngrams.json")
subprocess.run([a.cli, "train", "bpe", "--vocab-size", str(a.vocab_size - ngram_count), "--quiet", train_path, "-o", base], check=True)
subprocess.run([a.cli, "train", "multiword", "--top-k", str(ngram_count), "--max-words", "3", "--quiet", train_path, "-o", ngrams], check=True)
cells = []
for name in CORPORA:
    text = "".join(eval_texts[name])
    start = time.perf_counter()
    out = subprocess.run([a.cli, "encode", "--tokenizer", base, "--multi-word", ngrams], input=text.encode(),
                         check=True, capture_output=True)
    seconds = time.perf_counter() - start
    tokens = len(out.stdout.split())
    cells.append((tokens / len(text.encode()), tokens / len(text.split()), seconds))
rows.append((f"MWT: BPE {a.vocab_size - ngram_count} + {ngram_count} n-grams", cells))

header = "| method | " + " | ".join(f"{c} tokens/byte | {c} fertility | {c} seconds" for c in CORPORA) + " |"
lines = [header, "|---|" + "---:|" * (3 * len(CORPORA))]
for method, cells in rows:
    lines.append(f"| {method} | " + " | ".join(f"{tpb:.4f} | {fert:.3f} | {sec:.3f}" for tpb, fert, sec in cells) + " |")
sizes = ", ".join(f"{n} {sum(len(t.encode()) for t in eval_texts[n]) / 1e6:.2f} MB" for n in CORPORA)
lines.append("")
lines.append(f"Byte-level BPE, {a.vocab_size} tokens, trained on the first {a.train_mb:g} MB of each corpus; "
             f"held-out text: {sizes}; one thread.")
table = "\n".join(lines)
print(table)
if a.markdown:
    open(a.markdown, "w").write(table + "\n")
