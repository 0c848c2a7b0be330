"""Power laws of loss against scale, and the Chinchilla parametric loss (chapter 8).

Kaplan et al. (2020) fit each of loss against parameters, tokens and compute by a pure power law
``L = (X_c / X) ** alpha`` (:func:`fit_loss_power_law`, with a bootstrap interval from
:func:`bootstrap_power_law`). Hoffmann et al. (2022, "approach 3") fit all runs at once by

    L(N, D) = E + A / N**alpha + B / D**beta

minimising the Huber loss (delta = 1e-3) between predicted and observed log loss with L-BFGS
from a grid of initialisations (:func:`fit_chinchilla`); their published fit is
:data:`CHINCHILLA_FIT`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "CHINCHILLA_FIT",
    "KAPLAN_2020",
    "ChinchillaParams",
    "PowerLaw",
    "bootstrap_power_law",
    "chinchilla_loss",
    "fit_chinchilla",
    "fit_loss_power_law",
]

# Kaplan et al. 2020, section 1.2 (eqs. 1.1-1.3): non-embedding parameters, tokens, and compute
# on the compute-efficient frontier (PF-days); loss in nats per token on WebText2.
KAPLAN_2020: dict[str, float] = {
    "alpha_N": 0.076,
    "N_c": 8.8e13,
    "alpha_D": 0.095,
    "D_c": 5.4e13,
    "alpha_C_min": 0.050,
    "C_c_min_pf_days": 3.1e8,
}


class ChinchillaParams(NamedTuple):
    """The five constants of ``L(N, D) = E + A / N**alpha + B / D**beta`` (loss in nats)."""

    E: float
    A: float
    B: float
    alpha: float
    beta: float


# Hoffmann et al. 2022, section 3.3 / appendix D.2 (eq. 10): the approach 3 fit on MassiveText
CHINCHILLA_FIT = ChinchillaParams(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28)


class PowerLaw(NamedTuple):
    """``loss = coefficient * x ** (-exponent)``, i.e. ``(x_c / x) ** exponent``."""

    exponent: float
    coefficient: float

    def __call__(self, x: Any) -> np.ndarray:
        return self.coefficient * np.asarray(x, dtype=float) ** (-self.exponent)


def fit_loss_power_law(x: Any, loss: Any) -> PowerLaw:
    """Least-squares line on log-log axes through ``(x, loss)``: the exponent of a falling loss
    is positive (Kaplan's ``alpha``)."""
    from lmbook.nn import fit_power_law

    slope, coefficient = fit_power_law(np.array(x, dtype=float), np.array(loss, dtype=float))
    return PowerLaw(-slope, coefficient)


def bootstrap_power_law(
    x: Any, loss: Any, n_boot: int = 2000, level: float = 0.9, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap interval of :func:`fit_loss_power_law`'s exponent, resampling the
    points with replacement (resamples with fewer than two distinct ``x`` are skipped)."""
    x, loss = np.asarray(x, dtype=float), np.asarray(loss, dtype=float)
    rng = np.random.default_rng(seed)
    lx, ly = np.log(x), np.log(loss)
    exps = []
    for _ in range(n_boot):
        idx = rng.integers(0, len(x), len(x))
        if np.unique(lx[idx]).size < 2:
            continue
        exps.append(-np.polyfit(lx[idx], ly[idx], 1)[0])
    lo, hi = np.quantile(exps, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def chinchilla_loss(n_params: Any, n_tokens: Any, params: ChinchillaParams = CHINCHILLA_FIT) -> Any:
    """``E + A / N**alpha + B / D**beta`` (broadcasts over arrays)."""
    n, d = np.asarray(n_params, dtype=float), np.asarray(n_tokens, dtype=float)
    return params.E + params.A / n**params.alpha + params.B / d**params.beta


def _huber_log_objective(
    theta: np.ndarray, ln_n: np.ndarray, ln_d: np.ndarray, ln_l: np.ndarray, delta: float
) -> float:
    from scipy.special import huber, logsumexp

    a, b, e, alpha, beta = theta
    pred = logsumexp([a - alpha * ln_n, b - beta * ln_d, np.full_like(ln_n, e)], axis=0)
    return float(huber(delta, pred - ln_l).sum())


def fit_chinchilla(
    n_params: Any,
    n_tokens: Any,
    loss: Any,
    delta: float = 1e-3,
    exponent_bounds: tuple[float, float] = (0.01, 2.0),
    grid_size: int = 25,
) -> tuple[ChinchillaParams, float]:
    """Fit :func:`chinchilla_loss` as Hoffmann et al. do: Huber loss (``delta``) between
    predicted and observed log loss, minimised by L-BFGS over ``(log A, log B, log E, alpha,
    beta)``. The start is the best point of a ``grid_size`` x ``grid_size`` grid of exponents
    in ``exponent_bounds``, where ``E, A, B`` are the least-squares solution of the then linear
    model (non-negative least squares). Returns the fit and its objective."""
    from scipy.optimize import minimize, nnls

    n = np.asarray(n_params, dtype=float)
    d = np.asarray(n_tokens, dtype=float)
    y = np.asarray(loss, dtype=float)
    ln_n, ln_d, ln_l = np.log(n), np.log(d), np.log(y)
    best_start, best_value = None, np.inf
    for alpha in np.linspace(*exponent_bounds, grid_size):
        for beta in np.linspace(*exponent_bounds, grid_size):
            design = np.stack([np.ones_like(n), n**-alpha, d**-beta], axis=1)
            coef = np.maximum(nnls(design, y)[0], 1e-6)
            start = np.array([np.log(coef[1]), np.log(coef[2]), np.log(coef[0]), alpha, beta])
            value = _huber_log_objective(start, ln_n, ln_d, ln_l, delta)
            if value < best_value:
                best_start, best_value = start, value
    bounds = [(None, None), (None, None), (None, None), exponent_bounds, exponent_bounds]
    res = minimize(
        _huber_log_objective,
        best_start,
        args=(ln_n, ln_d, ln_l, delta),
        method="L-BFGS-B",
        bounds=bounds,
        options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10000},
    )
    a, b, e, alpha, beta = res.x
    fit = ChinchillaParams(
        float(np.exp(e)), float(np.exp(a)), float(np.exp(b)), float(alpha), float(beta)
    )
    return fit, float(res.fun)
