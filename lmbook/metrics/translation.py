"""Translation metrics of section 6.4: BLEU and chrF through ``sacrebleu``, and repetition.

:func:`corpus_scores` is corpus BLEU (13a tokenisation, 4-grams, brevity penalty) and chrF
(character 6-grams, beta = 2) with ``sacrebleu``'s defaults, so figures are comparable with
published ones; :func:`repeated_ngram_share` measures a typical failure of an under-trained or
greedy decoder: the same word n-gram twice in one output.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["corpus_scores", "has_repeated_ngram", "repeated_ngram_share"]


def corpus_scores(hypotheses: Sequence[str], references: Sequence[str]) -> dict[str, float]:
    """Corpus BLEU and chrF (``sacrebleu`` defaults, one reference each), rounded to 2 decimals.

    Also the BLEU brevity penalty ``bp`` and the length ratio ``ratio`` = hypothesis tokens /
    reference tokens (13a tokens), rounded to 4 decimals.
    """
    import sacrebleu

    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses for {len(references)} references")
    bleu = sacrebleu.corpus_bleu(list(hypotheses), [list(references)])
    chrf = sacrebleu.corpus_chrf(list(hypotheses), [list(references)])
    return {
        "bleu": round(bleu.score, 2),
        "chrf": round(chrf.score, 2),
        "bp": round(bleu.bp, 4),
        "ratio": round(bleu.sys_len / max(bleu.ref_len, 1), 4),
    }


def has_repeated_ngram(text: str, n: int = 3) -> bool:
    """True if some word n-gram (words split on whitespace, casefolded) occurs twice in ``text``."""
    if n < 1:
        raise ValueError(f"n={n} must be at least 1")
    words = text.casefold().split()
    grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
    return len(set(grams)) < len(grams)


def repeated_ngram_share(texts: Sequence[str], n: int = 3) -> float:
    """Share of ``texts`` that repeat a word n-gram (:func:`has_repeated_ngram`); 0 for none."""
    if not texts:
        return 0.0
    return sum(has_repeated_ngram(t, n) for t in texts) / len(texts)
