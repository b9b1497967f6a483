#!/usr/bin/env python3
"""Peak memory of BPE training on a large corpus with tens of millions of distinct words.

usage: scripts/benchmark_large_training.py [--cli .build/release/tokenkit] [--shared ../shared]
                                           [--size-mb 1024] [--vocab-size 32000] [--keep]

Builds the issue's corpus: the lines of ../shared/corpus/{en,code,multi}.txt, shuffled again
and again (seeded), each with a distinct 9-digit line number in front, up to --size-mb of
text (1 GB: about 22 million distinct words, as every number is a word of its own). Then
trains byte-level BPE on it with Tokenkit and reports the time and peak RSS (wait4) and the
number of distinct words. The corpus is written to a temporary directory and removed unless
--keep.
"""
import argparse, os, random, shutil, subprocess, tempfile, time

ap = argparse.ArgumentParser()
ap.add_argument("--cli", default=".build/release/tokenkit")
ap.add_argument("--shared", default="../shared")
ap.add_argument("--size-mb", type=int, default=1024)
ap.add_argument("--vocab-size", type=int, default=32000)
ap.add_argument("--keep", action="store_true")
a = ap.parse_args()

work = tempfile.mkdtemp(prefix="tokenkit-large-training-")
corpus = os.path.join(work, "large.txt")
lines = []
for name in ["en", "code", "multi"]:
    lines += open(os.path.join(a.shared, "corpus", name + ".txt"), encoding="utf-8").read().splitlines()
rng = random.Random(1)
target = a.size_mb << 20
written, number = 0, 0
with open(corpus, "w", encoding="utf-8") as out:
    while written < target:
        rng.shuffle(lines)
        for line in lines:
            text = f"{number:09d} {line}\n"
            number += 1
            out.write(text)
            written += len(text.encode())
            if written >= target:
                break
print(f"corpus: {written / 1e6:.0f} MB, {number} lines")

start = time.perf_counter()
p = subprocess.Popen([a.cli, "train", "bpe", "--vocab-size", str(a.vocab_size), "--quiet", corpus,
                      "-o", os.path.join(work, "tokenizer.json")])
_, status, usage = os.wait4(p.pid, 0)
seconds = time.perf_counter() - start
if status != 0:
    raise SystemExit("training failed")
print(f"Tokenkit train bpe, vocabulary {a.vocab_size}: {seconds:.1f} s, peak RSS {usage.ru_maxrss / 1024:.0f} MB")
if a.keep:
    print(f"kept in {work}")
else:
    shutil.rmtree(work)
