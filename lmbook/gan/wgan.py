"""Section 7.3's repairs of the GAN: the Wasserstein critic with a gradient penalty, and
spectral normalisation, both from scratch.

- WGAN (Arjovsky et al., 2017): the critic ``f`` maximises ``E_p f(x) - E_q f(x)`` over
  1-Lipschitz functions (then the maximum is the Wasserstein-1 distance); the generator
  minimises ``-E_q f(G(z))``.
- WGAN-GP (Gulrajani et al., 2017): instead of clipping weights, add
  ``lambda * E (||grad f(x_hat)|| - 1)^2`` at points ``x_hat`` drawn uniformly on segments
  between real and generated samples.
- Spectral normalisation (Miyato et al., 2018): divide each weight matrix by an estimate of its
  largest singular value, kept up to date by one power-iteration step per training forward pass.
  :class:`SNLinear` does exactly what ``torch.nn.utils.parametrizations.spectral_norm`` does for
  a linear layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import nn

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable

__all__ = ["SNLinear", "critic_loss", "gradient_penalty", "power_iteration", "wgan_g_loss"]


def critic_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """``E_q f(x) - E_p f(x)``: minus the critic's estimate of the Wasserstein distance."""
    return fake_scores.mean() - real_scores.mean()


def wgan_g_loss(fake_scores: torch.Tensor) -> torch.Tensor:
    """``-E_q f(G(z))``: the generator's loss against a critic."""
    return -fake_scores.mean()


def gradient_penalty(
    critic: Callable[[torch.Tensor], torch.Tensor],
    real: torch.Tensor,
    fake: torch.Tensor,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """``E (||grad_x f(x_hat)||_2 - 1)^2``, ``x_hat = e * real + (1 - e) * fake``, ``e ~ U(0, 1)``.

    The gradient is taken with ``create_graph=True`` so that the penalty can be minimised.
    """
    e = torch.rand(len(real), 1, generator=generator, dtype=real.dtype)
    x_hat = (e * real + (1 - e) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return ((grad.norm(dim=1) - 1) ** 2).mean()


def power_iteration(
    weight: torch.Tensor, v: torch.Tensor, n_iter: int = 1, eps: float = 1e-12
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``n_iter`` steps of ``u = Wv / ||Wv||, v = W^T u / ||W^T u||``; return ``(sigma, u, v)``.

    ``sigma = u^T W v`` estimates the largest singular value of ``weight`` (``out x in``).
    """
    for _ in range(n_iter):
        u = weight @ v
        u = u / u.norm().clamp_min(eps)
        v = weight.T @ u
        v = v / v.norm().clamp_min(eps)
    return u @ weight @ v, u, v


class SNLinear(nn.Linear):
    """A linear layer whose weight is divided by its spectral norm (power iteration).

    Like PyTorch's parametrization: ``u`` and ``v`` are buffers, warmed up with 15 power
    iterations at construction; every forward pass in training mode does one more step; the
    iterates are not differentiated through (``sigma = u^T W v`` is).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        super().__init__(in_features, out_features, bias=bias)
        v = torch.randn(in_features)
        self.register_buffer("u", torch.zeros(out_features))
        self.register_buffer("v", v / v.norm())
        self.refresh(15)

    @torch.no_grad()
    def refresh(self, n_iter: int = 1) -> None:
        """Advance the power iteration by ``n_iter`` steps."""
        _, u, v = power_iteration(self.weight, self.v, n_iter)
        self.u.copy_(u)
        self.v.copy_(v)

    def normalized_weight(self) -> torch.Tensor:
        """``W / sigma`` with the current ``u``, ``v`` (differentiable in ``W``).

        ``u`` and ``v`` are cloned, as PyTorch does: the next forward pass updates them in place,
        and the graph of this one must keep the values it used.
        """
        return self.weight / (self.u.clone() @ self.weight @ self.v.clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:
            self.refresh()
        return nn.functional.linear(x, self.normalized_weight(), self.bias)
