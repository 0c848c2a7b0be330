"""Critic loss, gradient penalty and spectral normalisation against torch."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from lmbook.gan import SNLinear, critic_loss, gradient_penalty, power_iteration, wgan_g_loss


def test_critic_and_generator_losses():
    real, fake = torch.tensor([1.0, 3.0]), torch.tensor([0.0, -2.0])
    assert critic_loss(real, fake).item() == -3.0
    assert wgan_g_loss(fake).item() == 1.0


def test_gradient_penalty_of_a_linear_critic():
    w = torch.tensor([[3.0, 4.0]])  # ||grad|| = 5 everywhere
    critic = lambda x: x @ w.T  # noqa: E731
    real, fake = torch.randn(16, 2), torch.randn(16, 2)
    torch.testing.assert_close(gradient_penalty(critic, real, fake), torch.tensor(16.0))
    w2 = w / 5
    crit2 = lambda x: x @ w2.T  # noqa: E731
    assert gradient_penalty(crit2, real, fake).item() < 1e-10


def test_gradient_penalty_is_differentiable_and_matches_autograd():
    torch.manual_seed(0)
    critic = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1))
    real, fake = torch.randn(32, 2), torch.randn(32, 2)
    g1, g2 = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    gp = gradient_penalty(critic, real, fake, generator=g1)
    e = torch.rand(32, 1, generator=g2)
    x = (e * real + (1 - e) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x).sum(), x)
    torch.testing.assert_close(gp, ((grad.norm(dim=1) - 1) ** 2).mean())
    gp.backward()
    assert critic[0].weight.grad is not None and critic[0].weight.grad.abs().sum() > 0


def test_power_iteration_finds_the_top_singular_value():
    torch.manual_seed(0)
    w = torch.randn(20, 10, dtype=torch.float64)
    sigma, u, v = power_iteration(w, torch.randn(10, dtype=torch.float64), n_iter=200)
    s = torch.linalg.svdvals(w)[0]
    torch.testing.assert_close(sigma, s)
    torch.testing.assert_close(w @ v, s * u)


def test_snlinear_equals_torch_spectral_norm_over_training():
    torch.manual_seed(0)
    ours = SNLinear(6, 9)
    ref = spectral_norm(nn.Linear(6, 9))
    with torch.no_grad():
        ref.parametrizations.weight.original.copy_(ours.weight)
        ref.bias.copy_(ours.bias)
        ref.parametrizations.weight[0]._u.copy_(ours.u)
        ref.parametrizations.weight[0]._v.copy_(ours.v)
    opt_a = torch.optim.SGD(ours.parameters(), lr=0.1)
    opt_b = torch.optim.SGD(ref.parameters(), lr=0.1)
    for _ in range(5):
        x = torch.randn(4, 6)
        out_a, out_b = ours(x), ref(x)
        torch.testing.assert_close(out_a, out_b)
        for opt, out in ((opt_a, out_a), (opt_b, out_b)):
            opt.zero_grad()
            (out**2).sum().backward()
            opt.step()
    ours.refresh(30)  # after the updates, u and v lag one step behind; converge them
    assert abs(torch.linalg.matrix_norm(ours.normalized_weight(), 2).item() - 1) < 1e-3


def test_snlinear_eval_mode_keeps_u_and_matches_torch():
    torch.manual_seed(1)
    ours = SNLinear(5, 7)
    ref = spectral_norm(nn.Linear(5, 7))
    with torch.no_grad():
        ref.parametrizations.weight.original.copy_(ours.weight)
        ref.bias.copy_(ours.bias)
        ref.parametrizations.weight[0]._u.copy_(ours.u)
        ref.parametrizations.weight[0]._v.copy_(ours.v)
    ours.eval()
    ref.eval()
    u0 = ours.u.clone()
    x = torch.randn(3, 5)
    torch.testing.assert_close(ours(x), ref(x))
    assert torch.equal(ours.u, u0)  # no power-iteration step outside training
    ours.train()
    ours(x)
    assert not torch.equal(ours.u, u0)
