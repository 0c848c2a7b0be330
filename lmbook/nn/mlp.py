"""A multilayer perceptron with its backward pass written by hand (section 3.1).

No autograd: :class:`ManualMLP` keeps what its forward pass needs (each layer's input and
pre-activation) and :meth:`ManualMLP.backward` applies the chain rule layer by layer
(Rumelhart, Hinton and Williams 1986). ``tests/test_nn_mlp.py`` checks it against
``torch.autograd`` and ``torch.autograd.gradcheck``; :data:`ACTIVATIONS` gives each activation
with its derivative, and :func:`init_weight` the Xavier / He initialisations, drawn exactly as
``torch.nn.init`` draws them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

import torch

__all__ = [
    "ACTIVATIONS",
    "INIT_SCHEMES",
    "Activation",
    "ManualMLP",
    "init_weight",
    "softmax_cross_entropy",
]

Tensor = torch.Tensor


class Activation(NamedTuple):
    """An activation function ``f`` and its derivative ``df``, both elementwise on tensors."""

    f: Callable[[Tensor], Tensor]
    df: Callable[[Tensor], Tensor]


def _sigmoid(z: Tensor) -> Tensor:
    return 1.0 / (1.0 + torch.exp(-z))


def _dsigmoid(z: Tensor) -> Tensor:
    s = _sigmoid(z)
    return s * (1.0 - s)  # at most 1/4, at z = 0


def _dtanh(z: Tensor) -> Tensor:
    return 1.0 - torch.tanh(z) ** 2


def _relu(z: Tensor) -> Tensor:
    return torch.clamp(z, min=0.0)


def _drelu(z: Tensor) -> Tensor:
    return (z > 0).to(z.dtype)  # 0 at z = 0, as torch's relu backward


def _gelu(z: Tensor) -> Tensor:
    return 0.5 * z * (1.0 + torch.erf(z / math.sqrt(2.0)))  # z * Phi(z), the exact GELU


def _dgelu(z: Tensor) -> Tensor:
    cdf = 0.5 * (1.0 + torch.erf(z / math.sqrt(2.0)))
    pdf = torch.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    return cdf + z * pdf  # d/dz [z Phi(z)] = Phi(z) + z phi(z)


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation(_sigmoid, _dsigmoid),
    "tanh": Activation(torch.tanh, _dtanh),
    "relu": Activation(_relu, _drelu),
    "gelu": Activation(_gelu, _dgelu),
}

INIT_SCHEMES = ("xavier_uniform", "xavier_normal", "he_uniform", "he_normal")


def init_weight(
    fan_in: int,
    fan_out: int,
    scheme: str = "he_normal",
    generator: torch.Generator | None = None,
    dtype: torch.dtype = torch.float32,
) -> Tensor:
    """A ``[fan_out, fan_in]`` weight drawn as ``torch.nn.init`` draws it (same generator, same
    numbers).

    Xavier / Glorot (Glorot and Bengio 2010) keeps the variance of activations and of gradients
    equal across a linear layer: Var(w) = 2 / (fan_in + fan_out). He / Kaiming (He et al. 2015)
    compensates for ReLU zeroing half of its inputs: Var(w) = 2 / fan_in (gain sqrt(2), fan_in
    mode). A uniform U(-a, a) has variance a^2 / 3.
    """
    if scheme not in INIT_SCHEMES:
        raise ValueError(f"scheme must be one of {INIT_SCHEMES}, got {scheme!r}")
    var = 2.0 / (fan_in + fan_out) if scheme.startswith("xavier") else 2.0 / fan_in
    w = torch.empty(fan_out, fan_in, dtype=dtype)
    if scheme.endswith("uniform"):
        a = math.sqrt(3.0 * var)
        return w.uniform_(-a, a, generator=generator)
    return w.normal_(0.0, math.sqrt(var), generator=generator)


def softmax_cross_entropy(logits: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    """Mean cross-entropy of integer ``target`` under softmax(``logits``), and its gradient with
    respect to the logits: (softmax(logits) - onehot(target)) / N."""
    shifted = logits - logits.max(dim=-1, keepdim=True).values  # stable: exp never overflows
    log_probs = shifted - torch.log(torch.exp(shifted).sum(dim=-1, keepdim=True))
    n = logits.shape[0]
    loss = -log_probs[torch.arange(n), target].mean()
    grad = torch.exp(log_probs)
    grad[torch.arange(n), target] -= 1.0
    return loss, grad / n


class ManualMLP:
    """Fully connected layers ``h_l = f(h_{l-1} W_l^T + b_l)``, the last one linear (logits).

    ``sizes`` lists the widths from input to output, e.g. ``[2000, 64, 2]``. Parameters are plain
    tensors without ``requires_grad``; :meth:`backward` fills :attr:`grads` by the chain rule.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "relu",
        init: str = "he_normal",
        generator: torch.Generator | None = None,
        dtype: torch.dtype = torch.float32,
    ) -> None:
        if len(sizes) < 2:
            raise ValueError(f"sizes needs an input and an output width, got {list(sizes)}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        self.sizes = list(sizes)
        self.activation = activation
        self.weights = [
            init_weight(i, o, init, generator, dtype) for i, o in itertools.pairwise(sizes)
        ]
        self.biases = [torch.zeros(o, dtype=dtype) for o in sizes[1:]]
        self.grads: dict[str, Tensor] = {}
        self._cache: list[tuple[Tensor, Tensor]] = []

    def parameters(self) -> dict[str, Tensor]:
        """``{"W0": ..., "b0": ..., "W1": ...}``: the tensors :meth:`backward` differentiates."""
        out = {}
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            out[f"W{i}"], out[f"b{i}"] = w, b
        return out

    def forward(self, x: Tensor) -> Tensor:
        """Logits for a batch ``x`` ``[N, sizes[0]]``; keeps each layer's input and
        pre-activation for the backward pass."""
        f = ACTIVATIONS[self.activation].f
        self._cache = []
        h = x
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = h @ w.T + b
            self._cache.append((h, z))
            h = z if i == last else f(z)
        return h

    def backward(self, grad_out: Tensor) -> Tensor:
        """Given dL/d(logits), fill :attr:`grads` (dL/dW_l, dL/db_l) and return dL/dx.

        For z = h W^T + b: dL/dW = (dL/dz)^T h, dL/db = sum over the batch of dL/dz,
        dL/dh = dL/dz W; and through h = f(z): dL/dz = dL/dh * f'(z).
        """
        if not self._cache:
            raise RuntimeError("call forward() before backward()")
        df = ACTIVATIONS[self.activation].df
        g = grad_out
        for i in range(len(self.weights) - 1, -1, -1):
            h, z = self._cache[i]
            if i < len(self.weights) - 1:
                g = g * df(z)  # through the activation
            self.grads[f"W{i}"] = g.T @ h
            self.grads[f"b{i}"] = g.sum(dim=0)
            g = g @ self.weights[i]
        return g

    def to_torch(self) -> torch.nn.Sequential:
        """The same network as ``torch.nn`` modules (weights copied), to check against autograd."""
        modules: list[torch.nn.Module] = []
        act = {
            "sigmoid": torch.nn.Sigmoid,
            "tanh": torch.nn.Tanh,
            "relu": torch.nn.ReLU,
            "gelu": torch.nn.GELU,
        }[self.activation]
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            lin = torch.nn.Linear(w.shape[1], w.shape[0], dtype=w.dtype)
            with torch.no_grad():
                lin.weight.copy_(w)
                lin.bias.copy_(b)
            modules.append(lin)
            if i < len(self.weights) - 1:
                modules.append(act())
        return torch.nn.Sequential(*modules)
