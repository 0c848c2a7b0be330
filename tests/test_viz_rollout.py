"""lmbook.viz.rollout: attention rollout checked against a computation done by hand."""

from __future__ import annotations

import numpy as np
import pytest

from lmbook.viz.rollout import attention_rollout


def test_rollout_matches_hand_computation() -> None:
    layer1 = [[[1.0, 0.0], [0.5, 0.5]], [[1.0, 0.0], [0.1, 0.9]]]  # head mean [[1,0],[.3,.7]]
    layer2 = [[[1.0, 0.0], [0.8, 0.2]], [[1.0, 0.0], [0.6, 0.4]]]  # head mean [[1,0],[.7,.3]]
    rolled = attention_rollout(np.array([layer1, layer2]))
    # 0.5 * (mean + I): layer 1 -> [[1,0],[.15,.85]], layer 2 -> [[1,0],[.35,.65]]
    np.testing.assert_allclose(rolled[0], [[1.0, 0.0], [0.15, 0.85]], atol=1e-7)
    # R2 = Â2 @ Â1 = [[1,0],[.35 + .65 * .15, .65 * .85]]
    np.testing.assert_allclose(rolled[1], [[1.0, 0.0], [0.4475, 0.5525]], atol=1e-7)


def test_rollout_renormalises_rows() -> None:
    weights = np.array([[[[0.5, 0.0], [0.2, 0.2]]]])  # rows that do not sum to one
    # 0.5 * (A + I) = [[.75, 0], [.1, .6]] -> rows / row sums
    np.testing.assert_allclose(
        attention_rollout(weights)[0], [[1.0, 0.0], [1 / 7, 6 / 7]], atol=1e-7
    )


def test_rollout_rejects_cross_attention_shapes() -> None:
    with pytest.raises(ValueError, match="self-attention"):
        attention_rollout(np.ones((1, 1, 2, 3)))
