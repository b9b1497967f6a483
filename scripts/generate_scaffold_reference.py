#!/usr/bin/env python3
"""Reference data for Tokenkit's Scaffold-BPE trainer from TkTkT's implementation.

usage: python3 scripts/generate_scaffold_reference.py CORPUS.txt VOCAB_SIZE OUT.json

Needs tktkt (PyPI; tested with tktkt 2026.10.0 and its backend pickybpe_bauwenst 1.3.1). A
plain `pip install tktkt` does not resolve; in a venv:
    pip install --no-deps tktkt==2026.10.0 pickybpe_bauwenst==1.3.1 modest_bauwenst heapdict numpy tqdm regex
    pip install "datasets<5" "transformers<5" langcodes dacite bpe_knockout torch
Not a test dependency: the output is committed as
Tests/TokenkitTests/Fixtures/training/scaffold-tktkt.json, made from the corpus.txt beside it
with VOCAB_SIZE 600.

Words: each line is split on whitespace, only words of ASCII letters are kept (so that
pre-tokenization and character sets cannot differ), and without a run of three equal
letters (TkTkT counts the pairs of "aaa" without overlap, tokenizers-style trainers with).
TkTkT adds its start-of-word marker "Ġ" to each word as its own first symbol; the word
counts written out include it, so Tokenkit trains on exactly the same counts.

TkTkT departs from the paper in ways Tokenkit does not follow: characters can become
scaffolds, a scaffold never comes back, ties between equally frequent pairs are broken by
heap order, the "next best pair" is read before the counts are updated. The script breaks
ties as Tokenkit does (below) and records `comparable_merges`: the merges before the first
one whose scaffold decisions would change with updated counts. Within them the merge order
and the merged tokens that first become scaffolds (at which merge) must be the same;
characters and scaffolds coming back are left out of the comparison.
"""
import json, re, sys, tempfile
from collections import Counter
from pathlib import Path

import tktkt.paths
from tktkt.interfaces.preprocessors import Preprocessor
from tktkt.preparation.splitters import PretokeniserSequence, OnWhitespace, AddWordBoundary
from tktkt.preparation.boundaries import BoundaryMarker, BoundaryMarkerLocation
from tktkt.models.bpe.scaffold import ScaffoldBPEVocabulariser, _ChizhovBackend_ScaffoldBPE
from pickybpe.vocabularisation import CountingObjective

corpus, vocab_size, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
words = Counter()
for line in open(corpus, encoding="utf-8", errors="replace"):
    for w in line.split():
        if re.fullmatch(r"[A-Za-z]+", w) and not re.search(r"(.)\1\1", w):
            words[w] += 1

steps = []        # one per merge: {"pair", "count", "tied", "flags": [...], "stale_agrees"}
pending = []
original_scrutinize = _ChizhovBackend_ScaffoldBPE._scrutinize_parent_after_merge
original_update = _ChizhovBackend_ScaffoldBPE._update_pairs_on_merge


def scrutinize(self, parent, child, pair_frequency, state):
    top = state.pairs.get_argmax_objective()
    before = len(self._scaffolds_and_causes.get(parent.str, []))
    original_scrutinize(self, parent, child, pair_frequency, state)
    pending.append(dict(parent=parent.str, freq=parent.freq, atomic=parent.atomic, already=before > 0,
                        flagged=len(self._scaffolds_and_causes.get(parent.str, [])) > before))


def update(self, new_token, pair, created, state):
    original_update(self, new_token, pair, created, state)
    # After the update: the count of the paper's "next best pair".
    counts = state.pairs.counts
    fresh = -min(counts._minheap.values()) if len(counts._minheap) else 0
    steps.append(dict(result=new_token.str, flags=[e["parent"] for e in pending if e["flagged"] and not e["atomic"] and not e["already"]],
                      stale_agrees=all((e["freq"] < fresh) == e["flagged"] for e in pending if not e["atomic"] and not e["already"])))
    pending.clear()


# Ties between equally frequent pairs: TkTkT takes whichever its heap holds first; here it
# takes the pair Tokenkit (and tokenizers) would, the smallest (first id, second id) with
# Tokenkit's ids (the characters by code point, then each new merged string in order), so
# that the two runs can be compared over every merge. `ties` records which merges were tied.
ids = {}
ties = []


def pop_argmax_objective(self):
    heap = self.counts._minheap
    if not ids:
        for character in sorted({c for w in words for c in "Ġ" + w}):
            ids[character] = len(ids)
    best = -heap.peekitem()[1]
    tied = [pair for pair, negative in heap.items() if -negative == best]
    pair = min(tied, key=lambda p: (ids[p[0].str], ids[p[1].str]))
    ties.append(len(tied) > 1)
    freq, score = self.pop(pair)
    merged = pair[0].str + pair[1].str
    ids.setdefault(merged, len(ids))
    return pair, freq, score


CountingObjective.pop_argmax_objective = pop_argmax_objective
_ChizhovBackend_ScaffoldBPE._scrutinize_parent_after_merge = scrutinize
_ChizhovBackend_ScaffoldBPE._update_pairs_on_merge = update

marker = BoundaryMarker("Ġ", detached=True, location=BoundaryMarkerLocation.START)
pre = Preprocessor(splitter=PretokeniserSequence([OnWhitespace(destructive=True), AddWordBoundary(marker)]))
tktkt.paths.setTkTkToutputRoot(Path(tempfile.mkdtemp()))
artifacts = ScaffoldBPEVocabulariser(pre, vocab_size, 1.0, 64).vocabulariseFromCounter(words, name="reference")
merges = [list(m) for m in artifacts.getMerges()]
assert len(merges) == len(steps) and len(ties) >= len(steps), (len(merges), len(steps), len(ties))

comparable = 0
for step in steps:
    if not step["stale_agrees"]:
        break
    comparable += 1
json.dump({
    "source": "TkTkT Scaffold-BPE (tktkt 2026.10.0, pickybpe_bauwenst 1.3.1), scripts/generate_scaffold_reference.py",
    "corpus": Path(corpus).name, "vocab_size": vocab_size,
    "word_counts": {"Ġ" + w: c for w, c in sorted(words.items())},
    "merges": merges, "comparable_merges": comparable,
    "tied_merges": sum(ties[:comparable]),
    "first_scaffolds": [[i, t] for i, s in enumerate(steps) for t in s["flags"]],
}, open(out, "w"), ensure_ascii=False, indent=0)
print(f"{len(words)} words, {len(merges)} merges, {comparable} comparable, "
      f"{sum(len(s['flags']) for s in steps[:comparable])} scaffolds among them")
