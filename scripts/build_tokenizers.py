"""Train the shipped tokenizers (``char``, ``bpe``); record their data, size and held-out density.

Run from the repository root: ``python scripts/build_tokenizers.py``. It writes
``lmbook/assets/tokenizers/<kind>/`` (``save_pretrained`` format plus ``meta.json``). Training is
deterministic: the same data and library versions give byte-identical ``tokenizer.json`` files.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil

import tokenizers
import transformers

from lmbook.data import load_lm_text, load_reviews
from lmbook.tokenization import (
    SHIPPED_VOCAB_SIZES,
    TOKENIZER_DIR,
    texts_digest,
    tokens_per_character,
    train_tokenizer,
    training_texts,
)


def _unk_rate(tok: transformers.PreTrainedTokenizerFast, texts: list[str]) -> float:
    """Fraction of tokens that are ``[UNK]`` over ``texts``."""
    ids = [i for x in tok(texts, add_special_tokens=False)["input_ids"] for i in x]
    return sum(i == tok.unk_token_id for i in ids) / len(ids)


def build(kind: str, texts: list[str], held_out: dict[str, list[str]]) -> dict:
    """Train one tokenizer, save it with its ``meta.json``, and return that record."""
    tok = train_tokenizer(texts, kind, SHIPPED_VOCAB_SIZES[kind])
    out = TOKENIZER_DIR / kind
    shutil.rmtree(out, ignore_errors=True)
    tok.save_pretrained(out)
    meta = {
        "kind": kind,
        "vocab_size": len(tok),
        "requested_vocab_size": SHIPPED_VOCAB_SIZES[kind],
        "training_data": "lmbook.tokenization.training_texts(): load_lm_text()['train'] "
        "+ load_reviews()['train']",
        "training_texts": len(texts),
        "training_characters": sum(len(t) for t in texts),
        "training_data_sha256": texts_digest(texts),
        "tokenizer_json_sha256": hashlib.sha256((out / "tokenizer.json").read_bytes()).hexdigest(),
        "tokenizers_version": tokenizers.__version__,
        "transformers_version": transformers.__version__,
        "tokens_per_character": {
            name: round(tokens_per_character(tok, t), 4) for name, t in held_out.items()
        },
        "unk_rate": {name: round(_unk_rate(tok, t), 5) for name, t in held_out.items()},
    }
    (out / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n")
    return meta


def main() -> None:
    """Build the requested kinds (default: all) and print each record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kinds", nargs="*", default=sorted(SHIPPED_VOCAB_SIZES))
    args = parser.parse_args()
    texts = training_texts()
    held_out = {
        "peoples_daily_test": list(load_lm_text()["test"]["text"]),
        "reviews_test": list(load_reviews()["test"]["text"]),
    }
    for kind in args.kinds:
        print(json.dumps(build(kind, texts, held_out), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
