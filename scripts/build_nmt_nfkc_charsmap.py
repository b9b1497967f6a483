#!/usr/bin/env python3
"""Writes Sources/TokenkitTraining/Resources/nmt_nfkc.charsmap: SentencePiece's compiled
`nmt_nfkc` normalization rules (the `precompiled_charsmap` every model trained with the default
normalization carries), taken from the installed `sentencepiece` by training a throwaway model.

Tokenkit's Unigram trainer normalizes its corpus with these rules and writes them into the
.model and tokenizer.json files it produces, so they normalize exactly as SentencePiece's own.

usage: scripts/build_nmt_nfkc_charsmap.py
"""
import io, os

import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2 as pb

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "Sources", "TokenkitTraining", "Resources", "nmt_nfkc.charsmap")
model = io.BytesIO()
spm.SentencePieceTrainer.train(sentence_iterator=iter(["a b c", "abc"] * 10), model_writer=model, model_type="char",
                               vocab_size=8, normalization_rule_name="nmt_nfkc", minloglevel=2)
proto = pb.ModelProto()
proto.ParseFromString(model.getvalue())
blob = proto.normalizer_spec.precompiled_charsmap
open(out, "wb").write(blob)
print(f"wrote {len(blob)} bytes ({spm.__version__}) to {os.path.relpath(out)}")
