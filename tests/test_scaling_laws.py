"""lmbook.scaling.laws: power-law fits and the Chinchilla parametric loss."""

from __future__ import annotations

import numpy as np
import pytest

from lmbook.scaling import (
    CHINCHILLA_FIT,
    ChinchillaParams,
    bootstrap_power_law,
    chinchilla_loss,
    fit_chinchilla,
    fit_loss_power_law,
)


def test_power_law_recovers_exponent_and_interval_covers_it():
    x = np.geomspace(1e9, 1e13, 12)
    rng = np.random.default_rng(1)
    y = 3.0 * x**-0.05 * np.exp(rng.normal(0, 0.002, x.size))
    law = fit_loss_power_law(x, y)
    assert law.exponent == pytest.approx(0.05, abs=2e-3)
    assert law.coefficient == pytest.approx(3.0, rel=0.05)
    np.testing.assert_allclose(law(x), 3.0 * x**-0.05, rtol=0.01)
    lo, hi = bootstrap_power_law(x, y, n_boot=300)
    assert lo < 0.05 < hi and hi - lo < 0.01


def test_bootstrap_skips_degenerate_resamples():
    lo, hi = bootstrap_power_law([1.0, 10.0], [2.0, 1.0], n_boot=50)
    assert lo == pytest.approx(hi) == pytest.approx(np.log10(2.0))


def test_chinchilla_loss_formula():
    n, d = 70e9, 1.4e12
    p = CHINCHILLA_FIT
    expected = p.E + p.A / n**p.alpha + p.B / d**p.beta
    assert chinchilla_loss(n, d) == pytest.approx(expected)
    assert chinchilla_loss(n, d) == pytest.approx(1.937, abs=2e-3)


def test_fit_chinchilla_recovers_parameters_from_exact_data():
    true = ChinchillaParams(E=2.0, A=300.0, B=500.0, alpha=0.4, beta=0.3)
    n = np.repeat(np.geomspace(1e7, 1e10, 6), 6)
    d = np.tile(np.geomspace(1e9, 1e12, 6), 6)
    fit, objective = fit_chinchilla(n, d, chinchilla_loss(n, d, true))
    assert objective < 1e-6
    assert fit.alpha == pytest.approx(0.4, abs=0.01)
    assert fit.beta == pytest.approx(0.3, abs=0.01)
    assert abs(fit.E - 2.0) < 0.02
    np.testing.assert_allclose(chinchilla_loss(n, d, fit), chinchilla_loss(n, d, true), rtol=1e-3)


def test_fit_chinchilla_respects_bounds():
    n = np.repeat(np.geomspace(1e5, 1e6, 4), 4)
    d = np.tile(np.geomspace(1e5, 1e6, 4), 4)
    y = 3.0 + 20.0 / d**0.2  # no parameter term at all
    fit, _ = fit_chinchilla(n, d, y, exponent_bounds=(0.05, 1.0))
    assert 0.05 <= fit.alpha <= 1.0 and 0.05 <= fit.beta <= 1.0
    np.testing.assert_allclose(chinchilla_loss(n, d, fit), y, rtol=1e-2)
