"""The book's two tokenizers, character-level and character-BPE, built with ``tokenizers``.

Both share one pipeline, so the chapters can compare them one change at a time:

- normaliser: NFKC, the same as :func:`lmbook.data.normalize` (``１２`` -> ``12``, ``，`` -> ``,``);
- pre-tokeniser: spaces become the visible marker ``▁`` (as in SentencePiece), so decoding gives
  the spaces back; ``char`` then cuts every character apart, ``bpe`` cuts at punctuation only;
- model: ``char`` is a word-level model over single characters (every Chinese character is one
  token); ``bpe`` is BPE whose alphabet is characters, not bytes, so its tokens read as Chinese
  (``中国``, ``人民``). Both keep only characters seen at least ``min_frequency`` times in
  training; rarer ones become ``[UNK]``;
- special tokens ``[PAD] [UNK] [CLS] [SEP] [MASK]`` (ids 0-4) and a post-processor that turns
  ``tok("…")`` into ``[CLS] … [SEP]`` (a pair into ``[CLS] A [SEP] B [SEP]``).

One tokenizer serves both model families: the BERT-style encoder reads ``[CLS] … [SEP]``, and
the GPT uses ``[CLS]`` as its beginning-of-text and ``[SEP]`` as its end-of-text token (as UER's
Chinese GPT-2 does), so ``bos_token``/``eos_token`` are set to them; pass
``add_special_tokens=False`` to get bare ids, e.g. to pack a stream of text. The tokenizers return
no ``token_type_ids`` by default: a GPT-2 would add them to its input as token embeddings; ask for
them with ``return_token_type_ids=True`` for sentence pairs.

:func:`load_tokenizer` loads the tokenizers shipped in ``lmbook/assets/tokenizers/<kind>/``,
trained by ``scripts/build_tokenizers.py`` on :func:`training_texts` (see the ``meta.json`` there).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # pragma: no cover
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

__all__ = [
    "SHIPPED_VOCAB_SIZES",
    "SPECIAL_TOKENS",
    "TOKENIZER_DIR",
    "TOKENIZER_KINDS",
    "load_tokenizer",
    "texts_digest",
    "tokens_per_character",
    "train_tokenizer",
    "training_texts",
]

TokenizerKind = Literal["char", "bpe"]
TOKENIZER_KINDS: tuple[str, ...] = ("char", "bpe")
SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
SHIPPED_VOCAB_SIZES = {"char": 6000, "bpe": 8000}
TOKENIZER_DIR = Path(__file__).parent / "assets" / "tokenizers"
_SPACE = "▁"


def _check_kind(kind: str) -> None:
    if kind not in TOKENIZER_KINDS:
        raise ValueError(f"kind must be one of {TOKENIZER_KINDS}, got {kind!r}")


def train_tokenizer(
    texts: Iterable[str], kind: TokenizerKind, vocab_size: int, min_frequency: int = 2
) -> PreTrainedTokenizerFast:
    """Train a ``char`` or ``bpe`` tokenizer; ``vocab_size`` is a cap that counts the specials."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
    from tokenizers import trainers as tt

    _check_kind(kind)
    if vocab_size <= len(SPECIAL_TOKENS):
        raise ValueError(f"vocab_size must exceed the {len(SPECIAL_TOKENS)} special tokens")
    texts = list(texts)
    spaces = pre_tokenizers.Metaspace(replacement=_SPACE, prepend_scheme="never", split=True)
    if kind == "char":
        tokenizer = Tokenizer(models.WordLevel(unk_token="[UNK]"))
        cut = pre_tokenizers.Split(Regex("."), behavior="isolated")
        trainer = tt.WordLevelTrainer(
            vocab_size=vocab_size, min_frequency=min_frequency, special_tokens=SPECIAL_TOKENS
        )
    else:
        alphabet = _alphabet_size(texts, min_frequency)
        if alphabet + len(SPECIAL_TOKENS) >= vocab_size:
            raise ValueError(
                f"a bpe vocab_size must exceed its alphabet of {alphabet} characters plus "
                f"{len(SPECIAL_TOKENS)} special tokens: pass a larger vocab_size"
            )
        tokenizer = Tokenizer(models.BPE(unk_token="[UNK]"))
        cut = pre_tokenizers.Punctuation(behavior="isolated")
        trainer = tt.BpeTrainer(
            vocab_size=vocab_size,
            min_frequency=min_frequency,
            special_tokens=SPECIAL_TOKENS,
            limit_alphabet=alphabet,
            show_progress=False,
        )
    tokenizer.normalizer = normalizers.NFKC()
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([spaces, cut])
    tokenizer.decoder = decoders.Metaspace(replacement=_SPACE, prepend_scheme="never", split=True)
    tokenizer.train_from_iterator(texts, trainer=trainer)
    return _wrap(tokenizer)


def _alphabet_size(texts: list[str], min_frequency: int) -> int:
    """Characters seen at least ``min_frequency`` times: the alphabet both kinds keep."""
    normalized = "".join(unicodedata.normalize("NFKC", text) for text in texts)
    counts = Counter(normalized.replace(" ", _SPACE))
    return sum(1 for n in counts.values() if n >= min_frequency)


def _wrap(tokenizer: Tokenizer) -> PreTrainedTokenizerFast:
    """Add the ``[CLS] … [SEP]`` post-processor and wrap as a ``transformers`` tokenizer."""
    from tokenizers import processors
    from transformers import PreTrainedTokenizerFast

    cls, sep = (tokenizer.token_to_id(t) for t in ("[CLS]", "[SEP]"))
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        pad_token="[PAD]",
        unk_token="[UNK]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        bos_token="[CLS]",
        eos_token="[SEP]",
        model_input_names=["input_ids", "attention_mask"],
        clean_up_tokenization_spaces=False,
    )


def load_tokenizer(kind: TokenizerKind = "char") -> PreTrainedTokenizerFast:
    """Load the shipped ``char`` or ``bpe`` tokenizer offline from ``lmbook/assets/tokenizers``."""
    from transformers import PreTrainedTokenizerFast

    _check_kind(kind)
    path = TOKENIZER_DIR / kind
    if not (path / "tokenizer.json").is_file():
        raise FileNotFoundError(
            f"no shipped tokenizer in {path}: run `python scripts/build_tokenizers.py`."
        )
    return PreTrainedTokenizerFast.from_pretrained(path, local_files_only=True)


def training_texts() -> list[str]:
    """The shipped tokenizers' training data: People's Daily LM train split + review train split."""
    from lmbook.data import load_lm_text, load_reviews

    return list(load_lm_text()["train"]["text"]) + list(load_reviews()["train"]["text"])


def texts_digest(texts: Iterable[str]) -> str:
    """SHA-256 of the texts joined by newlines: records exactly which data a tokenizer saw."""
    h = hashlib.sha256()
    for text in texts:
        h.update(text.encode("utf-8") + b"\n")
    return h.hexdigest()


def tokens_per_character(tokenizer: PreTrainedTokenizerFast, texts: Sequence[str]) -> float:
    """Tokens per character over ``texts`` without special tokens: lower means a denser code."""
    ids = tokenizer(list(texts), add_special_tokens=False)["input_ids"]
    chars = sum(len(t) for t in texts)
    if chars == 0:
        raise ValueError("texts contain no characters")
    return sum(len(x) for x in ids) / chars
