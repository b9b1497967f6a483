#!/usr/bin/env python3
"""Writes the Unicode test fixtures of Tests/TokenkitTests/Fixtures/unicode/ from the reference
libraries (tokenizers 0.23.3, tiktoken 0.14), so that the Swift tests need neither.

* normalization.json: strings with tokenizers' NFC/NFD/NFKC/NFKD output and the char offsets
  (into the original string) that tokenizers reports for every normalized character
  (WordLevel model + Split("[\\s\\S]", isolated) pre-tokenizer: one token per normalized char).
* properties.json: a deterministic sample of code points with, per regex flavor, the general
  category, the script, \\s \\w \\d membership and the (?i) equivalents probed from each engine,
  and the tokenizers character predicates probed from the corresponding components.

Usage: python3 scripts/generate_unicode_fixtures.py
"""

import json
import os
import random
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate_unicode_tables as g  # noqa: E402
from tokenizers import normalizers, pre_tokenizers  # noqa: E402
import tokenizers  # noqa: E402

OUT = os.path.join(g.ROOT, "Tests", "TokenkitTests", "Fixtures", "unicode")
FORMS = ["NFC", "NFD", "NFKC", "NFKD"]


def cps(s):
    return [ord(c) for c in s]


def normalization_cases(rng):
    strs = []
    per_cp = g.probe_per_codepoint_normalization()
    decomposable = sorted(c for c in per_cp["NFKD"] if not (0xAC00 <= c <= 0xD7A3))
    # single code points with decompositions (every other one), alone or after a letter
    for i, c in enumerate(decomposable[::2]):
        strs.append(chr(c) if i % 2 else "a" + chr(c))
    # Hangul syllables and jamo sequences
    for c in rng.sample(range(0xAC00, 0xD7A4), 150):
        strs.append(chr(c))
    for _ in range(150):
        s = "".join(chr(rng.choice(list(range(0x1100, 0x1113)) + list(range(0x1161, 0x1176))
                                   + list(range(0x11A7, 0x11C3)) + [0xAC00, 0xAC1C, 0x61]))
                    for _ in range(rng.randint(2, 5)))
        strs.append(s)
    # runs of marks in scrambled order after a base
    marks = [c for c in range(0x300, 0x370)] + [0x0323, 0x0327, 0x0328, 0x031B, 0x0345, 0x05B0, 0x05C1,
                                                 0x0F71, 0x0F72, 0x0F74, 0x0F80, 0x0E38, 0x0E48, 0x1DFA,
                                                 0x302A, 0x302B, 0x3099, 0x309A, 0x0334, 0x20D0, 0x1D165]
    bases = "aeiouAEIOUnscyzkgCSZ" + "\u0391\u03b1\u03c9\u0415\u0438\u304b\u30cf\u0627\u05d0\u0f40"
    for _ in range(600):
        s = rng.choice(bases) + "".join(chr(rng.choice(marks)) for _ in range(rng.randint(1, 5)))
        if rng.random() < 0.3:
            s = "".join(chr(rng.choice(marks)) for _ in range(rng.randint(1, 2))) + s
        strs.append(s)
    # compatibility characters in context
    compat = [0xFB01, 0xFB03, 0x2126, 0x212B, 0x1E9B, 0x01C4, 0x3392, 0x33AF, 0xFDFA, 0x2474, 0x00BD,
              0x1FEE, 0x1E0B, 0x1E9B, 0x0385, 0x2002, 0xFF21, 0x32FF, 0xA7F2, 0x11938, 0x0F77, 0x0F79]
    for _ in range(300):
        s = "".join(chr(rng.choice(compat + [0x61, 0x20, 0x0301, 0x0323])) for _ in range(rng.randint(1, 5)))
        strs.append(s)
    # the generator's random mix (letters, marks, decomposables, composition pairs, Hangul, …)
    model, _ = g.build_normalization_model(per_cp)
    strs += g.random_strings(model, rng, 1500)
    # dedupe, keep order
    seen, out = set(), []
    for s in strs:
        if s not in seen:
            seen.add(s)
            out.append(s)
    cases = []
    offs = {f: g.reference_offsets(f, out) for f in FORMS}
    for i, s in enumerate(out):
        case = {"input": cps(s)}
        for f in FORMS:
            norm = g.NORMALIZERS[f].normalize_str(s)
            o = offs[f][i]
            if len(o) != len(norm):
                raise SystemExit("token count != normalized length for %r" % s)
            case[f.lower()] = {"output": cps(norm), "offsets": [x for pair in o for x in pair]}
        cases.append(case)
    return cases


def property_samples(rng):
    sample = set(range(0, 0x300)) | set(rng.sample(g.ALL, 2500))
    sample |= {0x1C89, 0x1C8A, 0x212A, 0x017F, 0x1E9E, 0x00DF, 0x0130, 0x0131, 0x03A3, 0x03C2, 0x03C3,
               0x200C, 0x200D, 0x00B2, 0x00BC, 0x30FC, 0x3042, 0x30A2, 0x4E00, 0x20000, 0xE000, 0x10FFFD,
               0x10FFFF, 0xFFFD, 0x0378, 0x16D70, 0x11DE0, 0x1F600, 0x0345, 0x0399, 0x1FBE, 0xA7CB, 0x10D50}
    sample = sorted(c for c in sample if not (0xD800 <= c <= 0xDFFF))
    subject = "".join(chr(c) for c in sample)
    res = {"flavors": {}, "tokenizers": {}}
    for f in g.FLAVORS:
        gc = {}
        for name in g.GC_NAMES:
            if name == "Cs":
                continue
            for c in g.engine_matches(f, r"\p{%s}+" % name, subject):
                gc[c] = name
        script = {}
        for long, _ in g.SCRIPTS:
            pat = r"\p{%s}+" % long
            if not g.engine_accepts(f, pat):
                continue
            for c in g.engine_matches(f, pat, subject):
                script[c] = long
        perl = {k: sorted(g.engine_matches(f, pat + "+", subject)) for k, pat in g.PERL_CLASSES.items()}
        res["flavors"][f] = {
            "generalCategory": [gc[c] for c in sample],
            "script": [script.get(c, "") for c in sample],
            "s": perl["s"], "w": perl["w"], "d": perl["d"],
        }
    # (?i) equivalents for a set of cased characters, probed one pattern at a time against a pool
    pool = sorted({c for c in sample if chr(c).lower() != chr(c) or chr(c).upper() != chr(c)}
                  | {0x73, 0x53, 0x17F, 0x6B, 0x4B, 0x212A, 0x3A3, 0x3C2, 0x3C3, 0x1E9E, 0xDF, 0x1C89, 0x1C8A,
                     0x130, 0x131, 0x69, 0x49, 0x345, 0x399, 0x3B9, 0x1FBE, 0x1C4, 0x1C5, 0x1C6, 0xB5, 0x39C, 0x3BC})
    cands = set()
    for c in g.ALL:
        ch = chr(c)
        for m in (ch.lower(), ch.upper(), ch.casefold()):
            if len(m) == 1 and (ord(m) in pool or c in pool):
                cands.add(c)
                cands.add(ord(m))
    cands |= set(pool)
    pool_subject = "\x01".join(chr(c) for c in sorted(cands))
    case = {}
    for f in g.FLAVORS:
        m = {}
        for c in pool:
            pat = "(?i)" + g.esc(c)
            if f == "oniguruma":
                hit = {ord(p) for p, _ in g.onig_pieces(pat, pool_subject) if len(p) == 1}
            else:
                hit = set(map(ord, g.rust_matched_text(pat, pool_subject)))
            m[str(c)] = sorted(hit - {c})
        case[f] = m
    res["caseEquivalents"] = case
    res["sample"] = sample
    # tokenizers predicates on the sample (probed the same way as the generator, on the sample only)
    t = res["tokenizers"]
    kept = {ord(ch) for p, _ in pre_tokenizers.WhitespaceSplit().pre_tokenize_str(subject) for ch in p}
    t["whitespace"] = [c for c in sample if c not in kept]
    outs = g.strip_each(normalizers.StripAccents(), [chr(c) for c in sample])
    t["combiningMark"] = [c for c, o in zip(sample, outs) if o == ""]
    bn = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False, strip_accents=True, lowercase=False)
    per_nfd = g.probe_per_codepoint_normalization()["NFD"]
    stable = [c for c in sample if c not in per_nfd and c != ord("|")]
    outs = g.strip_each(bn, [chr(c) for c in stable], sep="|")
    t["nonspacingMark"] = [c for c, o in zip(stable, outs) if o == ""]
    t["nfdStable"] = stable
    bn = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=False, strip_accents=False, lowercase=False)
    outs = g.strip_each(bn, [chr(c) for c in sample], sep="|")
    t["bertControl"] = [c for c, o in zip(sample, outs) if o == ""]
    outs = g.strip_each(normalizers.Lowercase(), [chr(c) for c in sample])
    t["lowercase"] = {str(c): cps(o) for c, o in zip(sample, outs) if o != chr(c)}
    ns = tokenizers.NormalizedString(g.SEP.join(chr(c) for c in sample if c != 1) + g.SEP)
    ns.uppercase()
    ups = ns.normalized.split(g.SEP)[:-1]
    t["uppercase"] = {str(c): cps(o) for c, o in zip([c for c in sample if c != 1], ups) if o != chr(c)}
    pieces = pre_tokenizers.BertPreTokenizer().pre_tokenize_str("".join("a" + chr(c) for c in sample) + "a")
    t["punctuation"] = sorted({ord(p) for p, _ in pieces if len(p) == 1 and p != "a"})
    pieces = pre_tokenizers.Digits(individual_digits=True).pre_tokenize_str("".join("a" + chr(c) for c in sample) + "a")
    t["numeric"] = sorted({ord(p) for p, _ in pieces if len(p) == 1 and p != "a"})
    # UnicodeScripts: the pieces of a few mixed strings
    texts = ["Hello世界こんにちはカタカナー!", "abc 123 αβγ где", "日本語のテキスト、です。", "a\u0301b\u0915\u093f x",
             "x" + "".join(chr(c) for c in sample[::7]), "".join(chr(c) for c in sample[3::5])]
    t["unicodeScripts"] = [{"input": cps(s), "pieces": [list(o) for _, o in
                                                     pre_tokenizers.UnicodeScripts().pre_tokenize_str(s)]} for s in texts]
    return res


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(4242)
    cases = normalization_cases(rng)
    path = os.path.join(OUT, "normalization.json")
    with open(path, "w") as f:
        f.write('{"tokenizers": "%s", "cases": [\n' % tokenizers.__version__)
        f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in cases))
        f.write("\n]}\n")
    print("wrote %s (%d cases, %d bytes)" % (path, len(cases), os.path.getsize(path)))
    props = property_samples(random.Random(99))
    path = os.path.join(OUT, "properties.json")
    with open(path, "w") as f:
        json.dump(props, f, separators=(",", ":"), sort_keys=True)
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


if __name__ == "__main__":
    main()
