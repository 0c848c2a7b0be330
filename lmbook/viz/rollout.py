"""Attention rollout (Abnar & Zuidema 2020): how much each position draws on each input token.

Each layer's head-averaged attention gets the residual connection added as ``0.5 * (A + I)``, rows
are renormalised, and the layers are multiplied from the bottom up: ``R_l = Â_l @ R_{l-1}``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["attention_rollout"]


def attention_rollout(weights: np.ndarray) -> np.ndarray:
    """Rollout after each layer of attention ``[layers, heads, T, T]``, as ``[layers, T, T]``."""
    if weights.ndim != 4 or weights.shape[-1] != weights.shape[-2]:
        raise ValueError(
            f"rollout needs self-attention of shape [layers, heads, T, T], got {weights.shape}"
        )
    n = weights.shape[-1]
    eye = np.eye(n)
    rolled = np.empty((weights.shape[0], n, n), dtype=np.float64)
    current = eye
    for layer, heads in enumerate(weights.astype(np.float64)):
        step = 0.5 * (heads.mean(axis=0) + eye)
        step /= step.sum(axis=-1, keepdims=True)
        current = step @ current
        rolled[layer] = current
    return rolled.astype(np.float32)
