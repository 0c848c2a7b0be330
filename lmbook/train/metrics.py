"""Classification metrics from scratch (section 4.4), each tested against scikit-learn or scipy.

- :func:`accuracy`, :func:`confusion_matrix`, :func:`precision_recall_f1` (per class, macro,
  micro; == ``sklearn.metrics`` with ``zero_division=0``);
- :func:`bootstrap_ci`: a percentile bootstrap interval of any metric over the test examples
  (Efron & Tibshirani 1993);
- :func:`paired_bootstrap`: the difference of a metric between two models on the *same*
  examples, with its interval and a two-sided p-value from the bootstrap shifted to the null;
- :func:`mcnemar`: McNemar's test (1947) on the examples where exactly one model is right
  (exact binomial, or chi-squared with continuity correction).

Inputs are 1-D arrays of labels (any hashable values NumPy can compare).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "McNemar",
    "PairedBootstrap",
    "accuracy",
    "bootstrap_ci",
    "confusion_matrix",
    "mcnemar",
    "paired_bootstrap",
    "precision_recall_f1",
]

Metric = Callable[[np.ndarray, np.ndarray], float]


def accuracy(y_true: Sequence[Any], y_pred: Sequence[Any]) -> float:
    """Share of examples whose prediction equals the label."""
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))


def confusion_matrix(
    y_true: Sequence[Any], y_pred: Sequence[Any], labels: Sequence[Any] | None = None
) -> np.ndarray:
    """``C[i, j]`` = examples of true class ``labels[i]`` predicted as ``labels[j]``.

    ``labels`` defaults to the sorted union of both arrays (as scikit-learn).
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    labels = np.unique(np.concatenate([y_true, y_pred])) if labels is None else np.asarray(labels)
    index = {label: i for i, label in enumerate(labels.tolist())}
    matrix = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for t, p in zip(y_true.tolist(), y_pred.tolist(), strict=True):
        if t in index and p in index:
            matrix[index[t], index[p]] += 1
    return matrix


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` with 0 where ``den`` is 0 (scikit-learn's ``zero_division=0``)."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def precision_recall_f1(
    y_true: Sequence[Any],
    y_pred: Sequence[Any],
    average: str | None = "macro",
    labels: Sequence[Any] | None = None,
) -> tuple[Any, Any, Any]:
    """Precision ``TP/(TP+FP)``, recall ``TP/(TP+FN)`` and F1 (their harmonic mean).

    ``average=None``: arrays, one value per class of ``labels``; ``"macro"``: the unweighted
    mean of the per-class values (every class counts the same); ``"micro"``: pool the counts of
    all classes first (every example counts the same; with all classes it equals accuracy).
    ``labels`` (default: every class seen) may leave classes out, e.g. ``"O"`` in tagging.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if labels is None:
        labels = np.unique(np.concatenate([y_true, y_pred]))
    # counted over all examples: a prediction of a listed class for an unlisted one is an FP
    tp = np.array([np.sum((y_true == c) & (y_pred == c)) for c in labels])
    predicted = np.array([np.sum(y_pred == c) for c in labels])
    actual = np.array([np.sum(y_true == c) for c in labels])
    if average == "micro":
        tp, predicted, actual = tp.sum(), predicted.sum(), actual.sum()
    elif average not in (None, "macro"):
        raise ValueError(f"average={average!r}: use None, 'macro' or 'micro'.")
    precision, recall = _ratio(tp, predicted), _ratio(tp, actual)
    f1 = _ratio(2 * tp, predicted + actual)  # = 2PR/(P+R), and 0 where both are 0
    if average == "macro":
        return float(precision.mean()), float(recall.mean()), float(f1.mean())
    if average == "micro":
        return float(precision), float(recall), float(f1)
    return precision, recall, f1


def _resamples(n: int, n_resamples: int, seed: int) -> np.ndarray:
    """``n_resamples`` rows of ``n`` indices drawn with replacement."""
    return np.random.default_rng(seed).integers(0, n, size=(n_resamples, n))


def bootstrap_ci(
    metric: Metric,
    y_true: Sequence[Any],
    y_pred: Sequence[Any],
    n_resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``metric(y_true, y_pred)`` over resampled test examples.

    It measures how much the score would move on another test set drawn like this one; it says
    nothing about the variation from retraining the model.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    scores = [metric(y_true[i], y_pred[i]) for i in _resamples(len(y_true), n_resamples, seed)]
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(scores, [tail, 100 - tail])
    return float(low), float(high)


class PairedBootstrap(NamedTuple):
    """``metric(a) - metric(b)`` on the test set, its percentile interval, two-sided p-value."""

    delta: float
    low: float
    high: float
    p_value: float


def paired_bootstrap(
    metric: Metric,
    y_true: Sequence[Any],
    pred_a: Sequence[Any],
    pred_b: Sequence[Any],
    n_resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> PairedBootstrap:
    """Resample test examples (the same indices for both models) and look at the difference.

    The p-value tests "no difference": the resampled differences are shifted by the observed
    one so that they are centred on 0, and ``p`` is the share at least as far from 0 as the
    observed difference (Efron & Tibshirani 1993, ch. 16).
    """
    y_true, pred_a, pred_b = np.asarray(y_true), np.asarray(pred_a), np.asarray(pred_b)
    delta = metric(y_true, pred_a) - metric(y_true, pred_b)
    deltas = np.array(
        [
            metric(y_true[i], pred_a[i]) - metric(y_true[i], pred_b[i])
            for i in _resamples(len(y_true), n_resamples, seed)
        ]
    )
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(deltas, [tail, 100 - tail])
    p_value = float(np.mean(np.abs(deltas - delta) >= abs(delta)))
    return PairedBootstrap(float(delta), float(low), float(high), p_value)


class McNemar(NamedTuple):
    """``b``: only model A right, ``c``: only model B right; the statistic and p-value."""

    b: int
    c: int
    statistic: float
    p_value: float


def mcnemar(
    y_true: Sequence[Any], pred_a: Sequence[Any], pred_b: Sequence[Any], exact: bool = True
) -> McNemar:
    """McNemar's test: under "equally accurate", each discordant example is a fair coin.

    ``exact``: two-sided binomial test of ``b`` out of ``b + c`` at 1/2 (statistic ``min(b, c)``);
    otherwise ``(|b - c| - 1)^2 / (b + c)`` against chi-squared with one degree of freedom.
    """
    from scipy import stats

    y_true = np.asarray(y_true)
    right_a, right_b = np.asarray(pred_a) == y_true, np.asarray(pred_b) == y_true
    b, c = int(np.sum(right_a & ~right_b)), int(np.sum(~right_a & right_b))
    n = b + c
    if n == 0:
        return McNemar(b, c, 0.0, 1.0)
    if exact:
        k = min(b, c)
        p_value = min(1.0, 2 * stats.binom.cdf(k, n, 0.5))
        return McNemar(b, c, float(k), float(p_value))
    statistic = (abs(b - c) - 1) ** 2 / n
    return McNemar(b, c, float(statistic), float(stats.chi2.sf(statistic, df=1)))
