#!/usr/bin/env python3
"""Independent recomputation of `tokenkit eval`'s core numbers with the reference libraries.

For cl100k_base (tiktoken, from ../shared/tokenizers/cl100k_base.tiktoken and its sidecar) and
mistral-v1 (Hugging Face `tokenizers`, from mistral-v1.tokenizer.json) it computes, on the first
lines of ../shared/corpus/{en,code,multi}.txt and of every ../shared/corpus/parallel/LANG.txt:

- lines, bytes (UTF-8), characters (code points), tokens, whitespace words (len(str.split())),
  segmented words (the rule of TokenkitEvaluation's WordSegmentation, re-implemented here),
  tokens per byte and fertility (tokens per whitespace word);
- the parity premium of every language against en: the sum of its tokens over the lines that are
  non-empty in both files, divided by the sum of en's tokens over the same lines;
- vocabulary health: the ids whose text, encoded alone, does not give them back (the rule of
  TokenkitEvaluation's VocabularyHealth, re-implemented here) and the ids whose bytes are not
  valid UTF-8 on their own, for these two and qwen3.tiktoken.

Definitions are those of the README's `tokenkit eval` section: one document per line (split on
"\\n", a trailing "\\n" ends the last line), encoded without special tokens (tiktoken:
encode(text, disallowed_special=()); tokenizers: encode(text, add_special_tokens=False), no
truncation or padding).

Writes Tests/TokenkitTests/Fixtures/evaluation/reference.json, which EvaluationReferenceTests
compares with TokenkitEvaluation (token counts exactly, ratios to 1e-9).

Usage: python3 scripts/evaluate_reference.py [--shared ../shared] [--corpus-lines 1000] [--parallel-lines 200]
"""
import argparse
import json
import os
import unicodedata

import tiktoken
import tiktoken.load
import tokenizers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read_lines(path, limit):
    with open(path, "rb") as f:
        data = f.read()
    parts = data.split(b"\n")
    if data.endswith(b"\n"):
        parts.pop()
    return [p.decode("utf-8", errors="replace") for p in parts[:limit]]


UNSPACED = [
    (0x0E00, 0x0E7F), (0x0E80, 0x0EFF), (0x0F00, 0x0FFF), (0x1000, 0x109F), (0x1780, 0x17FF), (0x19E0, 0x19FF),
    (0x2E80, 0x2FDF), (0x3005, 0x3007), (0x3021, 0x3029), (0x3038, 0x303B), (0x3040, 0x309F), (0x30A0, 0x30FF),
    (0x31F0, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xA000, 0xA4CF), (0xA9E0, 0xA9FF), (0xAA60, 0xAA7F),
    (0xF900, 0xFAFF), (0xFF66, 0xFF9F), (0x1B000, 0x1B16F), (0x20000, 0x3134F),
]


def unspaced(c):
    return any(lo <= c <= hi for lo, hi in UNSPACED)


def segmented_word_count(text):
    """Letters/marks/numbers form words; each letter or number of an unspaced script is a word."""
    count, in_word, single = 0, False, False
    for ch in text:
        cat = unicodedata.category(ch)
        if cat[0] in "LN":
            if unspaced(ord(ch)):
                count, in_word, single = count + 1, True, True
            elif not in_word or single:
                count, in_word, single = count + 1, True, False
        elif cat[0] == "M":
            if not in_word:
                count, in_word, single = count + 1, True, False
        else:
            in_word, single = False, False
    return count


def tiktoken_health(encoding):
    """Unreachable and invalid-UTF-8 ids of a tiktoken encoding (special tokens aside)."""
    unreachable, invalid = [], []
    for rank in range(encoding.n_vocab):
        if rank in encoding._special_tokens.values():
            continue
        try:
            data = encoding.decode_single_token_bytes(rank)
        except KeyError:
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            invalid.append(rank)
            continue
        if encoding.encode(text, disallowed_special=()) == [rank]:
            continue
        if text.startswith(" ") and encoding.encode(text[1:], disallowed_special=()) == [rank]:
            continue
        unreachable.append(rank)
    return unreachable, invalid


def sentencepiece_style_health(hf):
    """The same for a tokenizer.json whose pieces use the ▁ word marker and <0xNN> byte fallback:
    a piece's text has ▁ as a space; a piece without ▁ is also reachable when the model alone
    segments it into itself (the pipeline prepends ▁ to every text)."""
    added = set(hf.get_added_tokens_decoder().keys())
    unk = hf.token_to_id(hf.model.unk_token) if getattr(hf.model, "unk_token", None) else None
    unreachable, invalid = [], []
    for i in range(hf.get_vocab_size(with_added_tokens=False)):
        piece = hf.id_to_token(i)
        if i in added or i == unk or piece is None:
            continue
        if len(piece) == 6 and piece.startswith("<0x") and piece.endswith(">"):
            continue
        text = piece.replace("\u2581", " ")

        def encodes(s):
            return hf.encode(s, add_special_tokens=False).ids == [i]
        if encodes(text) or (text.startswith(" ") and encodes(text[1:])):
            continue
        if not piece.startswith("\u2581") and [t.id for t in hf.model.tokenize(piece)] == [i]:
            continue
        unreachable.append(i)
    return unreachable, invalid


def load_tiktoken(directory, name):
    path = os.path.join(directory, name + ".tiktoken")
    with open(path + ".json") as f:
        sidecar = json.load(f)
    return tiktoken.Encoding(
        name=name, pat_str=sidecar["pattern"],
        mergeable_ranks=tiktoken.load.load_tiktoken_bpe(path), special_tokens=sidecar.get("special_tokens", {}))


def load_tokenizers(shared):
    directory = os.path.join(shared, "tokenizers")
    encoding = load_tiktoken(directory, "cl100k_base")
    qwen3 = load_tiktoken(directory, "qwen3")
    hf = tokenizers.Tokenizer.from_file(os.path.join(directory, "mistral-v1.tokenizer.json"))
    hf.no_truncation()
    hf.no_padding()
    counters = {
        "cl100k_base": lambda text: len(encoding.encode(text, disallowed_special=())),
        "mistral-v1": lambda text: len(hf.encode(text, add_special_tokens=False).ids),
    }
    # qwen3 (whose split pattern leaves many tokens unreachable) for the vocabulary check only.
    health = {"cl100k_base": lambda: tiktoken_health(encoding), "mistral-v1": lambda: sentencepiece_style_health(hf),
              "qwen3": lambda: tiktoken_health(qwen3)}
    return counters, health


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=os.path.join(os.path.dirname(ROOT), "shared"))
    parser.add_argument("--corpus-lines", type=int, default=1000)
    parser.add_argument("--parallel-lines", type=int, default=200)
    parser.add_argument("--output", default=os.path.join(ROOT, "Tests/TokenkitTests/Fixtures/evaluation/reference.json"))
    args = parser.parse_args()
    counters, health = load_tokenizers(args.shared)
    corpus_dir = os.path.join(args.shared, "corpus")
    result = {"corpus_lines": args.corpus_lines, "parallel_lines": args.parallel_lines, "reference_language": "en",
              "metrics": [], "parity": [], "vocabulary": []}
    corpora = {name: read_lines(os.path.join(corpus_dir, name + ".txt"), args.corpus_lines) for name in ("en", "code", "multi")}
    parallel_dir = os.path.join(corpus_dir, "parallel")
    languages = sorted(n[:-4] for n in os.listdir(parallel_dir) if n.endswith(".txt") and len(n) > 4)
    parallel = {lang: read_lines(os.path.join(parallel_dir, lang + ".txt"), args.parallel_lines) for lang in languages}
    for name, count in counters.items():
        for corpus, lines in corpora.items():
            tokens = sum(count(line) for line in lines)
            nbytes = sum(len(line.encode("utf-8")) for line in lines)
            words = sum(len(line.split()) for line in lines)
            result["metrics"].append({
                "tokenizer": name, "corpus": corpus, "lines": len(lines), "bytes": nbytes,
                "characters": sum(len(line) for line in lines), "tokens": tokens, "whitespace_words": words,
                "segmented_words": sum(segmented_word_count(line) for line in lines),
                "tokens_per_byte": tokens / nbytes if nbytes else 0.0, "fertility": tokens / words if words else 0.0,
            })
        reference = [count(line) for line in parallel["en"]]
        for lang in languages:
            lines = parallel[lang]
            if len(lines) != len(parallel["en"]):
                continue
            tokens = ref_tokens = aligned = 0
            for i, line in enumerate(lines):
                if line and parallel["en"][i]:
                    aligned += 1
                    tokens += count(line)
                    ref_tokens += reference[i]
            result["parity"].append({"tokenizer": name, "language": lang, "aligned_lines": aligned, "tokens": tokens,
                                     "reference_tokens": ref_tokens, "premium": tokens / ref_tokens if ref_tokens else 0.0})
    for name, check in health.items():
        unreachable, invalid = check()
        result["vocabulary"].append({"tokenizer": name, "unreachable": unreachable, "invalid_utf8": invalid})
    os.makedirs(os.path.dirname(args.output), exist_ok=True)
    with open(args.output, "w") as f:
        json.dump(result, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {args.output}: {len(result['metrics'])} corpus rows, {len(result['parity'])} parity rows, "
          + ", ".join(f"{v['tokenizer']} {len(v['unreachable'])} unreachable, {len(v['invalid_utf8'])} not UTF-8" for v in result["vocabulary"]))


if __name__ == "__main__":
    main()
