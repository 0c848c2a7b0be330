"""A dictionary-based measure of local fluency for generated Chinese text.

:func:`dictionary_pair_share` is the share of adjacent Chinese character pairs in a text that are
words of a general-purpose dictionary (jieba's, about 350,000 entries, built from People's Daily
and other corpora, MIT). Real news text scores far above shuffled characters; a language model's
samples land in between, which makes it a cheap, segmentation-free way to put "reads like Chinese
locally" into a number. It says nothing about meaning or long-range coherence.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from itertools import pairwise
from pathlib import Path

__all__ = ["dictionary_pair_share", "dictionary_words"]


@cache
def dictionary_words(length: int = 2) -> frozenset[str]:
    """The words of ``length`` characters in jieba's dictionary (``jieba/dict.txt``)."""
    import jieba

    path = Path(jieba.__file__).with_name("dict.txt")
    with path.open(encoding="utf-8") as f:
        return frozenset(w for w, *_ in (line.split() for line in f) if len(w) == length)


def _is_han(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff"


def dictionary_pair_share(texts: Iterable[str]) -> float:
    """Share of adjacent pairs of Chinese characters in ``texts`` that are dictionary words."""
    words = dictionary_words(2)
    pairs = [a + b for t in texts for a, b in pairwise(t) if _is_han(a) and _is_han(b)]
    if not pairs:
        raise ValueError("dictionary_pair_share() found no pair of adjacent Chinese characters.")
    return sum(p in words for p in pairs) / len(pairs)
