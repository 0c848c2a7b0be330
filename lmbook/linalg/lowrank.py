"""Low-rank approximation of matrices with the SVD (section 2.3, reused for LoRA in chapter 5).

By the Eckart–Young theorem the rank-``k`` truncated SVD is the best rank-``k`` approximation
in Frobenius norm, and its squared error is the sum of the discarded squared singular values.
These helpers accept ``torch.Tensor`` or NumPy arrays and return ``torch.Tensor``s, so the same
calls work on a PPMI matrix and on a model's weight matrix.
"""

from __future__ import annotations

import numpy as np
import torch

__all__ = [
    "energy_fraction",
    "factorize",
    "frobenius_error",
    "low_rank_approx",
    "lowrank_param_count",
    "rank_for_energy",
    "tail_energy",
    "truncated_svd",
]

Matrix = torch.Tensor | np.ndarray


def _as_matrix(w: Matrix) -> torch.Tensor:
    t = torch.as_tensor(w)
    if t.ndim != 2:
        raise ValueError(f"expected a 2-D matrix, got shape {tuple(t.shape)}; reshape it first")
    if not t.is_floating_point():
        t = t.to(torch.get_default_dtype())
    return t


def _check_rank(k: int, w: torch.Tensor) -> None:
    if not 0 <= k <= min(w.shape):
        raise ValueError(
            f"rank k must be in [0, {min(w.shape)}] for shape {tuple(w.shape)}, got {k}"
        )


def truncated_svd(w: Matrix, k: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Return ``(U_k, S_k, Vh_k)``: the top-``k`` singular triplets, ``W ≈ U_k diag(S_k) Vh_k``."""
    t = _as_matrix(w)
    _check_rank(k, t)
    u, s, vh = torch.linalg.svd(t, full_matrices=False)
    return u[:, :k], s[:k], vh[:k]


def low_rank_approx(w: Matrix, k: int) -> torch.Tensor:
    """Return the best rank-``k`` approximation of ``w`` (its truncated SVD, multiplied back)."""
    u, s, vh = truncated_svd(w, k)
    return (u * s) @ vh


def factorize(w: Matrix, r: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Split ``w`` (d x k) into ``B`` (d x r) and ``A`` (r x k) with ``B @ A`` its best rank-r fit.

    The singular values are shared evenly (``B = U_r sqrt(S_r)``, ``A = sqrt(S_r) Vh_r``), the
    same ``B A`` shape that LoRA trains as a weight update (chapter 5).
    """
    u, s, vh = truncated_svd(w, r)
    root = s.sqrt()
    return u * root, root[:, None] * vh


def frobenius_error(w: Matrix, approx: Matrix) -> float:
    """Return ``||w - approx||_F^2``, the squared Frobenius norm of the approximation error."""
    a, b = _as_matrix(w), _as_matrix(approx)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {tuple(a.shape)} vs {tuple(b.shape)}")
    return float(torch.linalg.matrix_norm(a - b.to(a.dtype), ord="fro") ** 2)


def tail_energy(singular_values: Matrix, k: int) -> float:
    """Return ``sum_{i > k} s_i^2``: the Eckart–Young error of the best rank-``k`` approximation."""
    s = torch.as_tensor(singular_values)
    if s.ndim != 1:
        raise ValueError(f"expected a 1-D vector of singular values, got shape {tuple(s.shape)}")
    if not 0 <= k <= len(s):
        raise ValueError(f"k must be in [0, {len(s)}], got {k}")
    return float((s[k:].double() ** 2).sum())


def energy_fraction(singular_values: Matrix) -> torch.Tensor:
    """Return the share of ``||W||_F^2`` kept by ranks ``1..n``: ``cumsum(s^2) / sum(s^2)``."""
    s = torch.as_tensor(singular_values).double()
    total = (s**2).sum()
    if total == 0:
        raise ValueError("all singular values are zero: a zero matrix has no energy to share")
    return torch.cumsum(s**2, 0) / total


def rank_for_energy(singular_values: Matrix, fraction: float) -> int:
    """Return the smallest rank whose truncated SVD keeps at least ``fraction`` of ``||W||_F^2``."""
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    kept = energy_fraction(singular_values)
    # a tiny tolerance so that fraction=1.0 is reached despite rounding in the cumulative sum
    return int(torch.searchsorted(kept, torch.tensor([fraction - 1e-12], dtype=kept.dtype))) + 1


def lowrank_param_count(d: int, k: int, r: int) -> int:
    """Return the parameter count ``r (d + k)`` of a rank-``r`` factorisation of a d x k matrix."""
    if min(d, k, r) < 1:
        raise ValueError(f"d, k and r must be positive, got d={d}, k={k}, r={r}")
    return r * (d + k)
