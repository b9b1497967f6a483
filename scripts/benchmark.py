#!/usr/bin/env python3
"""Tokenkit's benchmark suite: every speed and memory target of the project, as ratios
measured in one run on the machine at hand (absolute times on shared machines are noise).

usage: scripts/benchmark.py [--cli .build/release/tokenkit] [--shared ../shared]
                            [--sections anchors,parallel,cold,decode,load,scaling]
                            [--repeat 7] [--markdown FILE]

Sections:
  anchors   ../shared/bin/bench --threads 1 (steady-state encode against tiktoken,
            tokenizers, gigatoken and the other anchors); ratio to the fastest exact anchor.
  parallel  tokenkit bench --threads 2 against --threads 1 (best of --repeat each).
  cold      first pass with empty caches (no warm-up), Tokenkit against tiktoken.
  decode    decoding the ids of the measured slice against encoding it.
  load      load time and resident memory after loading o200k_base (.tiktoken and tokenizer.json).
  scaling   synthetic inputs of growing size (one long word, one repeated character, digits,
            random Latin-1): the time of each x4 step should be about x4 (linear); tiktoken and
            tokenizers are run on the same kinds of text, with a time limit, for comparison.

Needs a release build (swift build -c release) and, for the anchors, cold-start and scaling
comparisons, `pip install tiktoken tokenizers` (the anchors section installs its own venv).
"""
import argparse, json, os, random, statistics, subprocess, sys, tempfile, time

ap = argparse.ArgumentParser()
ap.add_argument("--cli", default=".build/release/tokenkit")
ap.add_argument("--shared", default="../shared")
ap.add_argument("--sections", default="anchors,parallel,cold,decode,load,scaling")
ap.add_argument("--tokenizers", default="cl100k_base,o200k_base,llama3,qwen3")
ap.add_argument("--corpora", default="en,code,multi")
ap.add_argument("--repeat", type=int, default=7)
ap.add_argument("--mb", type=float, default=3)
ap.add_argument("--markdown", default=None, help="also write the report to this file")
a = ap.parse_args()
sections = a.sections.split(",")
report = []


def out(line=""):
    print(line, flush=True)
    report.append(line)


def tokenizer_file(name):
    # qwen3's tokenizer.json adds NFC, which its .tiktoken file does not: the tokenizer.json is
    # the reference there (as in shared/bin/bench).
    suffix = ".tokenizer.json" if name == "qwen3" else ".tiktoken"
    return os.path.join(a.shared, "tokenizers", name + suffix)


def slices(corpus):
    """A warm-up and a measured slice of --mb MiB, in ~4 KiB chunks at line ends (as shared/bin/bench)."""
    data = open(os.path.join(a.shared, "corpus", corpus + ".txt"), encoding="utf-8").read()
    size = int(a.mb * 1024 * 1024)

    def cut(text):
        chunks, cur, n = [], [], 0
        for line in text.splitlines(keepends=True):
            cur.append(line); n += len(line.encode())
            if n >= 4096:
                chunks.append("".join(cur)); cur, n = [], 0
        if cur: chunks.append("".join(cur))
        return chunks

    raw = data.encode()
    input_text = raw[:size].decode("utf-8", "ignore")
    warm_text = raw[size:2 * size].decode("utf-8", "ignore") or input_text
    paths = []
    for chunks in (cut(warm_text), cut(input_text)):
        f = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8")
        for c in chunks: f.write(json.dumps({"text": c}, ensure_ascii=False) + "\n")
        f.close(); paths.append(f.name)
    return paths[0], paths[1], cut(input_text)


def tokenkit(*args):
    p = subprocess.run([a.cli, "bench", *args, "--json"], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"tokenkit bench {' '.join(args)} failed: {p.stderr.strip()}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def best(args, key="seconds", repeat=None):
    runs = [tokenkit(*args) for _ in range(repeat or a.repeat)]
    return min(runs, key=lambda r: r[key])


def tiktoken_encoding(name):
    import tiktoken
    from tiktoken.load import load_tiktoken_bpe
    base = os.path.join(a.shared, "tokenizers", name + ".tiktoken")
    side = json.load(open(base + ".json"))
    return tiktoken.Encoding(name, pat_str=side["pattern"], mergeable_ranks=load_tiktoken_bpe(base),
                             special_tokens=side["special_tokens"])


def section(title, columns):
    out("## " + title)
    out()
    out("| " + " | ".join(columns) + " |")
    out("|" + "---|" * len(columns))


def compare_steady(name, corpus, first, second):
    """Best runs of two variants of the steady-state measurement (warm-up, then the measured slice)."""
    warm, measured, _ = corpus_slices(corpus)
    common = ["--tokenizer", tokenizer_file(name), "--warmup", warm, "--input", measured]
    return best(common + first), best(common + second)


names = a.tokenizers.split(",")
corpora = a.corpora.split(",")
cut_cache = {}


def corpus_slices(corpus):
    if corpus not in cut_cache: cut_cache[corpus] = slices(corpus)
    return cut_cache[corpus]


if "anchors" in sections:
    out("## Steady-state encode against the anchors (../shared/bin/bench --threads 1)")
    out()
    result = tempfile.NamedTemporaryFile(suffix=".json", delete=False).name
    subprocess.run([os.path.join(a.shared, "bin", "bench"), "--cli", a.cli, "--tokenizers", a.tokenizers,
                    "--corpora", a.corpora, "--threads", "1", "--json", result], check=True, stdout=subprocess.DEVNULL)
    rows = json.load(open(result))
    DASH, DIFFERS = "\u2014", "\u2260"
    libraries = [r["library"] for r in rows if r["library"] != "project"]
    libraries = list(dict.fromkeys(libraries))
    out("MB/s, median of 3; \u2260 marks a library whose token count differs from the reference "
        "(not used as the bar). The last column is Tokenkit's throughput over the fastest exact anchor's.")
    out()
    out("| tokenizer | corpus | " + " | ".join(libraries) + " | **Tokenkit** | vs fastest exact |")
    out("|---|---|" + "---|" * (len(libraries) + 2))
    for name in names:
        for corpus in corpora:
            group = {r["library"]: r for r in rows if r["tokenizer"] == name and r["corpus"] == corpus}
            if "project" not in group: continue
            cells = []
            for lib in libraries:
                r = group.get(lib)
                cells.append(DASH if r is None else f"{r['mb_per_s']:.1f}" + ("" if r["exact"] else " " + DIFFERS))
            p = group["project"]
            ratio = f"x{p['ratio_vs_best']:.2f} vs {p['best_anchor']}" if p.get("ratio_vs_best") else "\u2014"
            flag = "" if p.get("match", True) else " MISMATCH"
            out(f"| {name} | {corpus} | " + " | ".join(cells) + f" | **{p['mb_per_s']:.1f}**{flag} | {ratio} |")
    out()

if "cold" in sections:
    section("Cold start: first pass with empty caches, Tokenkit against tiktoken",
            ["tokenizer", "corpus", "tiktoken MB/s", "Tokenkit MB/s", "ratio"])
    for name in names:
        if name == "qwen3": continue  # its reference is the tokenizer.json, not tiktoken
        for corpus in corpora:
            _, measured, chunks = corpus_slices(corpus)
            nbytes = sum(len(c.encode()) for c in chunks)
            tk = []
            for _ in range(3):
                enc = tiktoken_encoding(name)  # fresh instance: tiktoken has no caches to warm, but fair anyway
                start = time.perf_counter()
                for c in chunks: enc.encode_ordinary(c)
                tk.append(time.perf_counter() - start)
            ours = best(["--tokenizer", tokenizer_file(name), "--input", measured], repeat=3)
            out(f"| {name} | {corpus} | {nbytes / min(tk) / 1e6:.1f} | {nbytes / ours['seconds'] / 1e6:.1f} | "
                f"{min(tk) / ours['seconds']:.1f}x |")
    out()

def steady_comparison(title, columns, first, second, cells):
    """A table of two variants of the steady-state measurement per tokenizer and corpus."""
    section(title % a.repeat, ["tokenizer", "corpus"] + columns)
    for name in names:
        for corpus in corpora:
            x, y = compare_steady(name, corpus, first, second)
            out(f"| {name} | {corpus} | " + " | ".join(cells(x, y)) + " |")
    out()


def mbs(r):
    return r["bytes"] / r["seconds"] / 1e6


if "parallel" in sections:
    steady_comparison("Parallel batches: --threads 2 against --threads 1 (best of %d)",
                      ["1 thread MB/s", "2 threads MB/s", "speed-up"], ["--threads", "1"], ["--threads", "2"],
                      lambda one, two: [f"{mbs(one):.1f}", f"{mbs(two):.1f}", f"{one['seconds'] / two['seconds']:.2f}x"])

if "decode" in sections:
    steady_comparison("Decoding against encoding (best of %d)",
                      ["encode s", "decode s", "decode is faster by"], ["--stage", "encode"], ["--stage", "decode"],
                      lambda enc, dec: [f"{enc['seconds']:.4f}", f"{dec['seconds']:.4f}", f"{enc['seconds'] / dec['seconds']:.1f}x"])

if "load" in sections:
    section("Loading o200k_base (best of %d)" % a.repeat, ["file", "load s", "RSS after loading (MB)"])
    tiny = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False)
    tiny.write('{"text": "hi"}\n'); tiny.close()
    for suffix in [".tiktoken", ".tokenizer.json"]:
        path = os.path.join(a.shared, "tokenizers", "o200k_base" + suffix)
        runs = [tokenkit("--tokenizer", path, "--input", tiny.name) for _ in range(a.repeat)]
        out(f"| o200k_base{suffix} | {min(r['load_seconds'] for r in runs):.3f} | {min(r['rss_mb'] for r in runs):.1f} |")
    out()

if "scaling" in sections:
    sizes = [256 * 1024, 1024 * 1024, 4 * 1024 * 1024]
    limit = 30.0

    def text_of(kind, size):
        rng = random.Random(42)
        if kind == "word": return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(size))
        if kind == "repeat": return "a" * size
        if kind == "digits": return "".join(rng.choice("0123456789") for _ in range(size))
        chars, n = [], 0
        while n < size:
            ch = chr(rng.randrange(256)); chars.append(ch); n += len(ch.encode())
        return "".join(chars)

    def reference_seconds(lib, kind, size):
        """Runs a reference library in a subprocess with a time limit; None when it exceeds it."""
        code = ("import sys, time, json, random\n"
                f"sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r})\n"
                "text = json.load(sys.stdin)\n")
        if lib == "tiktoken":
            code += (f"from tiktoken.load import load_tiktoken_bpe\nimport tiktoken\n"
                     f"side = json.load(open({tokenizer_file('cl100k_base') + '.json'!r}))\n"
                     f"enc = tiktoken.Encoding('c', pat_str=side['pattern'], mergeable_ranks=load_tiktoken_bpe({tokenizer_file('cl100k_base')!r}), special_tokens={{}})\n"
                     "s = time.perf_counter(); enc.encode_ordinary(text); print(time.perf_counter() - s)\n")
        else:
            code += ("import tokenizers\n"
                     f"t = tokenizers.Tokenizer.from_file({os.path.join(a.shared, 'tokenizers', 'cl100k_base.tokenizer.json')!r})\n"
                     "s = time.perf_counter(); t.encode(text, add_special_tokens=False); print(time.perf_counter() - s)\n")
        try:
            p = subprocess.run([sys.executable, "-c", code], input=json.dumps(text_of(kind, size)), capture_output=True,
                               text=True, timeout=limit)
            return float(p.stdout.strip()) if p.returncode == 0 else None
        except subprocess.TimeoutExpired:
            return None

    def cell(times):
        parts = []
        for i, t in enumerate(times):
            if t is None: parts.append(f">{limit:.0f}"); continue
            step = f" (x{t / times[i - 1]:.1f})" if i and times[i - 1] else ""
            parts.append(f"{t:.3f}{step}")
        return " / ".join(parts)

    section("Growing pathological inputs (cl100k_base): seconds, and the factor of each x4 step",
            ["input", "Tokenkit", "tiktoken", "tokenizers"])
    for kind in ["word", "repeat", "digits", "latin1"]:
        ours = [best(["--tokenizer", tokenizer_file("cl100k_base"), "--synthetic", f"{kind}:{s // 1024}K"], repeat=3)["seconds"]
                for s in sizes]
        refs = {}
        for lib in ["tiktoken", "tokenizers"]:
            refs[lib] = []
            for s in sizes:
                t = None if refs[lib] and refs[lib][-1] is None else reference_seconds(lib, kind, s)
                refs[lib].append(t)
        out(f"| {kind} 256K / 1M / 4M | {cell(ours)} | {cell(refs['tiktoken'])} | {cell(refs['tokenizers'])} |")
    out()

if a.markdown:
    open(a.markdown, "w").write("\n".join(report) + "\n")
