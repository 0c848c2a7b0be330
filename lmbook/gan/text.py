"""Getting a gradient through sampled text: Gumbel-softmax and REINFORCE (section 7.2).

Sampling a character (``argmax`` or a categorical draw) is piecewise constant in the logits, so
its derivative is zero wherever it exists. Two ways around it:

- :func:`gumbel_softmax`: the Gumbel-max trick draws an exact categorical sample as
  ``argmax(logits + g)`` with Gumbel noise ``g``; replacing the ``argmax`` by a softmax at
  temperature ``tau`` makes it differentiable (Jang et al. 2017; Maddison et al. 2017). With
  ``hard=True`` the straight-through estimator returns the one-hot sample in the forward pass
  and the soft sample's gradient in the backward pass, like ``torch.nn.functional.gumbel_softmax``.
- :func:`reinforce_loss`: the score-function (REINFORCE) estimator (Williams 1992):
  ``grad E[f] = E[(f - b) grad log p]`` for any baseline ``b`` that does not depend on the
  sample; :class:`MovingBaseline` is the running mean of the rewards that SeqGAN-style
  training uses.
"""

from __future__ import annotations

import torch

__all__ = ["MovingBaseline", "gumbel_noise", "gumbel_softmax", "reinforce_loss"]


def gumbel_noise(shape: torch.Size | tuple[int, ...], like: torch.Tensor) -> torch.Tensor:
    """Standard Gumbel noise ``-log(E)``, ``E ~ Exp(1)``, drawn from the global generator the
    same way ``torch.nn.functional.gumbel_softmax`` draws it (so both agree under one seed)."""
    return -torch.empty(shape, dtype=like.dtype, device=like.device).exponential_().log()


def gumbel_softmax(
    logits: torch.Tensor, tau: float = 1.0, hard: bool = False, dim: int = -1
) -> torch.Tensor:
    """A Gumbel-softmax sample of ``softmax(logits)`` at temperature ``tau``.

    ``hard=False``: the soft sample ``softmax((logits + g) / tau)``. ``hard=True``: the one-hot
    of its ``argmax`` (an exact categorical sample) in the forward pass, with the soft sample's
    gradient (straight-through: ``hard - soft.detach() + soft``).
    """
    if tau <= 0:
        raise ValueError(f"tau must be positive, got {tau}")
    soft = ((logits + gumbel_noise(logits.shape, logits)) / tau).softmax(dim)
    if not hard:
        return soft
    index = soft.argmax(dim, keepdim=True)
    one_hot = torch.zeros_like(logits).scatter_(dim, index, 1.0)
    return one_hot - soft.detach() + soft


def reinforce_loss(
    log_probs: torch.Tensor, rewards: torch.Tensor, baseline: float | torch.Tensor = 0.0
) -> torch.Tensor:
    """Surrogate loss whose gradient is the REINFORCE estimate of ``-grad E[reward]``.

    ``log_probs``: log-probability of each sampled sequence (summed over its tokens), shape
    ``(batch,)``; ``rewards``: the reward of each sample (no gradient flows through it);
    ``baseline``: subtracted from the rewards to cut the variance without adding bias.
    """
    advantage = (rewards - baseline).detach()
    return -(advantage * log_probs).mean()


class MovingBaseline:
    """Exponential moving average of the mean reward, the baseline of :func:`reinforce_loss`."""

    def __init__(self, decay: float = 0.9) -> None:
        if not 0 <= decay < 1:
            raise ValueError(f"decay must be in [0, 1), got {decay}")
        self.decay = decay
        self.value: float | None = None

    def update(self, rewards: torch.Tensor) -> float:
        """Return the baseline to use for ``rewards`` (the average *before* them), then update."""
        mean = float(rewards.mean())
        current = mean if self.value is None else self.value
        self.value = current * self.decay + mean * (1 - self.decay)
        return current
