"""lmbook.viz.payload: quantised attention survives the round trip within the stated error."""

from __future__ import annotations

import numpy as np
import pytest

from lmbook.viz.payload import pack_matrices, quantisation_error_bound, unpack_matrices


def _attention(rng: np.random.Generator, shape: tuple[int, ...], causal: bool) -> np.ndarray:
    logits = rng.normal(scale=3.0, size=shape)
    if causal:
        logits = np.where(np.tri(shape[-1], dtype=bool), logits, -np.inf)
    weights = np.exp(logits - logits.max(-1, keepdims=True))
    return (weights / weights.sum(-1, keepdims=True)).astype(np.float32)


def test_round_trip_within_quantisation_error() -> None:
    rng = np.random.default_rng(0)
    full = _attention(rng, (2, 3, 7, 7), causal=False)
    causal = _attention(rng, (2, 3, 7, 7), causal=True)
    cross = _attention(rng, (2, 3, 4, 7), causal=False)
    payload, meta = pack_matrices(
        [("full", full, False), ("causal", causal, True), ("cross", cross, False)]
    )
    out = unpack_matrices(payload, meta)
    for key, original in [("full", full), ("causal", causal), ("cross", cross)]:
        error = np.abs(out[key] - original).max(axis=-1)
        assert np.all(error <= quantisation_error_bound(original) * (1 + 1e-5) + 1e-9), key
        assert out[key].shape == original.shape
    assert np.all(np.triu(out["causal"], 1) == 0)
    assert meta["n_values"] == full.size + 2 * 3 * (7 * 8 // 2) + cross.size  # triangle stored


def test_payload_is_compact_and_rejects_negative_weights() -> None:
    rng = np.random.default_rng(1)
    weights = _attention(rng, (4, 4, 64, 64), causal=True)
    payload, _ = pack_matrices([("a", weights, True)])
    assert len(payload) < weights.size  # under one byte per weight (triangle + deflate)
    with pytest.raises(ValueError, match="non-negative"):
        pack_matrices([("a", -weights, False)])
    with pytest.raises(ValueError, match="square"):
        pack_matrices([("a", weights[..., :10], True)])
