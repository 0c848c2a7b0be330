"""Optimisers from scratch (section 4.3): SGD with momentum and Nesterov, RMSProp, Adam, AdamW.

Each class is a ``torch.optim.Optimizer`` whose ``step`` writes the update rule out in a few
tensor operations, in the same order as ``torch.optim``'s single-tensor implementation, so that
the parameters agree with ``torch.optim.SGD`` / ``RMSprop`` / ``Adam`` / ``AdamW`` step for step
(``tests/test_optim.py``). They exist to be read; training uses ``torch.optim`` (``lmbook.train``).

- :class:`SGD`: heavy-ball momentum (Polyak 1964) and Nesterov's variant as Sutskever et al.
  (2013) write it, with an L2 term ``weight_decay * p`` added to the gradient;
- :class:`RMSProp`: a running mean of squared gradients divides the step (Tieleman & Hinton 2012);
- :class:`Adam`: both moments with bias correction (Kingma & Ba 2015); ``weight_decay`` is an L2
  term in the gradient; ``bias_correction=False`` shows what the correction is for;
- :class:`AdamW`: Adam with decoupled weight decay (Loshchilov & Hutter 2019).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch

__all__ = ["SGD", "Adam", "AdamW", "RMSProp"]

Params = Iterable[torch.Tensor] | Iterable[dict]


class _Optimizer(torch.optim.Optimizer):
    """Loop over parameters with gradients; subclasses write ``_update(p, g, state, group)``."""

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:
        """One update of every parameter that has a gradient; returns ``closure()`` if given."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    self._update(p, p.grad, self.state[p], group)
        return loss

    def _update(self, p: torch.Tensor, g: torch.Tensor, state: dict, group: dict) -> None:
        raise NotImplementedError


class SGD(_Optimizer):
    """``b = mu b + g`` (``b = g`` at first); ``p -= lr b``, or ``lr (g + mu b)`` with Nesterov."""

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        if nesterov and momentum <= 0:
            raise ValueError("Nesterov momentum needs momentum > 0.")
        defaults = {"lr": lr, "momentum": momentum, "nesterov": nesterov}
        super().__init__(params, defaults | {"weight_decay": weight_decay})

    def _update(self, p: torch.Tensor, g: torch.Tensor, state: dict, group: dict) -> None:
        g = g + group["weight_decay"] * p  # L2 term: the gradient of wd/2 |p|^2
        mu = group["momentum"]
        if mu > 0:
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = g.clone()
            else:
                state["momentum_buffer"].mul_(mu).add_(g)
            buf = state["momentum_buffer"]
            g = g + mu * buf if group["nesterov"] else buf
        p.add_(g, alpha=-group["lr"])


class RMSProp(_Optimizer):
    """``v = a v + (1 - a) g^2``; ``p -= lr g / (sqrt(v) + eps)``."""

    def __init__(
        self, params: Params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8
    ) -> None:
        super().__init__(params, {"lr": lr, "alpha": alpha, "eps": eps})

    def _update(self, p: torch.Tensor, g: torch.Tensor, state: dict, group: dict) -> None:
        v = state.setdefault("square_avg", torch.zeros_like(p))
        v.mul_(group["alpha"]).addcmul_(g, g, value=1 - group["alpha"])
        p.addcdiv_(g, v.sqrt().add_(group["eps"]), value=-group["lr"])


class Adam(_Optimizer):
    """First and second moments ``m``, ``v`` of the gradient, bias-corrected, at step ``t``:

    ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g^2``,
    ``p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)``.
    ``weight_decay`` adds ``wd * p`` to ``g`` first (L2 regularisation, as ``torch.optim.Adam``).
    """

    decoupled = False

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        bias_correction: bool = True,
    ) -> None:
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay}
        super().__init__(params, defaults | {"bias_correction": bias_correction})

    def _update(self, p: torch.Tensor, g: torch.Tensor, state: dict, group: dict) -> None:
        lr, wd, (b1, b2) = group["lr"], group["weight_decay"], group["betas"]
        if self.decoupled:
            p.mul_(1 - lr * wd)  # AdamW: shrink the weight itself, outside the adaptive step
        else:
            g = g + wd * p  # Adam + L2: the decay term goes through m and v like any gradient
        if not state:
            state["step"], state["m"], state["v"] = 0, torch.zeros_like(p), torch.zeros_like(p)
        state["step"] += 1
        t, m, v = state["step"], state["m"], state["v"]
        m.lerp_(g, 1 - b1)  # m + (1 - b1)(g - m) = b1 m + (1 - b1) g
        v.mul_(b2).addcmul_(g, g, value=1 - b2)
        c1, c2 = (1 - b1**t, 1 - b2**t) if group["bias_correction"] else (1.0, 1.0)
        denom = (v.sqrt() / c2**0.5).add_(group["eps"])
        p.addcdiv_(m, denom, value=-lr / c1)


class AdamW(Adam):
    """Adam whose weight decay is decoupled: ``p *= 1 - lr wd`` before the Adam step on ``g``."""

    decoupled = True

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        bias_correction: bool = True,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, bias_correction)
