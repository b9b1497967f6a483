#!/usr/bin/env python3
"""Writes Tokenkit's built-in encodings (Sources/Tokenkit/Resources/Encodings/NAME.tkenc)
from tiktoken rank files and their sidecars.

usage: scripts/build_encodings.py [TOKENIZERS_DIR]   (default: ../shared/tokenizers)

Format (see BuiltInEncodings.swift): "TKENC1\\n", varint pattern length, pattern,
varint special count, (varint id, varint length, bytes)*, varint token count,
(varint rank gap, varint length, bytes)* in rank order.
The pattern and special tokens are tiktoken's own (tiktoken_ext/openai_public.py),
checked against the sidecar's special tokens.
"""
import base64, hashlib, json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SRC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "tokenizers")
OUT = os.path.join(ROOT, "Sources", "Tokenkit", "Resources", "Encodings")

ENCODINGS = {
    "cl100k_base": ("223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
                    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""",
                    {"<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259,
                     "<|fim_suffix|>": 100260, "<|endofprompt|>": 100276}),
    "o200k_base": ("446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
                   "|".join([
                       r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
                       r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
                       r"""\p{N}{1,3}""", r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""", r"""\s*[\r\n]+""", r"""\s+(?!\S)""", r"""\s+"""]),
                   {"<|endoftext|>": 199999, "<|endofprompt|>": 200018}),
}


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, (sha, pattern, specials) in ENCODINGS.items():
        data = open(os.path.join(SRC, name + ".tiktoken"), "rb").read()
        if hashlib.sha256(data).hexdigest() != sha:
            sys.exit(f"{name}: unexpected SHA-256, not the public file")
        ranks = []
        for line in data.splitlines():
            if line:
                token, rank = line.split()
                ranks.append((int(rank), base64.b64decode(token)))
        ranks.sort()
        out = bytearray(b"TKENC1\n")
        p = pattern.encode()
        out += varint(len(p)) + p
        out += varint(len(specials))
        for content, i in sorted(specials.items(), key=lambda kv: kv[1]):
            c = content.encode()
            out += varint(i) + varint(len(c)) + c
        out += varint(len(ranks))
        previous = -1
        for rank, token in ranks:
            out += varint(rank - previous - 1) + varint(len(token)) + token
            previous = rank
        path = os.path.join(OUT, name + ".tkenc")
        open(path, "wb").write(out)
        print(f"{path}: {len(ranks)} tokens, {len(out)} bytes")


if __name__ == "__main__":
    main()
