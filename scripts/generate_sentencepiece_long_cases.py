#!/usr/bin/env python3
"""Records sentencepiece's outputs on texts that the fixture cases of
generate_sentencepiece_fixtures.py do not reach, as more test fixtures for Tokenkit:

  * long texts (20,000 to 40,000 characters), where the Unigram Viterbi search of
    sentencepiece 0.2.3 rebases its float path scores once they pass +-100,000, which
    decides near-ties differently from a search that never rebases;
  * texts made of user-defined symbols, their parts and letters, where the score that
    sentencepiece gives user-defined pieces (0.1 * (length - 1) since 0.2.3) decides.

usage: scripts/generate_sentencepiece_long_cases.py

Reads the models in Tests/TokenkitTests/Fixtures/sentencepiece/ and writes, next to each
NAME.model, NAME.model.long-cases.jsonl in the format of NAME.model.cases.jsonl (text, ids
from sp.encode, decoded, and pieces and surfaces for the short texts). Outputs come from sentencepiece, never from Tokenkit.
Deterministic (seeded). Needs: pip install sentencepiece
"""
import glob, json, os, random
import sentencepiece as spm

here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
fixtures = os.path.join(here, "Tests", "TokenkitTests", "Fixtures", "sentencepiece")
MODELS = ["unigram-nmt", "unigram-bytes-symbols", "unigram-identity-raw", "unigram-suffix-rules"]


def words(rng, count, alphabet="abcdefghijklmnopqrstuvwxyz"):
    return " ".join("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9))) for _ in range(count))


def texts(rng):
    out = []
    # Long texts: random words, a periodic run and a mix of scripts.
    for n in (3500, 4500, 6000):
        out.append(words(rng, n))
    out.append("123" * 7575)
    out.append(" ".join(rng.choice(["über", "straße", "naïve", "日本語", "tokenization", "x"]) for _ in range(6000)))
    # User-defined symbols, their parts and letters.
    parts = ["<tool>", "</tool>", "@@", "™", "foo", "fo", "o", "f", "<", "tool", ">", " ", "a", "b", "ab", "x", "™™", "@"]
    for _ in range(400):
        out.append("".join(rng.choice(parts) for _ in range(rng.randint(1, 12))))
    out.append("".join(rng.choice(parts) for _ in range(8000)))
    return out


def main():
    for name in MODELS:
        path = os.path.join(fixtures, name + ".model")
        sp = spm.SentencePieceProcessor(model_file=path)
        rng = random.Random(name)
        with open(path + ".long-cases.jsonl", "w", encoding="utf-8") as f:
            for text in texts(rng):
                ids = sp.encode(text)
                case = {"text": text, "ids": ids, "decoded": sp.decode(ids)}
                if len(text) < 2000:  # (the long texts' pieces would only make the file larger)
                    case["pieces"] = [sp.id_to_piece(i) for i in ids]
                    surfaces = sp.encode(text, out_type=str)
                    if surfaces != case["pieces"]:
                        case["surfaces"] = surfaces
                f.write(json.dumps(case, ensure_ascii=False) + "\n")
        print(name, os.path.getsize(path + ".long-cases.jsonl"), "bytes")


if __name__ == "__main__":
    main()
