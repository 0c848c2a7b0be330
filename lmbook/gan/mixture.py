"""The 2-D task of sections 7.1 and 7.3: a ring of Gaussians, its measures and the EM baseline.

The data follow Metz et al. (2017): ``n_modes`` Gaussians of standard deviation ``std`` with
means equally spaced on a circle of radius ``radius`` (8 modes, radius 2, std 0.02). A sample is
*high quality* when it lies within ``3 * std`` of its nearest mean (Srivastava et al. 2017,
VEEGAN). VEEGAN counts a mode as *captured* when at least one high-quality sample is nearest to
it; the stricter count used in the book calls a mode *covered* when at least ``min_fraction`` of
its fair share (``n / n_modes``) of the samples are high-quality samples of that mode. The
non-adversarial baseline is a Gaussian mixture fitted by EM (``sklearn.mixture.GaussianMixture``)
to the same training set the GANs see.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from sklearn.mixture import GaussianMixture

__all__ = ["RING", "fit_em", "mode_stats", "ring_centers", "sample_ring"]

RING: dict[str, Any] = {"n_modes": 8, "radius": 2.0, "std": 0.02}


def ring_centers(n_modes: int = 8, radius: float = 2.0) -> np.ndarray:
    """The ``(n_modes, 2)`` means, mode ``k`` at angle ``2 pi k / n_modes``."""
    angle = 2 * np.pi * np.arange(n_modes) / n_modes
    return radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)


def sample_ring(
    n: int, seed: int = 0, n_modes: int = 8, radius: float = 2.0, std: float = 0.02
) -> np.ndarray:
    """``n`` samples (float32, shape ``(n, 2)``) of the ring mixture with equal weights."""
    rng = np.random.default_rng(seed)
    mode = rng.integers(n_modes, size=n)
    x = ring_centers(n_modes, radius)[mode] + std * rng.standard_normal((n, 2))
    return x.astype(np.float32)


def mode_stats(
    samples: Any,
    n_modes: int = 8,
    radius: float = 2.0,
    std: float = 0.02,
    min_fraction: float = 0.1,
) -> dict[str, Any]:
    """How well ``samples`` (array or tensor ``(n, 2)``) cover the ring.

    Returns ``modes`` (covered modes), ``captured`` (modes with at least one high-quality
    sample: VEEGAN's count), ``high_quality`` (share of samples within ``3 std`` of their
    nearest mean), ``counts`` (high-quality samples per mode), ``max_share`` (the largest mode's
    share of the high-quality samples: 1/8 for a perfect sampler, 1 for a collapse onto one mode)
    and ``nearest_share`` (each mode's share of *all* samples, assigned to the nearest mean
    however far: it tells a mode that gets no mass from one whose mass is merely spread out).
    """
    x = np.asarray(samples, dtype=np.float64)
    dist = np.linalg.norm(x[:, None, :] - ring_centers(n_modes, radius)[None], axis=2)
    nearest, good = dist.argmin(1), dist.min(1) < 3 * std
    counts = np.bincount(nearest[good], minlength=n_modes)
    need = min_fraction * len(x) / n_modes
    return {
        "modes": int((counts >= need).sum()),
        "captured": int((counts >= 1).sum()),
        "high_quality": float(good.mean()),
        "counts": counts.tolist(),
        "max_share": float(counts.max() / max(counts.sum(), 1)),
        "nearest_share": (np.bincount(nearest, minlength=n_modes) / len(x)).tolist(),
    }


def fit_em(data: Any, n_components: int = 8, seed: int = 0) -> GaussianMixture:
    """A full-covariance Gaussian mixture fitted by EM (k-means initialisation) to ``data``."""
    from sklearn.mixture import GaussianMixture

    return GaussianMixture(n_components, covariance_type="full", random_state=seed).fit(
        np.asarray(data, dtype=np.float64)
    )
