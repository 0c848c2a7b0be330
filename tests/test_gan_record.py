"""The 2-D GAN training loop of the record: determinism, methods, the NaN guard."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from lmbook.gan import METHODS, VARIANTS, GAN2DConfig, em_baseline, train_gan2d
from lmbook.train import NonFiniteError


@pytest.mark.parametrize("name", ["gan", "sn-gan", "wgan-gp"])
def test_runs_are_reproducible(name):
    cfg = dataclasses.replace(METHODS[name], steps=6, eval_every=3)
    a, b = train_gan2d(cfg, seed=1), train_gan2d(cfg, seed=1)
    assert a.history_d.loss == b.history_d.loss and a.history_g.loss == b.history_g.loss
    assert [e["step"] for e in a.evals] == [3, 6]
    assert len(a.history_d.loss) == 6 * cfg.n_critic and len(a.history_g.loss) == 6


def test_variants_and_unknown_method():
    assert set(VARIANTS) < set(METHODS)
    with pytest.raises(ValueError):
        train_gan2d(GAN2DConfig("vae"))


def test_nan_data_is_caught():
    data = torch.full((64, 2), float("nan"))
    with pytest.raises(NonFiniteError):
        train_gan2d(GAN2DConfig(steps=2), data=data)


def test_em_baseline_covers_all_modes():
    (row,) = em_baseline([0])
    assert row["modes"] == 8 and row["high_quality"] > 0.97
