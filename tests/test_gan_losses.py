"""The GAN losses against torch's BCE, and the optimal-discriminator / JS identity."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy.spatial.distance import jensenshannon

from lmbook.gan import (
    d_loss,
    g_loss_nonsaturating,
    g_loss_saturating,
    gan_value,
    js_divergence,
    optimal_discriminator,
)


def test_losses_are_binary_cross_entropies():
    g = torch.Generator().manual_seed(0)
    real, fake = torch.randn(64, 1, generator=g) * 4, torch.randn(64, 1, generator=g) * 4
    bce = F.binary_cross_entropy_with_logits
    torch.testing.assert_close(
        d_loss(real, fake), bce(real, torch.ones_like(real)) + bce(fake, torch.zeros_like(fake))
    )
    torch.testing.assert_close(g_loss_nonsaturating(fake), bce(fake, torch.ones_like(fake)))
    torch.testing.assert_close(g_loss_saturating(fake), -bce(fake, torch.zeros_like(fake)))


def test_saturating_gradient_vanishes_where_the_discriminator_wins():
    logit = torch.tensor([-10.0], requires_grad=True)  # D(G(z)) = 4.5e-5: the fake is caught
    (g_sat,) = torch.autograd.grad(g_loss_saturating(logit), logit)
    (g_ns,) = torch.autograd.grad(g_loss_nonsaturating(logit), logit)
    assert abs(g_sat.item()) < 1e-4 < 0.99 < abs(g_ns.item())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_optimal_discriminator_value_is_js(seed):
    rng = np.random.default_rng(seed)
    p, q = rng.dirichlet(np.ones(10)), rng.dirichlet(np.ones(10))
    q[0] = 0.0  # a point the generator never produces
    q /= q.sum()
    d_star = optimal_discriminator(p, q)
    js = js_divergence(p, q)
    assert math.isclose(js, jensenshannon(p, q) ** 2, rel_tol=1e-9)
    assert math.isclose(gan_value(d_star, p, q), -math.log(4) + 2 * js, rel_tol=1e-9)
    other = np.clip(d_star + rng.normal(0, 0.05, 10), 0.01, 0.99)
    assert gan_value(other, p, q) < gan_value(d_star, p, q)


def test_js_bounds():
    p = np.array([0.5, 0.5, 0.0, 0.0])
    assert js_divergence(p, p) == 0.0
    assert math.isclose(js_divergence(p, p[::-1].copy()), math.log(2))
