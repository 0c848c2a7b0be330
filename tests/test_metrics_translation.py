"""Tests of lmbook.metrics.translation: sacrebleu's BLEU/chrF and the repeated n-gram measure."""

from __future__ import annotations

import math
from collections import Counter

import pytest
import sacrebleu

from lmbook.metrics import corpus_scores, has_repeated_ngram, repeated_ngram_share

HYPS = ["the cat is on the mat", "a cat is there on a mat", "Select the text."]
REFS = ["the cat sat on the mat", "a cat is there on the mat", "Select the text that you want."]


def _bleu_from_scratch(hyps, refs):
    """Corpus BLEU on whitespace tokens (these sentences need no 13a splitting except '.')."""
    tok = sacrebleu.tokenizers.tokenizer_13a.Tokenizer13a()
    match, total = [0] * 4, [0] * 4
    hyp_len = ref_len = 0
    for h, r in zip(hyps, refs, strict=True):
        hw, rw = tok(h).split(), tok(r).split()
        hyp_len, ref_len = hyp_len + len(hw), ref_len + len(rw)
        for n in range(1, 5):
            hc = Counter(tuple(hw[i : i + n]) for i in range(len(hw) - n + 1))
            rc = Counter(tuple(rw[i : i + n]) for i in range(len(rw) - n + 1))
            match[n - 1] += sum(min(c, rc[g]) for g, c in hc.items())
            total[n - 1] += max(len(hw) - n + 1, 0)
    bp = 1.0 if hyp_len > ref_len else math.exp(1 - ref_len / hyp_len)
    return 100 * bp * math.exp(sum(math.log(m / t) for m, t in zip(match, total, strict=True)) / 4)


def test_scores_are_sacrebleus():
    got = corpus_scores(HYPS, REFS)
    assert got["bleu"] == round(sacrebleu.corpus_bleu(HYPS, [REFS]).score, 2)
    assert got["chrf"] == round(sacrebleu.corpus_chrf(HYPS, [REFS]).score, 2)
    assert got["bleu"] == pytest.approx(_bleu_from_scratch(HYPS, REFS), abs=0.006)
    assert got["bp"] < 1 and got["ratio"] < 1  # shorter than the references
    perfect = corpus_scores(REFS, REFS)
    assert perfect["bleu"] == 100 and perfect["chrf"] == 100 and perfect["bp"] == 1


def test_scores_reject_unpaired_lists():
    with pytest.raises(ValueError, match="hypotheses"):
        corpus_scores(HYPS, REFS[:2])


def test_repeated_ngrams():
    assert has_repeated_ngram("the the", 1)
    assert not has_repeated_ngram("the the", 2)
    assert has_repeated_ngram("Insert a table. insert a table.", 2)  # casefolded
    assert has_repeated_ngram("a b c x a b c", 3) and not has_repeated_ngram("a b c d a b", 3)
    assert repeated_ngram_share(["a b c a b c", "x y z", "p q"], 3) == pytest.approx(1 / 3)
    assert repeated_ngram_share([], 3) == 0.0
    with pytest.raises(ValueError, match="n=0"):
        has_repeated_ngram("a", 0)
