"""The GAN losses of Goodfellow et al. (2014), on logits, and the optimal-discriminator identity.

The discriminator ``D(x) = sigmoid(logit)`` maximises ``V = E_p log D(x) + E_q log(1 - D(x))``
(``q`` the generator's distribution), i.e. minimises the binary cross-entropy with real = 1 and
fake = 0. The generator minimises ``E log(1 - D(G(z)))`` (the *saturating* form of the minimax
game) or, in practice, ``-E log D(G(z))`` (the *non-saturating* form). For fixed ``q`` the best
discriminator is ``D* = p / (p + q)`` and ``V(D*, G) = -log 4 + 2 JS(p || q)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import torch

__all__ = [
    "d_loss",
    "g_loss_nonsaturating",
    "g_loss_saturating",
    "gan_value",
    "js_divergence",
    "optimal_discriminator",
]


def d_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """``-E_p log D(x) - E_q log(1 - D(x))``: minus the value ``V``, written with softplus."""
    import torch.nn.functional as F

    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def g_loss_saturating(fake_logits: torch.Tensor) -> torch.Tensor:
    """``E log(1 - D(G(z))) = -E softplus(logit)``: the minimax game's generator loss."""
    import torch.nn.functional as F

    return -F.softplus(fake_logits).mean()


def g_loss_nonsaturating(fake_logits: torch.Tensor) -> torch.Tensor:
    """``-E log D(G(z)) = E softplus(-logit)``: the loss generators are trained with."""
    import torch.nn.functional as F

    return F.softplus(-fake_logits).mean()


def optimal_discriminator(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``D*(x) = p(x) / (p(x) + q(x))`` for densities (or probabilities) ``p`` and ``q``."""
    return p / (p + q)


def gan_value(d: np.ndarray, p: np.ndarray, q: np.ndarray) -> float:
    """``V(D, G) = sum_x p(x) log D(x) + q(x) log(1 - D(x))`` over a discrete space.

    Terms with zero weight count as zero (``0 log 0 = 0``).
    """
    import numpy as np

    with np.errstate(divide="ignore", invalid="ignore"):
        real = np.where(p > 0, p * np.log(d), 0.0)
        fake = np.where(q > 0, q * np.log1p(-d), 0.0)
    return float(real.sum() + fake.sum())


def js_divergence(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen-Shannon divergence in nats: ``(KL(p || m) + KL(q || m)) / 2``, ``m = (p + q) / 2``."""
    import numpy as np

    m = (p + q) / 2

    def kl(a: np.ndarray) -> float:
        nz = a > 0
        return float((a[nz] * np.log(a[nz] / m[nz])).sum())

    return kl(p) / 2 + kl(q) / 2
