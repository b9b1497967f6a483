#!/usr/bin/env python3
"""Training benchmark: Tokenkit's BPE trainer against `tokenizers`' BpeTrainer, SentencePiece's
BPE trainer and gigatoken's train_bpe, single-threaded, in one run: time and peak RSS of each
(a separate process each, measured with wait4), and whether Tokenkit's merges equal tokenizers'.
Then Tokenkit's Unigram trainer against SentencePiece's (`spm_train --model_type=unigram`):
time, peak RSS and tokens per byte of each model on held-out text.

usage: scripts/benchmark_training.py [--cli .build/release/tokenkit] [--shared ../shared]
                                     [--vocab-size 32000] [--only bpe|unigram] [--markdown FILE]

The corpus is the issue's: cat ../shared/corpus/{en,code,multi}.txt (~24 MB), one document
per line. Tokenkit and tokenizers train byte-level BPE behind GPT-2's pre-tokenizer with the 256
byte characters as initial alphabet; SentencePiece trains its own BPE (no pre-tokenizer, so the
numbers are for orientation); gigatoken runs from the anchors venv of ../shared/bin/bench
(ANCHORS_VENV, default /tmp/tokenizer-anchors) when it is there.

Unigram: both trainers read every line of the corpus in order (SentencePiece with
input_sentence_size=0 and shuffle_input_sentence=False; by default it would sample) and run on
one thread (num_threads=1; Tokenkit --threads 1, and again with one thread per core). Held-out
text: the lines of ../shared/corpus/parallel/{de,es,fr,ja,ru,zh_CN}.txt that are not in the
training corpus, encoded with sentencepiece by both .model files.
"""
import argparse, json, os, subprocess, sys, tempfile, textwrap, time

ap = argparse.ArgumentParser()
ap.add_argument("--cli", default=".build/release/tokenkit")
ap.add_argument("--shared", default="../shared")
ap.add_argument("--vocab-size", type=int, default=32000)
ap.add_argument("--only", choices=["bpe", "unigram"], default=None)
ap.add_argument("--markdown", default=None)
a = ap.parse_args()

work = tempfile.mkdtemp(prefix="tokenkit-training-bench-")
corpus = os.path.join(work, "mixed.txt")
with open(corpus, "wb") as out:
    for name in ["en", "code", "multi"]:
        out.write(open(os.path.join(a.shared, "corpus", name + ".txt"), "rb").read())
env = dict(os.environ, RAYON_NUM_THREADS="1", TOKENIZERS_PARALLELISM="false", OMP_NUM_THREADS="1")


def measure(cmd):
    """Runs cmd; returns (seconds, peak RSS in MB) of the child."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return seconds, usage.ru_maxrss / 1024


def python_job(code, python=sys.executable):
    path = os.path.join(work, f"job{abs(hash(code))}.py")
    open(path, "w").write(textwrap.dedent(code))
    return [python, path]


lines = []
if a.only in (None, "bpe"):
    rows = []
    ours = os.path.join(work, "tokenkit.json")
    rows.append(("Tokenkit `train bpe`", *measure([a.cli, "train", "bpe", "--quiet", "--vocab-size", str(a.vocab_size), corpus, "-o", ours])))
    ours_two = os.path.join(work, "tokenkit-bpe-2.json")
    rows.append(("Tokenkit `train bpe --threads 2`", *measure([a.cli, "train", "bpe", "--quiet", "--threads", "2", "--vocab-size",
                                                             str(a.vocab_size), corpus, "-o", ours_two])))
    if open(ours, "rb").read() != open(ours_two, "rb").read():
        raise SystemExit("train bpe: --threads 2 wrote another file than one thread")

    reference = os.path.join(work, "tokenizers.json")
    rows.append(("tokenizers BpeTrainer", *measure(python_job(f"""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers, decoders
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    tok.train([{corpus!r}], trainers.BpeTrainer(vocab_size={a.vocab_size}, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                                show_progress=False))
    tok.save({reference!r})
    """)))) 

    try:
        import sentencepiece  # noqa: F401
        rows.append(("SentencePiece BPE", *measure(python_job(f"""
    import sentencepiece as spm
    spm.SentencePieceTrainer.train(input={corpus!r}, model_prefix={os.path.join(work, 'spm')!r}, model_type="bpe",
                                   vocab_size={a.vocab_size}, num_threads=1, minloglevel=2, byte_fallback=True)
    """)))) 
    except ImportError:
        pass

    venv_python = os.path.join(os.environ.get("ANCHORS_VENV", "/tmp/tokenizer-anchors"), "bin", "python")
    if os.path.exists(venv_python):
        rows.append(("gigatoken train_bpe", *measure(python_job(f"""
    import gigatoken
    gigatoken.train_bpe(gigatoken.TextFileSource([{corpus!r}], separator="\\n"), {a.vocab_size}, [])
    """, python=venv_python))))


    def model(path):
        m = json.load(open(path, encoding="utf-8"))["model"]
        return m["vocab"], [tuple(x) if isinstance(x, list) else tuple(x.split(" ", 1)) for x in m["merges"]]


    same = model(ours) == model(reference)
    lines += [f"Training byte-level BPE, vocabulary {a.vocab_size}, on {os.path.getsize(corpus) / 1e6:.1f} MB "
             f"(../shared/corpus/{{en,code,multi}}.txt), one thread:", "",
             "| trainer | seconds | peak RSS (MB) |", "|---|---|---|"]
    for name, seconds, rss in rows:
        lines.append(f"| {name} | {seconds:.2f} | {rss:.0f} |")
    lines += ["", f"Tokenkit's vocabulary and merges {'equal' if same else 'DIFFER FROM'} tokenizers' BpeTrainer's."]

if a.only in (None, "unigram"):
    corpus_lines = set(open(corpus, encoding="utf-8").read().splitlines())
    heldout = []
    for lang in ["de", "es", "fr", "ja", "ru", "zh_CN"]:
        path = os.path.join(a.shared, "corpus", "parallel", lang + ".txt")
        if os.path.exists(path):
            heldout += [l for l in open(path, encoding="utf-8").read().splitlines() if l not in corpus_lines]
    heldout_bytes = sum(len(l.encode()) for l in heldout)
    unigram = []
    ours = os.path.join(work, "tokenkit-unigram.model")
    unigram.append(("Tokenkit `train unigram --threads 1`", ours,
                    *measure([a.cli, "train", "unigram", "--quiet", "--threads", "1", "--vocab-size", str(a.vocab_size), corpus, "-o", ours])))
    threaded = os.path.join(work, "tokenkit-unigram-threads.model")
    unigram.append((f"Tokenkit `train unigram --threads {os.cpu_count()}`", threaded,
                    *measure([a.cli, "train", "unigram", "--quiet", "--threads", str(os.cpu_count()), "--vocab-size", str(a.vocab_size),
                              corpus, "-o", threaded])))
    spm_prefix = os.path.join(work, "spm-unigram")
    import sentencepiece as spm
    unigram.append((f"SentencePiece {spm.__version__} unigram", spm_prefix + ".model", *measure(python_job(f"""
import sentencepiece as spm
spm.SentencePieceTrainer.train(input={corpus!r}, model_prefix={spm_prefix!r}, model_type="unigram", vocab_size={a.vocab_size},
                               input_sentence_size=0, shuffle_input_sentence=False, num_threads=1, minloglevel=2)
"""))))
    processors = [spm.SentencePieceProcessor(model_file=path) for _, path, _, _ in unigram]
    counts = [sum(len(ids) for ids in p.encode(heldout)) for p in processors]
    pieces = [set(p.id_to_piece(i) for i in range(p.get_piece_size())) for p in processors]
    same_threads = all(processors[0].id_to_piece(i) == processors[1].id_to_piece(i) and processors[0].get_score(i) == processors[1].get_score(i)
                       for i in range(processors[0].get_piece_size()))
    lines += ["" if lines else None, f"Training Unigram, vocabulary {a.vocab_size}, on {os.path.getsize(corpus) / 1e6:.1f} MB "
              f"(same corpus, every line a sentence); tokens per byte on {heldout_bytes / 1e6:.1f} MB of held-out text:", "",
              "| trainer | seconds | peak RSS (MB) | tokens/byte (held-out) |", "|---|---|---|---|"]
    lines = [l for l in lines if l is not None]
    for (name, _, seconds, rss), count in zip(unigram, counts):
        lines.append(f"| {name} | {seconds:.2f} | {rss:.0f} | {count / heldout_bytes:.4f} |")
    lines += ["", f"Tokenkit's tokens per byte are {100 * (counts[0] / counts[-1] - 1):+.2f}% of SentencePiece's; "
              f"{len(pieces[0] & pieces[-1])} of {a.vocab_size} pieces are shared; "
              f"the one-thread and multi-thread models are {'identical' if same_threads else 'DIFFERENT'}."]

print("\n".join(lines))
if a.markdown:
    open(a.markdown, "w").write("\n".join(lines) + "\n")
