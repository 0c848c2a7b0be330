"""Tests for lmbook.text.cooccurrence: window counts and PPMI pinned on hand-computed toy inputs."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from scipy import sparse

from lmbook.text.cooccurrence import cooccurrence_counts, ppmi, top_characters


def test_top_characters_orders_by_count_then_code_point():
    assert top_characters(["abca", "cb", "d"], 3) == ["a", "b", "c"]
    assert top_characters(["abca", "cb", "d"], 10, exclude="a") == ["b", "c", "d"]


def test_top_characters_rejects_empty_vocabulary():
    with pytest.raises(ValueError, match="k must be"):
        top_characters(["ab"], 0)


def test_counts_by_hand():
    c = cooccurrence_counts(["abc", "ab"], ["a", "b", "c"], window=1).toarray()
    np.testing.assert_array_equal(c, [[0, 2, 0], [2, 0, 1], [0, 1, 0]])
    c2 = cooccurrence_counts(["abc", "ab"], ["a", "b", "c"], window=2).toarray()
    np.testing.assert_array_equal(c2, [[0, 2, 1], [2, 0, 1], [1, 1, 0]])


def test_windows_do_not_cross_texts_and_oov_keeps_its_position():
    assert cooccurrence_counts(["ab", "c"], ["b", "c"], window=2).nnz == 0
    assert cooccurrence_counts(["axb"], ["a", "b"], window=1).nnz == 0
    np.testing.assert_array_equal(
        cooccurrence_counts(["axb"], ["a", "b"], window=2).toarray(), [[0, 1], [1, 0]]
    )


def _slow_counts(texts, vocab, window):
    index = {ch: i for i, ch in enumerate(vocab)}
    c = np.zeros((len(vocab), len(vocab)))
    for text in texts:
        for t, a in enumerate(text):
            for u in range(max(0, t - window), min(len(text), t + window + 1)):
                if u != t and a in index and text[u] in index:
                    c[index[a], index[text[u]]] += 1
    return c


def test_counts_match_a_slow_loop_on_random_text():
    rng = random.Random(0)
    texts = ["".join(rng.choice("abcdefg") for _ in range(rng.randint(0, 30))) for _ in range(40)]
    vocab = ["a", "c", "d", "g"]
    for window in (1, 3):
        np.testing.assert_array_equal(
            cooccurrence_counts(texts, vocab, window).toarray(), _slow_counts(texts, vocab, window)
        )


def test_counts_reject_bad_arguments():
    with pytest.raises(ValueError, match="window"):
        cooccurrence_counts(["ab"], ["a"], window=0)
    with pytest.raises(ValueError, match="duplicate"):
        cooccurrence_counts(["ab"], ["a", "a"])


def test_ppmi_by_hand():
    # N = 4, row sums (3, 1), column sums (3, 1)
    counts = np.array([[2.0, 1.0], [1.0, 0.0]])
    got = ppmi(counts).toarray()
    # PMI(0,0) = log((2/4) / (3/4 * 3/4)) = log(8/9) < 0 -> 0; PMI(0,1) = log((1/4) / (3/4 * 1/4))
    np.testing.assert_allclose(got, [[0.0, math.log(4 / 3)], [math.log(4 / 3), 0.0]])


def test_ppmi_smoothing_by_hand():
    counts = np.array([[2.0, 1.0], [1.0, 0.0]])
    p_c = np.array([3**0.75, 1.0]) / (3**0.75 + 1)
    p_w = np.array([3 / 4, 1 / 4])
    expected = np.array(
        [
            [max(0.0, math.log(0.5 / (p_w[0] * p_c[0]))), math.log(0.25 / (p_w[0] * p_c[1]))],
            [math.log(0.25 / (p_w[1] * p_c[0])), 0.0],
        ]
    )
    np.testing.assert_allclose(ppmi(counts, alpha=0.75).toarray(), expected)
    # smoothing raises the probability of the rare context 1, so its PMI goes down
    assert ppmi(counts, alpha=0.75)[0, 1] < ppmi(counts)[0, 1]


def test_ppmi_matches_dense_formula_on_random_counts():
    rng = np.random.default_rng(0)
    counts = rng.poisson(0.7, size=(30, 40)).astype(float)
    for alpha in (1.0, 0.75):
        total = counts.sum()
        p_wc = counts / total
        p_w = counts.sum(1, keepdims=True) / total
        ctx = counts.sum(0, keepdims=True) ** alpha
        with np.errstate(divide="ignore"):
            pmi = np.log(p_wc / (p_w * ctx / ctx.sum()))
        expected = np.maximum(pmi, 0)
        np.testing.assert_allclose(ppmi(sparse.csr_matrix(counts), alpha).toarray(), expected)


def test_ppmi_rejects_bad_input():
    with pytest.raises(ValueError, match="alpha"):
        ppmi(np.ones((2, 2)), alpha=0)
    with pytest.raises(ValueError, match="non-negative"):
        ppmi(np.array([[1.0, -1.0]]))
    with pytest.raises(ValueError, match="all zero"):
        ppmi(np.zeros((2, 2)))
