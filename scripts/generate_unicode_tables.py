#!/usr/bin/env python3
"""Generates Tokenkit's Unicode tables by PROBING the reference libraries.

The reference libraries do not agree on one Unicode version, and Python's own
`unicodedata` matches none of them, so every table below is extracted from the
library whose behaviour Tokenkit must reproduce:

* regex properties (general categories, scripts, \\s \\w \\d, binary
  properties, case-insensitive equivalents) from Oniguruma as bundled in the
  `tokenizers` wheel, and from the Rust `regex`/`fancy-regex` engine bundled in
  `tiktoken`;
* canonical combining classes, decompositions and compositions from the
  `unicode-normalization-alignments` crate inside `tokenizers` (probed through
  the NFC/NFD/NFKC/NFKD normalizers);
* character predicates of other `tokenizers` components (WhitespaceSplit,
  Digits, Lowercase, uppercase, BertPreTokenizer, StripAccents,
  BertNormalizer, UnicodeScripts).

`unicodedata` is only used to propose candidates (e.g. the order of a
decomposition, the members of a case class) which are then verified against
the reference; every mismatch fails loudly.

Usage:  python3 scripts/generate_unicode_tables.py [--no-cache] [--quick]
Writes: Sources/Tokenkit/Unicode/Generated/*.swift
Deterministic: same library versions => byte-identical output.
"""

import argparse
import base64
import hashlib
import os
import pickle
import random
import sys
import time
import unicodedata

import tiktoken
import tokenizers
from tokenizers import Regex, normalizers, pre_tokenizers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "Sources", "Tokenkit", "Unicode", "Generated")

EXPECTED_VERSIONS = {"tokenizers": "0.23.3", "tiktoken": "0.14"}

ALL = [c for c in range(0x110000) if not (0xD800 <= c <= 0xDFFF)]
SURROGATES = list(range(0xD800, 0xE000))
BIG = "".join(map(chr, ALL))

GC_NAMES = "Lu Ll Lt Lm Lo Mn Mc Me Nd Nl No Pc Pd Ps Pe Pi Pf Po Sm Sc Sk So Zs Zl Zp Cc Cf Cs Co Cn".split()
GC_LONG = [
    "Uppercase_Letter", "Lowercase_Letter", "Titlecase_Letter", "Modifier_Letter", "Other_Letter",
    "Nonspacing_Mark", "Spacing_Mark", "Enclosing_Mark", "Decimal_Number", "Letter_Number",
    "Other_Number", "Connector_Punctuation", "Dash_Punctuation", "Open_Punctuation",
    "Close_Punctuation", "Initial_Punctuation", "Final_Punctuation", "Other_Punctuation",
    "Math_Symbol", "Currency_Symbol", "Modifier_Symbol", "Other_Symbol", "Space_Separator",
    "Line_Separator", "Paragraph_Separator", "Control", "Format", "Surrogate", "Private_Use",
    "Unassigned",
]
GC_GROUPS = {  # short, long, members
    "L": ("Letter", ["Lu", "Ll", "Lt", "Lm", "Lo"]),
    "LC": ("Cased_Letter", ["Lu", "Ll", "Lt"]),
    "M": ("Mark", ["Mn", "Mc", "Me"]),
    "N": ("Number", ["Nd", "Nl", "No"]),
    "P": ("Punctuation", ["Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po"]),
    "S": ("Symbol", ["Sm", "Sc", "Sk", "So"]),
    "Z": ("Separator", ["Zs", "Zl", "Zp"]),
    "C": ("Other", ["Cc", "Cf", "Cs", "Co", "Cn"]),
}

# Unicode 16 scripts: (long name, ISO 15924 short name).
SCRIPTS = [
    ("Adlam", "Adlm"), ("Caucasian_Albanian", "Aghb"), ("Ahom", "Ahom"), ("Arabic", "Arab"),
    ("Imperial_Aramaic", "Armi"), ("Armenian", "Armn"), ("Avestan", "Avst"), ("Balinese", "Bali"),
    ("Bamum", "Bamu"), ("Bassa_Vah", "Bass"), ("Batak", "Batk"), ("Bengali", "Beng"),
    ("Bhaiksuki", "Bhks"), ("Bopomofo", "Bopo"), ("Brahmi", "Brah"), ("Braille", "Brai"),
    ("Buginese", "Bugi"), ("Buhid", "Buhd"), ("Chakma", "Cakm"), ("Canadian_Aboriginal", "Cans"),
    ("Carian", "Cari"), ("Cham", "Cham"), ("Cherokee", "Cher"), ("Chorasmian", "Chrs"),
    ("Coptic", "Copt"), ("Cypro_Minoan", "Cpmn"), ("Cypriot", "Cprt"), ("Cyrillic", "Cyrl"),
    ("Devanagari", "Deva"), ("Dives_Akuru", "Diak"), ("Dogra", "Dogr"), ("Deseret", "Dsrt"),
    ("Duployan", "Dupl"), ("Egyptian_Hieroglyphs", "Egyp"), ("Elbasan", "Elba"), ("Elymaic", "Elym"),
    ("Ethiopic", "Ethi"), ("Garay", "Gara"), ("Georgian", "Geor"), ("Glagolitic", "Glag"),
    ("Gunjala_Gondi", "Gong"), ("Masaram_Gondi", "Gonm"), ("Gothic", "Goth"), ("Grantha", "Gran"),
    ("Greek", "Grek"), ("Gujarati", "Gujr"), ("Gurung_Khema", "Gukh"), ("Gurmukhi", "Guru"),
    ("Hangul", "Hang"), ("Han", "Hani"), ("Hanunoo", "Hano"), ("Hatran", "Hatr"),
    ("Hebrew", "Hebr"), ("Hiragana", "Hira"), ("Anatolian_Hieroglyphs", "Hluw"),
    ("Pahawh_Hmong", "Hmng"), ("Nyiakeng_Puachue_Hmong", "Hmnp"), ("Katakana_Or_Hiragana", "Hrkt"),
    ("Old_Hungarian", "Hung"), ("Old_Italic", "Ital"), ("Javanese", "Java"), ("Kayah_Li", "Kali"),
    ("Katakana", "Kana"), ("Kawi", "Kawi"), ("Kharoshthi", "Khar"), ("Khmer", "Khmr"),
    ("Khojki", "Khoj"), ("Khitan_Small_Script", "Kits"), ("Kannada", "Knda"), ("Kirat_Rai", "Krai"),
    ("Kaithi", "Kthi"), ("Tai_Tham", "Lana"), ("Lao", "Laoo"), ("Latin", "Latn"),
    ("Lepcha", "Lepc"), ("Limbu", "Limb"), ("Linear_A", "Lina"), ("Linear_B", "Linb"),
    ("Lisu", "Lisu"), ("Lycian", "Lyci"), ("Lydian", "Lydi"), ("Mahajani", "Mahj"),
    ("Makasar", "Maka"), ("Mandaic", "Mand"), ("Manichaean", "Mani"), ("Marchen", "Marc"),
    ("Medefaidrin", "Medf"), ("Mende_Kikakui", "Mend"), ("Meroitic_Cursive", "Merc"),
    ("Meroitic_Hieroglyphs", "Mero"), ("Malayalam", "Mlym"), ("Modi", "Modi"), ("Mongolian", "Mong"),
    ("Mro", "Mroo"), ("Meetei_Mayek", "Mtei"), ("Multani", "Mult"), ("Myanmar", "Mymr"),
    ("Nag_Mundari", "Nagm"), ("Nandinagari", "Nand"), ("Old_North_Arabian", "Narb"),
    ("Nabataean", "Nbat"), ("Newa", "Newa"), ("Nko", "Nkoo"), ("Nushu", "Nshu"), ("Ogham", "Ogam"),
    ("Ol_Chiki", "Olck"), ("Ol_Onal", "Onao"), ("Old_Turkic", "Orkh"), ("Oriya", "Orya"),
    ("Osage", "Osge"), ("Osmanya", "Osma"), ("Old_Uyghur", "Ougr"), ("Palmyrene", "Palm"),
    ("Pau_Cin_Hau", "Pauc"), ("Old_Permic", "Perm"), ("Phags_Pa", "Phag"),
    ("Inscriptional_Pahlavi", "Phli"), ("Psalter_Pahlavi", "Phlp"), ("Phoenician", "Phnx"),
    ("Miao", "Plrd"), ("Inscriptional_Parthian", "Prti"), ("Rejang", "Rjng"),
    ("Hanifi_Rohingya", "Rohg"), ("Runic", "Runr"), ("Samaritan", "Samr"),
    ("Old_South_Arabian", "Sarb"), ("Saurashtra", "Saur"), ("SignWriting", "Sgnw"),
    ("Shavian", "Shaw"), ("Sharada", "Shrd"), ("Siddham", "Sidd"), ("Khudawadi", "Sind"),
    ("Sinhala", "Sinh"), ("Sogdian", "Sogd"), ("Old_Sogdian", "Sogo"), ("Sora_Sompeng", "Sora"),
    ("Soyombo", "Soyo"), ("Sundanese", "Sund"), ("Sunuwar", "Sunu"), ("Syloti_Nagri", "Sylo"),
    ("Syriac", "Syrc"), ("Tagbanwa", "Tagb"), ("Takri", "Takr"), ("Tai_Le", "Tale"),
    ("New_Tai_Lue", "Talu"), ("Tamil", "Taml"), ("Tangut", "Tang"), ("Tai_Viet", "Tavt"),
    ("Telugu", "Telu"), ("Tifinagh", "Tfng"), ("Tagalog", "Tglg"), ("Thaana", "Thaa"),
    ("Thai", "Thai"), ("Tibetan", "Tibt"), ("Tirhuta", "Tirh"), ("Tangsa", "Tnsa"),
    ("Todhri", "Todr"), ("Toto", "Toto"), ("Tulu_Tigalari", "Tutg"), ("Ugaritic", "Ugar"),
    ("Vai", "Vaii"), ("Vithkuqi", "Vith"), ("Warang_Citi", "Wara"), ("Wancho", "Wcho"),
    ("Old_Persian", "Xpeo"), ("Cuneiform", "Xsux"), ("Yezidi", "Yezi"), ("Yi", "Yiii"),
    ("Zanabazar_Square", "Zanb"), ("Inherited", "Zinh"), ("Common", "Zyyy"), ("Unknown", "Zzzz"),
]
BINARY_PROPS = ["Alphabetic", "Uppercase", "Lowercase", "White_Space"]
PERL_CLASSES = {"s": r"\s", "w": r"\w", "d": r"\d"}
# POSIX bracket expressions: Unicode-aware in Oniguruma, ASCII-only in the regex crate.
PERL_CLASSES.update({name: "[[:%s:]]" % name for name in
                     ["alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print",
                      "punct", "space", "upper", "word", "xdigit"]})

FLAVORS = ["oniguruma", "rustRegex"]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def fail(msg):
    raise SystemExit("generate_unicode_tables: VERIFICATION FAILED: " + msg)


# ----------------------------------------------------------------------------
# Probe cache (keyed on library versions; never changes the output)
# ----------------------------------------------------------------------------

class Cache:
    def __init__(self, path):
        self.path = path
        self.data = {}
        if path and os.path.exists(path):
            with open(path, "rb") as f:
                self.data = pickle.load(f)

    def get(self, key, fn):
        if self.path is None:
            return fn()
        if key not in self.data:
            self.data[key] = fn()
        return self.data[key]

    def save(self):
        if self.path:
            tmp = self.path + ".tmp"
            with open(tmp, "wb") as f:
                pickle.dump(self.data, f)
            os.replace(tmp, self.path)


CACHE = Cache(None)

# ----------------------------------------------------------------------------
# Regex probes
# ----------------------------------------------------------------------------


def _subject_key(subject):
    return hashlib.sha1(subject.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def onig_matches(pattern, subject=BIG):
    """Set of code points of `subject` covered by matches of `pattern` (Oniguruma in tokenizers)."""
    def run():
        sp = pre_tokenizers.Split(Regex(pattern), behavior="removed", invert=True)
        return frozenset(ord(ch) for piece, _ in sp.pre_tokenize_str(subject) for ch in piece)
    return CACHE.get(("onig", pattern, _subject_key(subject)), run)


def onig_pieces(pattern, subject):
    sp = pre_tokenizers.Split(Regex(pattern), behavior="removed", invert=True)
    return [(p, o) for p, o in sp.pre_tokenize_str(subject)]


def rust_encoding(pattern):
    return tiktoken.Encoding("probe", pat_str=pattern,
                             mergeable_ranks={bytes([i]): i for i in range(256)}, special_tokens={})


def rust_matched_text(pattern, subject):
    enc = rust_encoding(pattern)
    return enc.decode_bytes(enc.encode_ordinary(subject)).decode("utf-8")


def rust_matches(pattern, subject=BIG):
    def run():
        return frozenset(map(ord, rust_matched_text(pattern, subject)))
    return CACHE.get(("rust", pattern, _subject_key(subject)), run)


def engine_matches(flavor, pattern, subject=BIG):
    return (onig_matches if flavor == "oniguruma" else rust_matches)(pattern, subject)


def engine_accepts(flavor, pattern):
    try:
        if flavor == "oniguruma":
            pre_tokenizers.Split(Regex(pattern), behavior="removed", invert=True).pre_tokenize_str("a")
        else:
            rust_encoding(pattern).encode_ordinary("a")
        return True
    except Exception:
        return False


def to_ranges(cps):
    cps = sorted(cps)
    out = []
    for c in cps:
        if out and out[-1][1] + 1 == c:
            out[-1][1] = c
        else:
            out.append([c, c])
    return [tuple(r) for r in out]


def hexlist(cps, n=12):
    cps = sorted(cps)
    s = ", ".join("U+%04X" % c for c in cps[:n])
    return s + (" … (%d total)" % len(cps) if len(cps) > n else "")


def probe_regex_properties(flavor):
    log("[regex:%s] general categories" % flavor)
    props = {}
    all_set = set(ALL)
    for gc in GC_NAMES:
        pat = r"\p{%s}+" % gc
        if not engine_accepts(flavor, pat):
            fail("%s rejects \\p{%s}" % (flavor, gc))
        s = set(engine_matches(flavor, pat))
        if gc == "Cs":
            if s:
                fail("Cs matched non-surrogates")
            s = set(SURROGATES)  # cannot be probed (not encodable); by definition
        props["gc:" + gc] = s
    seen = set()
    for gc in GC_NAMES:
        if seen & props["gc:" + gc]:
            fail("%s: general categories overlap at %s" % (flavor, gc))
        seen |= props["gc:" + gc]
    if seen != all_set | set(SURROGATES):
        fail("%s: general categories do not cover the code space: %s" % (flavor, hexlist(all_set - seen)))
    for g, (_, members) in GC_GROUPS.items():
        probed = set(engine_matches(flavor, r"\p{%s}+" % g))
        union = set().union(*(props["gc:" + m] for m in members)) - set(SURROGATES)
        if probed != union:
            fail("%s: \\p{%s} != union of %s" % (flavor, g, members))
    log("[regex:%s] perl classes, binary properties" % flavor)
    for k, pat in PERL_CLASSES.items():
        props["perl:" + k] = set(engine_matches(flavor, "%s+" % pat))
    for b in BINARY_PROPS:
        pat = r"\p{%s}+" % b
        if not engine_accepts(flavor, pat):
            fail("%s rejects \\p{%s}" % (flavor, b))
        props["bin:" + b] = set(engine_matches(flavor, pat))
    log("[regex:%s] scripts" % flavor)
    assigned = "".join(chr(c) for c in ALL if c not in props["gc:Cn"] and c not in props["gc:Co"])
    rejected = []
    for long, short in SCRIPTS:
        pat = r"\p{%s}+" % long
        if not engine_accepts(flavor, pat):
            rejected.append(long)
            continue
        if long == "Unknown":
            props["sc:" + long] = set(engine_matches(flavor, pat))
        else:
            props["sc:" + long] = set(engine_matches(flavor, pat, assigned))
    # Scripts (minus Katakana_Or_Hiragana, which is empty by definition) must partition.
    seen = set()
    for long, _ in SCRIPTS:
        s = props.get("sc:" + long)
        if s is None:
            continue
        if seen & s:
            fail("%s: scripts overlap at %s: %s" % (flavor, long, hexlist(seen & s)))
        seen |= s
    if "sc:Unknown" in props and seen != all_set:
        fail("%s: scripts do not cover the code space: %s" % (flavor, hexlist(all_set - seen)))
    return props, rejected


# ----------------------------------------------------------------------------
# Case-insensitive equivalents
# ----------------------------------------------------------------------------

def esc(c):
    return r"\x{%X}" % c


def probe_case_classes(flavor, props):
    log("[regex:%s] case folding" % flavor)
    cand = set()
    for c in ALL:
        ch = chr(c)
        maps = {ch.lower(), ch.upper(), ch.casefold(), ch.title()}
        if any(m != ch for m in maps):
            cand.add(c)
            for m in maps:
                if len(m) == 1:
                    cand.add(ord(m))
    for k in ("gc:Lu", "gc:Ll", "gc:Lt", "bin:Uppercase", "bin:Lowercase"):
        cand |= props[k]
    cand = sorted(cand)
    # Coverage: any character outside `cand` that matches a case-insensitive class of cand?
    cls = "[" + "".join(esc(c) for c in cand) + "]"
    wide = set(engine_matches(flavor, "(?i)%s+" % cls))
    extra = wide - set(cand)
    if extra:
        log("  adding %d characters found by the coverage probe: %s" % (len(extra), hexlist(extra)))
        cand = sorted(set(cand) | extra)
    subject = "\x01".join(chr(c) for c in cand)
    classes = {}
    for c in cand:
        pat = "(?i)" + esc(c)
        if flavor == "oniguruma":
            m = {ord(p) for p, _ in onig_pieces(pat, subject) if len(p) == 1}
        else:
            m = set(map(ord, rust_matched_text(pat, subject)))
        if c not in m:
            fail("%s: (?i)U+%04X does not match itself" % (flavor, c))
        classes[c] = frozenset(m)
    # Must be an equivalence relation.
    for c, m in classes.items():
        for d in m:
            if classes[d] != m:
                fail("%s: case equivalence not symmetric/transitive at U+%04X / U+%04X" % (flavor, c, d))
    uniq = sorted({m for m in classes.values() if len(m) > 1}, key=lambda s: min(s))
    return [sorted(m) for m in uniq]


def probe_case_questions():
    """Answers for the report: multi-character folding and (?i) contractions."""
    res = {}
    tests = [("(?i)ss", "ß"), ("(?i)ß", "ss"), ("(?i)ß", "SS"), ("(?i)ß", "ẞ"), ("(?i)ff", "ﬀ"),
             ("(?i)ﬀ", "ff"), ("(?i)st", "ﬆ"), ("(?i)k", "\u212a"), ("(?i)s", "\u017f"),
             ("(?i)i", "\u0130"), ("(?i)\u0131", "I")]
    for pat, subj in tests:
        o = "".join(p for p, _ in onig_pieces(pat, subj))
        r = rust_matched_text(pat, subj)
        res[(pat, subj)] = (o, r)
    pat = "(?i:'s|'t|'re|'ve|'m|'ll|'d)"
    subj = "".join("'" + chr(c) + "\x01" for c in ALL)
    o = {p for p, _ in onig_pieces(pat, subj)}
    r = set(rust_matched_text(pat, subj).split("'")) - {""}
    r = {"'" + x for x in r}
    res["contractions1"] = (sorted(x for x in o if not x.isascii()), sorted(x for x in r if not x.isascii()))
    # two-letter alternatives with non-ASCII equivalents of r/e/v/l
    letters = {}
    for c in ALL:
        for base in "revl":
            if chr(c).lower() == base or chr(c).casefold() == base or chr(c).upper() == base.upper():
                letters.setdefault(base, set()).add(chr(c))
    subj2 = []
    for a, b in [("r", "e"), ("v", "e"), ("l", "l")]:
        for x in letters.get(a, {a}) | {a, a.upper(), "\u212a"}:
            for y in letters.get(b, {b}) | {b, b.upper()}:
                subj2.append("'" + x + y + "\x01")
    subj2 = "".join(subj2)
    o2 = {p for p, _ in onig_pieces(pat, subj2)}
    res["contractions2"] = sorted(x for x in o2 if not x.isascii())
    return res


# ----------------------------------------------------------------------------
# Normalization (unicode-normalization-alignments inside tokenizers)
# ----------------------------------------------------------------------------

NORMALIZERS = {"NFD": normalizers.NFD(), "NFKD": normalizers.NFKD(),
               "NFC": normalizers.NFC(), "NFKC": normalizers.NFKC()}
SEP = "\x01"  # starter, ccc 0, no decomposition, composes with nothing

S_BASE, L_BASE, V_BASE, T_BASE = 0xAC00, 0x1100, 0x1161, 0x11A7
L_COUNT, V_COUNT, T_COUNT = 19, 21, 28
N_COUNT = V_COUNT * T_COUNT
S_COUNT = L_COUNT * N_COUNT


def is_hangul_syllable(c):
    return S_BASE <= c < S_BASE + S_COUNT


def hangul_decompose(c):
    si = c - S_BASE
    l = L_BASE + si // N_COUNT
    v = V_BASE + (si % N_COUNT) // T_COUNT
    t = T_BASE + si % T_COUNT
    return [l, v] if t == T_BASE else [l, v, t]


def normalize_each(form, strs):
    """Normalizes every string of `strs` separately (batched through one call)."""
    n = NORMALIZERS[form]
    bad = [i for i, s in enumerate(strs) if SEP in s]
    if bad:
        out = normalize_each(form, [s for s in strs if SEP not in s])
        it = iter(out)
        return [n.normalize_str(s) if SEP in s else next(it) for s in strs]
    res = []
    CH = 200000
    for i in range(0, len(strs), CH):
        chunk = strs[i:i + CH]
        parts = n.normalize_str(SEP.join(chunk) + SEP).split(SEP)
        if len(parts) != len(chunk) + 1:
            fail("separator interacted with %s" % form)
        res.extend(parts[:-1])
    return res


def probe_per_codepoint_normalization():
    res = {}
    for form in NORMALIZERS:
        log("[norm] probing %s of every code point" % form)
        res[form] = CACHE.get(("norm1", form), lambda: normalize_each(form, [chr(c) for c in ALL]))
    return {form: {c: [ord(x) for x in out] for c, out in zip(ALL, outs) if out != chr(c)}
            for form, outs in res.items()}


def probe_ccc(nfd):
    """Canonical combining classes of the NFD-stable characters, by reordering probes."""
    log("[norm] probing canonical combining classes")
    stable = [c for c in ALL if c not in nfd and not is_hangul_syllable(c)]

    def reordered(pairs):
        outs = normalize_each("NFD", ["".join(map(chr, p)) for p in pairs])
        return [o != "".join(map(chr, p)) for o, p in zip(outs, pairs)]

    r1, r240 = 0x0334, 0x0345
    a = reordered([(c, r1) for c in stable])        # ccc(c) > 1
    b = reordered([(r240, c) for c in stable])      # 0 < ccc(c) < 240
    nonstarters = [c for c, x, y in zip(stable, a, b) if x or y]
    # references: for each class Python knows, the first probed non-starter Python puts in that class
    py_classes = {}
    for c in nonstarters:
        k = unicodedata.combining(chr(c))
        if k and k not in py_classes:
            py_classes[k] = c
    refs = sorted(py_classes.items())  # (class, reference char)
    ccc = {}
    pairs = []
    for c in nonstarters:
        for k, r in refs:
            pairs.append((r, c))
            pairs.append((c, r))
    flags = reordered(pairs)
    i = 0
    for c in nonstarters:
        eq = []
        for k, r in refs:
            before, after = flags[i], flags[i + 1]   # r+c reordered iff k > ccc ; c+r iff ccc > k
            i += 2
            if not before and not after and r != c:
                eq.append(k)
            elif r == c:
                eq.append(k)
        if len(eq) != 1:
            fail("could not determine ccc of U+%04X (candidates %s)" % (c, eq))
        ccc[c] = eq[0]
    # consistency of the references themselves
    for k, r in refs:
        if ccc.get(r) != k:
            fail("reference U+%04X has probed class %s, expected %d" % (r, ccc.get(r), k))
    return ccc


def py_full_decomposition(c, compat):
    d = unicodedata.decomposition(chr(c))
    if not d:
        return [c]
    parts = d.split()
    if parts[0].startswith("<"):
        if not compat:
            return [c]
        parts = parts[1:]
    out = []
    for p in parts:
        out.extend(py_full_decomposition(int(p, 16), compat))
    return out


def stable_sort_marks(seq, ccc):
    out, pending = [], []
    for x in seq:
        k = ccc.get(x[0] if isinstance(x, tuple) else x, 0)
        if k == 0:
            pending.sort(key=lambda e: ccc.get(e[0] if isinstance(e, tuple) else e, 0))
            out.extend(pending)
            pending = []
            out.append(x)
        else:
            pending.append(x)
    pending.sort(key=lambda e: ccc.get(e[0] if isinstance(e, tuple) else e, 0))
    return out + pending


class NormModel:
    """Python model of unicode-normalization-alignments as used by tokenizers."""

    def __init__(self, ccc, canon, compat, pairs):
        self.ccc = ccc
        self.canon = canon      # c -> full canonical decomposition (crate order)
        self.compat = compat    # c -> full compatibility decomposition (crate order)
        self.pairs = pairs      # (a, b) -> composite

    def decompose(self, cps, compat):
        table = self.compat if compat else self.canon
        out, pending = [], []

        def flush():
            pending.sort(key=lambda e: e[0])  # stable
            out.extend((ch, chg) for _, ch, chg in pending)
            pending.clear()

        for c in cps:
            if is_hangul_syllable(c):
                d = hangul_decompose(c)
            else:
                d = table.get(c, [c])
            for i, x in enumerate(d):
                chg = 0 if i == 0 else 1
                k = self.ccc.get(x, 0)
                if k == 0:
                    flush()
                    out.append((x, chg))
                else:
                    pending.append((k, x, chg))
        flush()
        return out

    def compose_pair(self, a, b):
        if L_BASE <= a < L_BASE + L_COUNT and V_BASE <= b < V_BASE + V_COUNT:
            return S_BASE + ((a - L_BASE) * V_COUNT + (b - V_BASE)) * T_COUNT
        if is_hangul_syllable(a) and (a - S_BASE) % T_COUNT == 0 and T_BASE < b < T_BASE + T_COUNT:
            return a + (b - T_BASE)
        return self.pairs.get((a, b))

    def recompose(self, stream):
        out, buf = [], []
        composee, last = None, None
        for ch, chg in stream:
            k = self.ccc.get(ch, 0)
            if composee is None:
                if k != 0:
                    out.append((ch, chg))
                    continue
                composee = (ch, chg)
                continue
            if last is None:
                r = self.compose_pair(composee[0], ch)
                if r is not None:
                    composee = (r, composee[1] + chg - 1)
                    continue
                if k == 0:
                    out.append(composee)
                    composee = (ch, chg)
                    continue
                buf.append((ch, chg))
                last = k
            else:
                if last >= k:
                    if k == 0:
                        out.append(composee)
                        out.extend(buf)
                        buf = []
                        composee = (ch, chg)
                        last = None
                        continue
                    buf.append((ch, chg))
                    last = k
                    continue
                r = self.compose_pair(composee[0], ch)
                if r is not None:
                    composee = (r, composee[1] + chg - 1)
                    continue
                buf.append((ch, chg))
                last = k
        if composee is not None:
            out.append(composee)
        out.extend(buf)
        return out

    def normalize(self, cps, form):
        s = self.decompose(cps, form in ("NFKD", "NFKC"))
        if form in ("NFC", "NFKC"):
            s = self.recompose(s)
        return s


def offsets_from_changes(changes):
    """tokenizers' `transform` rule, in characters of the original string."""
    cursor, res = 0, []
    for chg in changes:
        if chg <= 0:
            res.append((cursor, cursor + 1))
            cursor += 1 - chg
        else:
            res.append((cursor - 1, cursor) if cursor > 0 else (0, 0))
    return res


def offset_tokenizer(form):
    from tokenizers import Tokenizer, models
    tok = Tokenizer(models.WordLevel({"[UNK]": 0}, unk_token="[UNK]"))
    tok.normalizer = NORMALIZERS[form]
    tok.pre_tokenizer = pre_tokenizers.Split(Regex(r"[\s\S]"), "isolated")
    return tok


def reference_offsets(form, strs):
    tok = offset_tokenizer(form)
    encs = tok.encode_batch(strs, add_special_tokens=False)
    return [list(e.offsets) for e in encs]


def build_normalization_model(per_cp):
    nfd, nfkd, nfc, nfkc = per_cp["NFD"], per_cp["NFKD"], per_cp["NFC"], per_cp["NFKC"]
    ccc = probe_ccc(nfd)
    log("[norm] %d non-starters" % len(ccc))
    canon, compat = {}, {}
    unordered = []
    for table, probe, is_compat in ((canon, nfd, False), (compat, nfkd, True)):
        for c, out in probe.items():
            if is_hangul_syllable(c):
                if out != hangul_decompose(c):
                    fail("Hangul U+%04X decomposes to %s" % (c, out))
                continue
            cand = py_full_decomposition(c, is_compat)
            if stable_sort_marks(cand, ccc) != out:
                fail("decomposition of U+%04X: unicodedata %s does not reorder to probed %s" % (c, cand, out))
            if cand != out:
                unordered.append(c)
            table[c] = cand
    for c in canon:
        if c not in compat:
            fail("U+%04X has a canonical but no compatibility decomposition" % c)
    log("[norm] %d canonical, %d compatibility decompositions (%d not in canonical order)"
        % (len(canon), len(compat), len(unordered)))
    # composition pairs: one-level canonical decompositions of length 2 that NFC recomposes
    cands = []
    for c in canon:
        d = unicodedata.decomposition(chr(c))
        if d and not d.startswith("<"):
            parts = [int(p, 16) for p in d.split()]
            if len(parts) == 2:
                cands.append((c, parts[0], parts[1]))
    outs = normalize_each("NFC", [chr(a) + chr(b) for _, a, b in cands])
    pairs = {}
    exclusions = []
    for (c, a, b), o in zip(cands, outs):
        if o == chr(c):
            pairs[(a, b)] = c
        else:
            exclusions.append(c)
    log("[norm] %d composition pairs, %d excluded two-char decompositions" % (len(pairs), len(exclusions)))
    model = NormModel(ccc, canon, compat, pairs)
    return model, unordered


def verify_normalization(model, per_cp, unordered, quick):
    # 1) every single code point, every form
    log("[norm] verifying every code point")
    for form, probe in per_cp.items():
        for c in ALL:
            got = [x for x, _ in model.normalize([c], form)]
            exp = probe.get(c, [c])
            if got != exp:
                fail("%s(U+%04X): model %s, tokenizers %s" % (form, c, got, exp))
    # 2) random strings
    rng = random.Random(20240601)
    strs = random_strings(model, rng, 40000 if quick else 300000)
    log("[norm] verifying %d random strings" % len(strs))
    for form in NORMALIZERS:
        outs = normalize_each(form, strs)
        for s, o in zip(strs, outs):
            got = "".join(chr(x) for x, _ in model.normalize([ord(ch) for ch in s], form))
            if got != o:
                fail("%s(%s): model %r, tokenizers %r" % (form, [hex(ord(c)) for c in s], got, o))
    # 3) alignments (offsets), with a prefix so that inserted characters are visible
    offset_strs = ["a" + chr(c) for c in sorted(set().union(*[set(p) for p in per_cp.values()]))]
    offset_strs += ["a" + chr(c) + "b" for c in unordered]
    offset_strs += strs[: (5000 if quick else 60000)]
    log("[norm] verifying alignments of %d strings" % len(offset_strs))
    for form in NORMALIZERS:
        ref = reference_offsets(form, offset_strs)
        for s, r in zip(offset_strs, ref):
            out = model.normalize([ord(ch) for ch in s], form)
            got = offsets_from_changes([chg for _, chg in out])
            if [tuple(x) for x in r] != got:
                fail("%s offsets of %s: model %s, tokenizers %s" % (form, [hex(ord(c)) for c in s], got, r))
    log("[norm] all verifications passed")


def random_strings(model, rng, n):
    marks = sorted(model.ccc)
    decomposable = sorted(set(model.compat))
    pair_firsts = sorted({a for a, _ in model.pairs})
    pair_seconds = sorted({b for _, b in model.pairs})
    letters = [ord(c) for c in "aeiouAEIOUcnsyzkgCNS"] + list(range(0x391, 0x3A9)) + list(range(0x410, 0x430))
    hangul = [0xAC00, 0xAC01, 0xD7A3, 0xB098] + list(range(0x1100, 0x1113)) + list(range(0x1161, 0x1176)) \
        + list(range(0x11A7, 0x11C4)) + [0x3131, 0x314F]
    special = [0x0B47, 0x0B3E, 0x0B57, 0x0CC6, 0x0CD5, 0x0DD9, 0x0DCF, 0x1025, 0x102E, 0x0FB2, 0x0F80,
               0x0F71, 0x0F72, 0x0F74, 0x0344, 0x0340, 0x0F73, 0x0F75, 0x0F81, 0x1DFA, 0x0345, 0x0399,
               0x03B9, 0x1FBE, 0x00A8, 0x0385, 0x1FED, 0x2126, 0x212B, 0x0020, 0x0301, 0x0300]
    pools = [(letters, 5), (marks, 6), (decomposable, 3), (pair_firsts, 3), (pair_seconds, 3),
             (hangul, 2), (special, 2), ([0x61, 0x62, 0x20], 1)]
    weights = [w for _, w in pools]
    out = []
    for _ in range(n):
        length = rng.randint(1, 8)
        s = []
        for _ in range(length):
            pool = rng.choices(pools, weights)[0][0]
            s.append(chr(rng.choice(pool)))
        out.append("".join(s))
    return out


def quick_check_flags(model, per_cp):
    """bit0 NFD, bit1 NFKD, bit2 NFC, bit3 NFKC: the scalar can never change under that form;
    bit4: the scalar is the second element of some composition pair (Hangul V/T included)."""
    seconds = {b for _, b in model.pairs} | set(range(V_BASE, V_BASE + V_COUNT)) | set(range(T_BASE + 1, T_BASE + T_COUNT))
    flags = {}
    for c in ALL:
        f = 0
        if model.ccc.get(c, 0) == 0:
            if c not in per_cp["NFD"]:
                f |= 1
            if c not in per_cp["NFKD"]:
                f |= 2
            if c not in seconds:
                if c not in per_cp["NFC"]:
                    f |= 4
                if c not in per_cp["NFKC"]:
                    f |= 8
        if c in seconds:
            f |= 16
        if f:
            flags[c] = f
    return flags


def verify_quick_check(model, flags):
    rng = random.Random(7)
    for bit, form in ((1, "NFD"), (2, "NFKD"), (4, "NFC"), (8, "NFKC")):
        safe = [c for c, f in flags.items() if f & bit]
        tricky = [c for c in safe if c in model.canon or c in model.compat or any(c == a for a, _ in model.pairs)]
        pool = tricky + rng.sample(safe, 2000)
        for _ in range(20000):
            s = [rng.choice(pool) for _ in range(rng.randint(1, 6))]
            out = model.normalize(s, form)
            if [x for x, _ in out] != s or any(chg for _, chg in out):
                fail("quick check wrong for %s on %s" % (form, [hex(c) for c in s]))


# ----------------------------------------------------------------------------
# Other tokenizers character properties
# ----------------------------------------------------------------------------

def probe_tokenizers_properties(regex_props):
    log("[tok] probing tokenizers character predicates")
    res = {}
    # char::is_whitespace: WhitespaceSplit drops exactly those characters.
    kept = {ord(ch) for p, _ in pre_tokenizers.WhitespaceSplit().pre_tokenize_str(BIG) for ch in p}
    res["whitespace"] = set(ALL) - kept
    # char::is_numeric: Digits(individual_digits=True) isolates each numeric char.
    subj = "".join("a" + chr(c) for c in ALL) + "a"
    pieces = pre_tokenizers.Digits(individual_digits=True).pre_tokenize_str(subj)
    numeric = set()
    for p, _ in pieces:
        if len(p) == 1 and p != "a":
            numeric.add(ord(p))
        elif "a" not in p and len(p) > 1:
            fail("Digits produced %r" % p)
    res["numeric"] = numeric
    # Punctuation as BertPreTokenizer sees it (is_ascii_punctuation || is_punctuation).
    subj = "".join("a" + chr(c) for c in ALL) + "a"
    pieces = pre_tokenizers.BertPreTokenizer().pre_tokenize_str(subj)
    punct, present = set(), set()
    for p, _ in pieces:
        for ch in p:
            present.add(ord(ch))
        if len(p) == 1 and p != "a":
            punct.add(ord(p))
    bert_ws = set(ALL) - present
    if bert_ws != res["whitespace"]:
        fail("BertPreTokenizer whitespace != WhitespaceSplit whitespace")
    res["punctuation"] = punct
    # is_combining_mark of unicode-normalization-alignments: StripAccents removes them (no NFD inside).
    outs = strip_each(normalizers.StripAccents(), [chr(c) for c in ALL])
    res["combiningMark"] = {c for c, o in zip(ALL, outs) if o == ""}
    for c, o in zip(ALL, outs):
        if o not in ("", chr(c)):
            fail("StripAccents mapped U+%04X to %r" % (c, o))
    # BertNormalizer clean_text: removed (control) / mapped to ' ' (whitespace).
    bn = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=False, strip_accents=False, lowercase=False)
    outs = strip_each(bn, [chr(c) for c in ALL], sep="|")
    res["bertControl"] = {c for c, o in zip(ALL, outs) if o == ""}
    res["bertWhitespace"] = {c for c, o in zip(ALL, outs) if o == " " and c != 0x20} | {0x20}
    for c, o in zip(ALL, outs):
        if o not in ("", " ", chr(c)):
            fail("BertNormalizer(clean_text) mapped U+%04X to %r" % (c, o))
    bn = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=True, strip_accents=False, lowercase=False)
    outs = strip_each(bn, [chr(c) for c in ALL], sep="|")
    res["chinese"] = {c for c, o in zip(ALL, outs) if o == " " + chr(c) + " "}
    for c, o in zip(ALL, outs):
        if o not in (chr(c), " " + chr(c) + " "):
            fail("BertNormalizer(chinese) mapped U+%04X to %r" % (c, o))
    # Lowercase normalizer (char::to_lowercase), NormalizedString.uppercase (char::to_uppercase)
    outs = strip_each(normalizers.Lowercase(), [chr(c) for c in ALL])
    res["lower"] = {c: [ord(x) for x in o] for c, o in zip(ALL, outs) if o != chr(c)}
    ns = tokenizers.NormalizedString(SEP.join(chr(c) for c in ALL if c != 1) + SEP)
    ns.uppercase()
    ups = ns.normalized.split(SEP)[:-1]
    res["upper"] = {c: [ord(x) for x in o] for c, o in zip([c for c in ALL if c != 1], ups) if o != chr(c)}
    res["scriptID"] = probe_unicode_scripts(regex_props)
    return res


def probe_bert_nonspacing(nfd):
    """unicode_categories::is_mark_nonspacing, as BertNormalizer(strip_accents=True) applies it after NFD."""
    log("[tok] probing BertNormalizer(strip_accents)")
    bn = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False, strip_accents=True, lowercase=False)
    stable = [c for c in ALL if c not in nfd and c != ord("|")]
    outs = strip_each(bn, [chr(c) for c in stable], sep="|")
    res = set()
    for c, o in zip(stable, outs):
        if o == "":
            res.add(c)
        elif o != chr(c):
            fail("BertNormalizer(strip_accents) mapped U+%04X to %r" % (c, o))
    for c in nfd:
        if unicodedata.category(chr(c)) == "Mn":
            res.add(c)
    return res


def strip_each(norm, strs, sep=SEP):
    assert all(sep not in s for s in strs if s != sep)
    idx = [i for i, s in enumerate(strs) if s == sep]
    rest = [s for s in strs if s != sep]
    parts = norm.normalize_str(sep.join(rest) + sep).split(sep)
    if len(parts) != len(rest) + 1:
        fail("separator interacted with %r" % norm)
    parts = parts[:-1]
    it = iter(parts)
    out = []
    for s in strs:
        out.append(norm.normalize_str(s) if s == sep else next(it))
    return out


def split_points(subject):
    """Character offsets at which UnicodeScripts starts a new piece."""
    pieces = pre_tokenizers.UnicodeScripts().pre_tokenize_str(subject)
    return {o[0] for _, o in pieces}


def probe_unicode_scripts(regex_props):
    log("[tok] probing UnicodeScripts")
    # 1) 'Any' characters never split and never become the last script.
    subj = []
    for c in ALL:
        subj.append("a" + chr(c) + "\u03b1" + chr(c))
    subj = "".join(subj)
    sp = split_points(subj)
    anyset = set()
    for i, c in enumerate(ALL):
        if (4 * i + 1) not in sp and (4 * i + 3) not in sp:
            anyset.add(c)
    # 2) group the others, guided by the regex Script table
    script_of = {}
    for long, _ in SCRIPTS:
        for c in regex_props.get("sc:" + long, ()):
            script_of[c] = long
    pending = [c for c in ALL if c not in anyset]

    def same(pairs):
        s = "".join(chr(a) + chr(b) for a, b in pairs)
        sp = split_points(s)
        return [(2 * i + 1) not in sp for i in range(len(pairs))]

    # candidate representatives: the first character of each regex script
    first = {}
    for c in pending:
        first.setdefault(script_of.get(c, "?"), c)
    cands = sorted(first.values())
    eqs = same([(a, b) for a in cands for b in cands if a != b])
    eqmap, i = {}, 0
    for a in cands:
        for b in cands:
            if a != b:
                eqmap[(a, b)] = eqs[i]
                i += 1
    reps, ids = [], {}
    for a in cands:
        for gid, r in enumerate(reps):
            if eqmap[(r, a)]:
                ids[a] = gid + 1
                break
        else:
            reps.append(a)
            ids[a] = len(reps)
    script_gid = {k: ids[c] for k, c in first.items()}
    # every character against the representative of its regex script
    todo = [c for c in pending if c not in ids]
    res = same([(reps[script_gid[script_of.get(c, "?")] - 1], c) for c in todo])
    todo = [c for c, ok in zip(todo, res) if not ok or ids.setdefault(c, script_gid[script_of.get(c, "?")]) is None]
    # the rest against every representative; unmatched characters found new groups
    while todo:
        res = same([(r, c) for c in todo for r in reps])
        nxt = []
        for j, c in enumerate(todo):
            hits = [g + 1 for g in range(len(reps)) if res[j * len(reps) + g]]
            if hits:
                ids[c] = hits[0]
            else:
                nxt.append(c)
        if nxt:
            reps.append(nxt[0])
            ids[nxt[0]] = len(reps)
            nxt = nxt[1:]
        todo = nxt
    # 3) verify: representatives pairwise distinct, every char equal to its representative
    pairs = [(reps[i], reps[j]) for i in range(len(reps)) for j in range(len(reps)) if i != j]
    if any(same(pairs)):
        fail("UnicodeScripts representatives are not distinct")
    pairs = [(reps[ids[c] - 1], c) for c in pending] + [(c, reps[ids[c] - 1]) for c in pending]
    if not all(same(pairs)):
        fail("UnicodeScripts grouping inconsistent")
    # Name the ids by the regex script most of their members belong to, for readability/stability
    names = {}
    for gid in range(1, len(reps) + 1):
        members = [c for c in pending if ids[c] == gid]
        counts = {}
        for c in members:
            counts[script_of.get(c, "?")] = counts.get(script_of.get(c, "?"), 0) + 1
        names[gid] = (max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0], min(members))
    # Renumber deterministically: by smallest member code point.
    order = sorted(names, key=lambda g: names[g][1])
    renum = {g: i + 1 for i, g in enumerate(order)}
    out = {c: renum[ids[c]] for c in pending}
    labels = {renum[g]: names[g][0] for g in names}
    log("[tok] UnicodeScripts: %d groups, %d 'Any' characters" % (len(reps), len(anyset)))
    return out, labels


# ----------------------------------------------------------------------------
# Encoding helpers and Swift emission
# ----------------------------------------------------------------------------

def varint(n, out):
    if n < 0:
        raise ValueError(n)
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return


def encode_ranges(cps, out):
    rs = to_ranges(cps)
    varint(len(rs), out)
    prev = 0
    for lo, hi in rs:
        varint(lo - prev, out)
        varint(hi - lo, out)
        prev = hi + 1


def two_stage(values, width):
    """values: dict cp -> int (default 0). Returns bytes: nBlocks(u16) stage1(4352*u16) blocks."""
    blocks, index, stage1 = [], {}, []
    for hi in range(0x110000 >> 8):
        blk = tuple(values.get((hi << 8) | lo, 0) for lo in range(256))
        if blk not in index:
            index[blk] = len(blocks)
            blocks.append(blk)
        stage1.append(index[blk])
    out = bytearray()
    out += len(blocks).to_bytes(2, "little")
    for s in stage1:
        out += s.to_bytes(2, "little")
    for blk in blocks:
        for v in blk:
            out += v.to_bytes(width, "little")
    return bytes(out)


def swift_blob(name, data, comment=""):
    b64 = base64.b64encode(bytes(data)).decode("ascii")
    lines = [b64[i:i + 160] for i in range(0, len(b64), 160)]
    body = "\n".join("        " + l for l in lines)
    c = "    /// %s\n" % comment if comment else ""
    return '%s    static let %s: StaticString = """\n%s\n        """\n' % (c, name, body)


HEADER = """// GENERATED FILE — DO NOT EDIT.
// Produced by scripts/generate_unicode_tables.py from tokenizers %s and tiktoken %s
// (tables probed from the libraries themselves, not from Python's unicodedata).
// Blobs are base64; see UnicodeTableSupport.swift for the formats.
""" % (tokenizers.__version__, tiktoken.__version__)


def write_swift(filename, text):
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, filename)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    log("wrote %s (%d bytes)" % (os.path.relpath(path, ROOT), len(text.encode())))


def emit_regex_tables(props, rejected, case_classes, diffs):
    # Set keys in a fixed order.
    keys = ["gc:" + g for g in GC_NAMES] + ["perl:" + k for k in PERL_CLASSES] + \
        ["bin:" + b for b in BINARY_PROPS] + ["sc:" + long for long, _ in SCRIPTS]
    sets, set_index = [], {}
    idx = {f: [] for f in FLAVORS}
    for k in keys:
        for f in FLAVORS:
            s = props[f].get(k)
            if s is None:
                idx[f].append(0)
                continue
            fs = frozenset(s)
            if fs not in set_index:
                set_index[fs] = len(sets)
                sets.append(fs)
            idx[f].append(set_index[fs] + 1)
    blob = bytearray()
    varint(len(sets), blob)
    for s in sets:
        encode_ranges(s, blob)
    varint(len(keys), blob)
    for f in FLAVORS:
        for v in idx[f]:
            varint(v, blob)
    for f in FLAVORS:
        classes = case_classes[f]
        varint(len(classes), blob)
        for cl in classes:
            varint(len(cl), blob)
            prev = 0
            for c in cl:
                varint(c - prev, blob)
                prev = c
    gc_index = {g: i for i, g in enumerate(GC_NAMES)}
    gcv = {}
    for g in GC_NAMES:
        for c in props["oniguruma"]["gc:" + g]:
            gcv[c] = gc_index[g]
    gc_table = two_stage(gcv, 1)
    same = all(idx["oniguruma"][i] == idx["rustRegex"][i] for i in range(len(keys)))
    notes = ["// Flavor comparison (Oniguruma in tokenizers vs the Rust regex crate in tiktoken), probed on every code point:"]
    if not diffs:
        notes.append("//   identical: every set below is shared by both flavors.")
    else:
        notes.append("//   identical except (everything else is one shared table):")
        for d in diffs:
            notes.append("//   - " + d)
    notes.append("//   property names rejected: oniguruma %s; rustRegex %s" %
                 (rejected["oniguruma"] or "none", rejected["rustRegex"] or "none"))
    text = HEADER + "\n".join(notes) + "\n\n"
    text += "enum UnicodeGeneratedRegexTables {\n"
    def loose(n):
        return n.replace(" ", "").replace("_", "").replace("-", "").lower()
    text += "    /// Key layout: general categories (UCD order) at 0..<30, then \\s \\w \\d, then the binary\n"
    text += "    /// properties %s, then the scripts.\n" % ", ".join(BINARY_PROPS)
    text += "    static let keyCount = %d\n" % len(keys)
    text += "    static let perlBase = %d\n" % keys.index("perl:s")
    text += "    static let binaryBase = %d\n" % keys.index("bin:" + BINARY_PROPS[0])
    text += "    /// Key index of a script given its loosely matched long name or ISO 15924 code.\n"
    text += "    static func scriptKeyIndex(looseName: String) -> Int? {\n        switch looseName {\n"
    for long, short in SCRIPTS:
        names = sorted({loose(long), loose(short)})
        text += "        case %s: return %d\n" % (", ".join('"%s"' % n for n in names), keys.index("sc:" + long))
    text += "        default: return nil\n        }\n    }\n"
    text += swift_blob("generalCategory", gc_table,
                       "Two-stage UInt8 table of UnicodeGeneralCategory raw values (identical in both flavors).")
    text += swift_blob("sets", blob,
                       "varint blob: sets (ranges), per-flavor key->set index (+1, 0 = unsupported), case classes per flavor.")
    text += "}\n"
    write_swift("UnicodeRegexTables.swift", text)


def emit_mapping(mapping, blob):
    """mapping: cp -> list of cps. Writes entries and returns two-stage index table values."""
    keys = sorted(mapping)
    varint(len(keys), blob)
    vals = {}
    for i, k in enumerate(keys):
        seq = mapping[k]
        varint(len(seq), blob)
        for x in seq:
            varint(x, blob)
        vals[k] = i + 1
    if len(keys) >= 0xFFFF:
        fail("mapping too large")
    return vals


def emit_normalization_tables(model, flags):
    blob = bytearray()
    canon_idx = emit_mapping(model.canon, blob)
    compat_idx = emit_mapping(model.compat, blob)
    pairs = sorted(model.pairs.items())
    varint(len(pairs), blob)
    for (a, b), c in pairs:
        varint(a, blob)
        varint(b, blob)
        varint(c, blob)
    text = HEADER + "// Source: unicode-normalization-alignments (inside tokenizers) — an OLD Unicode version\n"
    text += "// (e.g. no decomposition for U+32FF or U+11938), probed per code point.\n\n"
    text += "enum UnicodeGeneratedNormalizationTables {\n"
    ccc_table = dict(model.ccc)
    for c in model.canon:  # decomposable characters never reach the algorithm; informative value
        if unicodedata.combining(chr(c)):
            ccc_table[c] = unicodedata.combining(chr(c))
    text += swift_blob("ccc", two_stage(ccc_table, 1), "Two-stage UInt8 table: canonical combining class.")
    text += swift_blob("quickCheck", two_stage(flags, 1),
                       "Two-stage UInt8 table: bit0 NFD, bit1 NFKD, bit2 NFC, bit3 NFKC = scalar can never change; "
                       "bit4 = second element of some composition (Hangul V/T included).")
    text += swift_blob("canonicalIndex", two_stage(canon_idx, 2),
                       "Two-stage UInt16 table: 1-based index into the canonical decompositions (0 = none).")
    text += swift_blob("compatIndex", two_stage(compat_idx, 2),
                       "Two-stage UInt16 table: 1-based index into the compatibility decompositions (0 = none).")
    text += swift_blob("mappings", blob,
                       "varint blob: canonical decompositions, compatibility decompositions (crate order, unsorted), composition triples.")
    text += "}\n"
    write_swift("UnicodeNormalizationTables.swift", text)


def emit_tokenizers_tables(tp):
    bits = {"whitespace": 1, "alphanumeric": 2, "numeric": 4, "punctuation": 8, "combiningMark": 16,
            "bertControl": 32, "bertWhitespace": 64, "chinese": 128, "nonspacingMark": 256}
    flags = {}
    for k, b in bits.items():
        for c in tp[k]:
            flags[c] = flags.get(c, 0) | b
    blob = bytearray()
    lower_idx = emit_mapping(tp["lower"], blob)
    upper_idx = emit_mapping(tp["upper"], blob)
    script_ids, labels = tp["scriptID"]
    text = HEADER + "\n".join("// " + l for l in tp["notes"]) + "\n\n"
    text += "enum UnicodeGeneratedTokenizersTables {\n"
    text += swift_blob("flags", two_stage(flags, 2),
                       "Two-stage UInt16 table: bit0 whitespace, bit1 alphanumeric, bit2 numeric, bit3 punctuation (Bert), "
                       "bit4 combining mark (StripAccents), bit5 Bert control, bit6 Bert whitespace, bit7 Chinese character, "
                       "bit8 nonspacing mark (BertNormalizer strip_accents).")
    text += swift_blob("lowerIndex", two_stage(lower_idx, 2), "Two-stage UInt16 table: 1-based index into lowercase mappings.")
    text += swift_blob("upperIndex", two_stage(upper_idx, 2), "Two-stage UInt16 table: 1-based index into uppercase mappings.")
    text += swift_blob("scriptID", two_stage(script_ids, 2),
                       "Two-stage UInt16 table: UnicodeScripts script id (0 = Any).")
    text += swift_blob("mappings", blob, "varint blob: lowercase mappings, uppercase mappings.")
    text += "    /// Script id labels (informative: the regex Script most members of the id belong to).\n"
    text += '    static let scriptLabels: StaticString = """\n' + \
        "\n".join("        %d\t%s" % (i, labels[i]) for i in sorted(labels)) + '\n        """\n'
    text += "}\n"
    write_swift("UnicodeTokenizersTables.swift", text)


# ----------------------------------------------------------------------------

def main():
    global CACHE
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-cache", action="store_true", help="do not use the probe cache")
    ap.add_argument("--cache", default="/tmp/tokenkit-unicode-probe-cache-%s-%s.pickle"
                    % (tokenizers.__version__, tiktoken.__version__))
    ap.add_argument("--quick", action="store_true", help="fewer random verification strings")
    args = ap.parse_args()
    for mod, v in (("tokenizers", tokenizers.__version__), ("tiktoken", tiktoken.__version__)):
        if not v.startswith(EXPECTED_VERSIONS[mod]):
            log("WARNING: %s %s installed, tables are meant for %s" % (mod, v, EXPECTED_VERSIONS[mod]))
    CACHE = Cache(None if args.no_cache else args.cache)
    t0 = time.time()

    # ---- 1. regex properties
    props, rejected = {}, {}
    for f in FLAVORS:
        props[f], rejected[f] = probe_regex_properties(f)
        CACHE.save()
    gc_same = all(props["oniguruma"]["gc:" + g] == props["rustRegex"]["gc:" + g] for g in GC_NAMES)
    if not gc_same:
        fail("general categories differ between flavors; UnicodeGeneralCategory assumes one table")
    diffs = []
    for k in sorted(set(props["oniguruma"]) | set(props["rustRegex"])):
        a, b = props["oniguruma"].get(k), props["rustRegex"].get(k)
        if a is None or b is None:
            diffs.append("%s: supported only by %s" % (k, "oniguruma" if b is None else "rustRegex"))
        elif a != b:
            diffs.append("%s: only oniguruma: %s; only rustRegex: %s" % (k, hexlist(a - b, 8) or "-", hexlist(b - a, 8) or "-"))
    case_classes = {f: probe_case_classes(f, props[f]) for f in FLAVORS}
    CACHE.save()
    co, cr = {tuple(c) for c in case_classes["oniguruma"]}, {tuple(c) for c in case_classes["rustRegex"]}
    if co != cr:
        diffs.append("case classes: only oniguruma %d, only rustRegex %d (e.g. %s / %s)" % (
            len(co - cr), len(cr - co),
            ["".join("U+%04X " % x for x in c) for c in sorted(co - cr)[:3]],
            ["".join("U+%04X " % x for x in c) for c in sorted(cr - co)[:3]]))
    questions = probe_case_questions()
    for d in diffs:
        log("DIFF", d)
    for k, v in questions.items():
        log("CASE", k, v)
    emit_regex_tables(props, rejected, case_classes, diffs)

    # ---- 2. normalization
    per_cp = probe_per_codepoint_normalization()
    CACHE.save()
    model, unordered = build_normalization_model(per_cp)
    verify_normalization(model, per_cp, unordered, args.quick)
    flags = quick_check_flags(model, per_cp)
    verify_quick_check(model, flags)
    emit_normalization_tables(model, flags)

    # ---- 3. tokenizers character properties
    tp = CACHE.get(("tokprops",), lambda: probe_tokenizers_properties(props["rustRegex"]))
    CACHE.save()
    rr = props["rustRegex"]
    n_all = rr["gc:Nd"] | rr["gc:Nl"] | rr["gc:No"]
    notes = []
    if tp["numeric"] == n_all:
        notes.append("char::is_numeric (probed with Digits) == N* of the Unicode 16 regex tables.")
    else:
        notes.append("char::is_numeric differs from regex N*: +%s -%s" % (hexlist(tp["numeric"] - n_all), hexlist(n_all - tp["numeric"])))
    if tp["whitespace"] == rr["bin:White_Space"]:
        notes.append("char::is_whitespace (probed with WhitespaceSplit) == White_Space.")
    else:
        notes.append("char::is_whitespace differs from White_Space!")
    # char::is_alphanumeric cannot be probed through tokenizers: Alphabetic (regex, Unicode 16) || is_numeric.
    tp["alphanumeric"] = rr["bin:Alphabetic"] | tp["numeric"]
    notes.append("char::is_alphanumeric is NOT probed (no tokenizers component uses it): Alphabetic (regex tables) || is_numeric.")
    tp["nonspacingMark"] = CACHE.get(("bertnonspacing",), lambda: probe_bert_nonspacing(per_cp["NFD"]))
    if "nonspacing" in tp:  # probe cache written by an older version of this script
        tp["combiningMark"] = tp.pop("nonspacing")
    notes.append("unicode_categories::is_mark_nonspacing is probed through BertNormalizer(strip_accents) on NFD-stable "
                 "characters; decomposable characters never reach it (their value is unicodedata's gc == Mn).")
    tp["notes"] = notes
    emit_tokenizers_tables(tp)
    CACHE.save()
    log("done in %.1fs" % (time.time() - t0))


if __name__ == "__main__":
    main()
