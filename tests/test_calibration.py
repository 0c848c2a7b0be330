"""``lmbook.metrics.calibration`` against scikit-learn, scipy and direct computations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import softmax
from sklearn.calibration import calibration_curve
from sklearn.linear_model import LogisticRegression

from lmbook.metrics import (
    apply_platt,
    expected_calibration_error,
    fit_platt,
    fit_temperature,
    negative_log_likelihood,
    reliability_bins,
    top_label,
)


@pytest.fixture
def binary() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    p = rng.uniform(size=500)
    y = (rng.uniform(size=500) < p**2).astype(int)  # p overstates P(y=1)
    return p, y


def test_bins_match_sklearn(binary: tuple[np.ndarray, np.ndarray]) -> None:
    p, y = binary
    p = np.concatenate([p, [0.0, 0.1, 0.5, 1.0]])  # values on the edges
    y = np.concatenate([y, [0, 0, 1, 1]])
    bins = reliability_bins(p, y, n_bins=10)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=10)
    full = bins.counts > 0
    np.testing.assert_allclose(bins.frequency[full], prob_true)
    np.testing.assert_allclose(bins.mean_score[full], prob_pred)
    assert bins.counts.sum() == len(p)


def test_ece_direct() -> None:
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.45, 0.55], [0.3, 0.7]])
    labels = np.array([0, 0, 1, 1])
    # confidences 0.9 (right), 0.8 (wrong), 0.55 (right), 0.7 (right): bins (0.5,0.6],(0.6,0.7],...
    expected = (abs(1 - 0.55) + abs(1 - 0.7) + abs(0 - 0.8) + abs(1 - 0.9)) / 4
    assert expected_calibration_error(probs, labels, n_bins=10) == pytest.approx(expected)
    conf, correct = top_label(probs, labels)
    np.testing.assert_allclose(conf, [0.9, 0.8, 0.55, 0.7])
    np.testing.assert_array_equal(correct, [1, 0, 1, 1])


def test_ece_zero_for_base_rate() -> None:
    labels = np.array([1] * 6 + [0] * 4)
    probs = np.tile([0.4, 0.6], (10, 1))
    assert expected_calibration_error(probs, labels) == pytest.approx(0.0)


def test_nll_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    z, y = rng.normal(size=(50, 3)) * 3, rng.integers(0, 3, 50)
    ref = torch.nn.functional.cross_entropy(torch.tensor(z / 2.0), torch.tensor(y)).item()
    assert negative_log_likelihood(z, y, 2.0) == pytest.approx(ref, rel=1e-10)


def test_temperature_recovers_scale() -> None:
    rng = np.random.default_rng(2)
    true = rng.normal(size=(4000, 2)) * 2
    y = np.array([rng.choice(2, p=p) for p in softmax(true, axis=1)])
    t = fit_temperature(3.0 * true, y)  # logits three times too sharp
    assert t == pytest.approx(3.0, rel=0.1)
    grid = np.linspace(0.5, 6, 1101)
    best = grid[np.argmin([negative_log_likelihood(3.0 * true, y, g) for g in grid])]
    assert t == pytest.approx(best, abs=0.01)


def test_platt_matches_sklearn(binary: tuple[np.ndarray, np.ndarray]) -> None:
    p, y = binary
    s = np.log(p / (1 - p))
    a, b = fit_platt(s, y)
    ref = LogisticRegression(C=np.inf).fit(s[:, None], y)
    np.testing.assert_allclose([a, b], [ref.coef_[0, 0], ref.intercept_[0]], atol=1e-3)
    np.testing.assert_allclose(apply_platt(s, a, b), ref.predict_proba(s[:, None]), atol=1e-3)


def test_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        reliability_bins([0.2, 1.5], [0, 1])
    with pytest.raises(ValueError):
        reliability_bins([0.2, 0.5], [0])
