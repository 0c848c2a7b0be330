"""``lmbook.train.metrics`` against scikit-learn and scipy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from sklearn import metrics as skm

from lmbook.train import (
    accuracy,
    bootstrap_ci,
    confusion_matrix,
    mcnemar,
    paired_bootstrap,
    precision_recall_f1,
)

RNG = np.random.default_rng(0)
Y = RNG.integers(0, 4, 300)
P = np.where(RNG.random(300) < 0.6, Y, RNG.integers(0, 4, 300))
P[P == 3] = 2  # class 3 never predicted: precision 0/0 -> 0 as zero_division=0


def test_accuracy_and_confusion_matrix() -> None:
    assert accuracy(Y, P) == pytest.approx(skm.accuracy_score(Y, P))
    np.testing.assert_array_equal(confusion_matrix(Y, P), skm.confusion_matrix(Y, P))
    labels = ["neg", "pos"]
    y, p = ["pos", "neg", "pos"], ["pos", "pos", "neg"]
    np.testing.assert_array_equal(
        confusion_matrix(y, p, labels), skm.confusion_matrix(y, p, labels=labels)
    )


@pytest.mark.parametrize("average", [None, "macro", "micro"])
def test_precision_recall_f1(average: str | None) -> None:
    ours = precision_recall_f1(Y, P, average)
    theirs = skm.precision_recall_fscore_support(Y, P, average=average, zero_division=0)[:3]
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b)


@pytest.mark.parametrize("average", [None, "macro", "micro"])
def test_a_subset_of_labels(average: str | None) -> None:
    """Leaving a class out (like ``O`` in tagging) still counts its confusions with the rest."""
    ours = precision_recall_f1(Y, P, average, labels=[1, 2])
    theirs = skm.precision_recall_fscore_support(
        Y, P, average=average, labels=[1, 2], zero_division=0
    )[:3]
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b)


def test_micro_f1_is_accuracy_and_bad_average() -> None:
    assert precision_recall_f1(Y, P, "micro")[2] == pytest.approx(accuracy(Y, P))
    with pytest.raises(ValueError, match="average"):
        precision_recall_f1(Y, P, "weighted")


def test_bootstrap_ci_matches_scipy() -> None:
    low, high = bootstrap_ci(accuracy, Y, P, n_resamples=4000)
    correct = (Y == P).astype(float)
    ref = stats.bootstrap(
        (correct,), np.mean, n_resamples=4000, method="percentile", rng=np.random.default_rng(1)
    ).confidence_interval
    assert low == pytest.approx(ref.low, abs=0.01)
    assert high == pytest.approx(ref.high, abs=0.01)
    assert low < accuracy(Y, P) < high


def test_paired_bootstrap() -> None:
    better = np.where(RNG.random(300) < 0.5, Y, P)  # right wherever P is, and on half the rest
    res = paired_bootstrap(accuracy, Y, better, P, n_resamples=4000)
    assert res.delta == pytest.approx(accuracy(Y, better) - accuracy(Y, P))
    diff = (better == Y).astype(float) - (P == Y).astype(float)
    ref = stats.bootstrap(
        (diff,), np.mean, n_resamples=4000, method="percentile", rng=np.random.default_rng(1)
    ).confidence_interval
    assert res.low == pytest.approx(ref.low, abs=0.01)
    assert res.high == pytest.approx(ref.high, abs=0.01)
    assert res.p_value < 0.001
    same = paired_bootstrap(accuracy, Y, P, P.copy())
    assert same.delta == 0 and same.p_value == 1.0


def test_mcnemar_against_scipy() -> None:
    a = np.where(RNG.random(300) < 0.3, Y, P)
    res = mcnemar(Y, a, P)
    right_a, right_p = a == Y, P == Y
    b, c = int(np.sum(right_a & ~right_p)), int(np.sum(~right_a & right_p))
    assert (res.b, res.c) == (b, c)
    assert res.p_value == pytest.approx(stats.binomtest(b, b + c, 0.5).pvalue)
    approx = mcnemar(Y, a, P, exact=False)
    chi2 = (abs(b - c) - 1) ** 2 / (b + c)
    assert approx.statistic == pytest.approx(chi2)
    assert approx.p_value == pytest.approx(stats.chi2.sf(chi2, 1))
    assert mcnemar(Y, P, P).p_value == 1.0
