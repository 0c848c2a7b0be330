"""Calibration of a classifier's probabilities (section 6.3): reliability bins and diagrams, the
expected calibration error (ECE), temperature scaling and Platt scaling fitted by minimising the
negative log-likelihood on held-out data.

Bins are equal-width on ``[0, 1]`` and half-open on the left, ``(lo, hi]`` (the first also takes
0), as in Guo et al. (2017) and ``sklearn.calibration.calibration_curve`` (``strategy="uniform"``),
whose non-empty bins :func:`reliability_bins` reproduces.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "ReliabilityBins",
    "apply_platt",
    "expected_calibration_error",
    "fit_platt",
    "fit_temperature",
    "negative_log_likelihood",
    "plot_reliability",
    "reliability_bins",
    "top_label",
]


@dataclass(frozen=True)
class ReliabilityBins:
    """Per-bin statistics of (score, outcome) pairs; empty bins hold NaN means."""

    edges: np.ndarray  # n_bins + 1 edges from 0 to 1
    counts: np.ndarray  # examples per bin
    mean_score: np.ndarray  # mean predicted probability per bin
    frequency: np.ndarray  # observed frequency of the outcome per bin

    @property
    def ece(self) -> float:
        """``sum_b |B_b| / n * |frequency_b - mean_score_b|`` over non-empty bins."""
        full = self.counts > 0
        gaps = np.abs(self.frequency[full] - self.mean_score[full])
        return float(np.sum(self.counts[full] * gaps) / self.counts.sum())


def reliability_bins(scores: ArrayLike, outcomes: ArrayLike, n_bins: int = 10) -> ReliabilityBins:
    """Put each probability ``scores[i]`` into one of ``n_bins`` equal-width bins and compare the
    bin's mean score with the share of ``outcomes`` (0/1) that happened in it."""
    s = np.asarray(scores, dtype=float)
    o = np.asarray(outcomes, dtype=float)
    if s.shape != o.shape or s.ndim != 1:
        raise ValueError(f"scores and outcomes must be 1-D of one length, got {s.shape}, {o.shape}")
    if np.any((s < 0) | (s > 1)):
        raise ValueError("scores must lie in [0, 1]")
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    ids = np.searchsorted(edges[1:-1], s, side="left")
    counts = np.bincount(ids, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_score = np.bincount(ids, weights=s, minlength=n_bins) / counts
        frequency = np.bincount(ids, weights=o, minlength=n_bins) / counts
    return ReliabilityBins(edges, counts, mean_score, frequency)


def top_label(probs: ArrayLike, labels: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Confidence (largest class probability) and correctness (0/1) of each row of ``probs``."""
    p = np.asarray(probs, dtype=float)
    y = np.asarray(labels)
    return p.max(axis=1), (p.argmax(axis=1) == y).astype(float)


def expected_calibration_error(probs: ArrayLike, labels: ArrayLike, n_bins: int = 10) -> float:
    """Top-label ECE of class probabilities ``probs`` (``[n, classes]``): the count-weighted mean
    gap between confidence and accuracy over ``n_bins`` confidence bins."""
    return reliability_bins(*top_label(probs, labels), n_bins=n_bins).ece


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def negative_log_likelihood(
    logits: ArrayLike, labels: ArrayLike, temperature: float = 1.0
) -> float:
    """Mean ``-log softmax(logits / temperature)[label]``."""
    z = np.asarray(logits, dtype=float) / temperature
    y = np.asarray(labels, dtype=int)
    return float(-_log_softmax(z)[np.arange(len(y)), y].mean())


def fit_temperature(
    logits: ArrayLike, labels: ArrayLike, bounds: tuple[float, float] = (0.05, 20.0)
) -> float:
    """Temperature scaling (Guo et al. 2017): the ``T`` within ``bounds`` that minimises
    :func:`negative_log_likelihood` of ``logits / T`` (fit it on validation data, never test).
    One parameter, so the arg-max and hence the accuracy stay as they were."""
    from scipy.optimize import minimize_scalar

    z = np.asarray(logits, dtype=float)
    y = np.asarray(labels, dtype=int)
    lo, hi = np.log(bounds[0]), np.log(bounds[1])
    res = minimize_scalar(
        lambda log_t: negative_log_likelihood(z, y, float(np.exp(log_t))),
        bounds=(lo, hi),
        method="bounded",
        options={"xatol": 1e-6},
    )
    return float(np.exp(res.x))


def fit_platt(scores: ArrayLike, labels: ArrayLike) -> tuple[float, float]:
    """Platt scaling: ``P(y=1 | s) = sigmoid(a s + b)`` for a binary classifier's real-valued
    score ``s`` (e.g. a logistic regression's decision function), ``(a, b)`` by minimising the NLL
    (without Platt's smoothed targets). ``b = 0`` would be temperature scaling with ``T = 1/a``."""
    from scipy.optimize import minimize
    from scipy.special import expit, log_expit

    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=float)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = w[0] * s + w[1]
        value = -np.mean(y * log_expit(z) + (1 - y) * log_expit(-z))
        r = expit(z) - y
        return float(value), np.array([np.mean(r * s), np.mean(r)])

    res = minimize(loss, x0=np.array([1.0, 0.0]), jac=True, method="L-BFGS-B", tol=1e-12)
    return float(res.x[0]), float(res.x[1])


def apply_platt(scores: ArrayLike, a: float, b: float) -> np.ndarray:
    """Class probabilities ``[1 - p, p]`` with ``p = sigmoid(a s + b)``, one row per score."""
    from scipy.special import expit

    p = expit(a * np.asarray(scores, dtype=float) + b)
    return np.stack([1 - p, p], axis=1)


def plot_reliability(ax: Any, bins: ReliabilityBins, label: str, color: str | None = None) -> Any:
    """A reliability diagram on ``ax``: each non-empty bin's observed frequency against its mean
    predicted probability (marker area ~ examples in the bin), with the diagonal of perfect
    calibration; the legend entry reads ``label`` and the ECE."""
    full = bins.counts > 0
    size = 400 * bins.counts[full] / bins.counts.sum() + 10
    ax.plot([0, 1], [0, 1], color="0.6", lw=1, ls="--")
    (line,) = ax.plot(
        bins.mean_score[full],
        bins.frequency[full],
        marker="o",
        color=color,
        ms=0,
        lw=1.5,
        label=f"{label}（ECE={bins.ece:.3f}）",
    )
    ax.scatter(
        bins.mean_score[full], bins.frequency[full], s=size, color=line.get_color(), alpha=0.6
    )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("预测概率（箱内平均）")
    ax.set_ylabel("实际频率")
    return ax
