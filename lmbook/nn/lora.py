"""LoRA from scratch (Hu et al. 2021): a frozen linear layer plus a trained low-rank update.

    h = W0 x + (alpha / r) * B A x,   A: r x k (random),  B: d x r (zeros)

``B = 0`` at the start makes the adapted model *exactly* the base model at step 0, while A being
random keeps the gradient of B non-zero (dL/dB = scaling * (dL/dh) (A x)^T), so training starts.
Had both been zero, neither would ever get a gradient. ``alpha / r`` (or rsLoRA's
``alpha / sqrt(r)``, Kalajdzievski 2023) keeps the update's size comparable across ranks.

The forward pass is computed in the same order as ``peft`` (``base(x) + B(A(x)) * scaling``), so
in float32 the outputs and gradients are bit-identical to ``peft``'s LoRA (tests/test_nn_lora.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "LoRALinear",
    "add_lora",
    "lora_parameters",
    "matches_target",
    "merge_lora",
    "unload_lora",
]


def _is_conv1d(layer: nn.Module) -> bool:
    """GPT-2's ``transformers`` ``Conv1D``: a linear layer whose weight is stored (in, out)."""
    return type(layer).__name__ == "Conv1D"


def _features(layer: nn.Module) -> tuple[int, int]:
    if isinstance(layer, nn.Linear):
        return layer.in_features, layer.out_features
    if _is_conv1d(layer):
        k, d = layer.weight.shape
        return k, d
    raise TypeError(
        f"LoRA here wraps nn.Linear or transformers' Conv1D, not {type(layer).__name__}"
    )


class LoRALinear(nn.Module):
    """``base(x) + dropout(x) A^T B^T * scaling`` with ``base`` frozen; A, B trained."""

    def __init__(
        self,
        base: nn.Module,
        r: int = 8,
        alpha: float = 16,
        dropout: float = 0.0,
        rslora: bool = False,
    ) -> None:
        super().__init__()
        if r < 1:
            raise ValueError(f"the rank r must be a positive integer, got {r}")
        self.base = base
        self.in_features, self.out_features = _features(base)
        self.r, self.alpha, self.rslora = r, alpha, rslora
        self.scaling = alpha / math.sqrt(r) if rslora else alpha / r
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        for p in base.parameters():
            p.requires_grad_(False)
        w = base.weight
        self.lora_A = nn.Parameter(torch.empty(r, self.in_features, dtype=w.dtype, device=w.device))
        self.lora_B = nn.Parameter(
            torch.zeros(self.out_features, r, dtype=w.dtype, device=w.device)
        )
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))  # nn.Linear's default, as peft
        self.merged = False

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        result = self.base(x)
        if self.merged:
            return result
        return result + F.linear(F.linear(self.dropout(x), self.lora_A), self.lora_B) * self.scaling

    def delta_weight(self) -> torch.Tensor:
        """``scaling * B A`` in the base weight's layout: (out, in), or (in, out) for Conv1D."""
        delta = (self.lora_B @ self.lora_A) * self.scaling
        return delta.T if _is_conv1d(self.base) else delta

    @torch.no_grad()
    def merge(self) -> None:
        """Add the update into the base weight: one matrix again, no extra inference cost."""
        if not self.merged:
            self.base.weight += self.delta_weight()
            self.merged = True

    @torch.no_grad()
    def unmerge(self) -> None:
        """Subtract the update again (exact up to floating-point rounding)."""
        if self.merged:
            self.base.weight -= self.delta_weight()
            self.merged = False

    def extra_repr(self) -> str:
        return f"r={self.r}, alpha={self.alpha}, scaling={self.scaling:g}"


def matches_target(name: str, targets: Sequence[str]) -> bool:
    """peft's rule for a list of targets: the module's full name is, or ends with, ``.target``
    (``"c_proj"`` matches ``h.0.attn.c_proj`` and ``h.0.mlp.c_proj``, not ``h.0.attn.xc_proj``).
    The one rule of the book: :func:`add_lora` and :mod:`lmbook.adapters.calculator` use it."""
    return any(name == t or name.endswith(f".{t}") for t in targets)


def _set_module(model: nn.Module, name: str, module: nn.Module) -> None:
    parent_name, _, child = name.rpartition(".")
    setattr(model.get_submodule(parent_name) if parent_name else model, child, module)


def add_lora(
    model: nn.Module,
    targets: Sequence[str],
    r: int = 8,
    alpha: float = 16,
    dropout: float = 0.0,
    rslora: bool = False,
    train: Sequence[str] = (),
) -> nn.Module:
    """Freeze ``model`` and wrap every linear layer whose name matches ``targets`` in a
    :class:`LoRALinear` (in place; returns ``model``). Parameters whose names contain one of
    ``train`` (e.g. a new classification head, ``"score"``) stay trainable in full."""
    for p in model.parameters():
        p.requires_grad_(False)
    names = [
        n for n, m in model.named_modules() if matches_target(n, targets) and not n.endswith("base")
    ]
    if not names:
        raise ValueError(f"no module of the model matches {list(targets)}; see print(model)")
    for name in names:
        _set_module(model, name, LoRALinear(model.get_submodule(name), r, alpha, dropout, rslora))
    for n, p in model.named_parameters():
        if any(t in n for t in train):
            p.requires_grad_(True)
    return model


def lora_parameters(model: nn.Module) -> Iterator[tuple[str, nn.Parameter]]:
    """The LoRA factors of ``model`` by name (``...lora_A`` / ``...lora_B``)."""
    for n, p in model.named_parameters():
        if n.endswith(("lora_A", "lora_B")):
            yield n, p


def _replace_all(model: nn.Module, merge: bool) -> nn.Module:
    for name, module in list(model.named_modules()):
        if isinstance(module, LoRALinear):
            if merge:
                module.merge()
            else:
                module.unmerge()
            _set_module(model, name, module.base)
    return model


def merge_lora(model: nn.Module) -> nn.Module:
    """Merge every LoRA update into its base weight and drop the adapters (like peft's
    ``merge_and_unload``)."""
    return _replace_all(model, merge=True)


def unload_lora(model: nn.Module) -> nn.Module:
    """Drop the adapters without merging: the untouched base layers come back, bit for bit
    (like peft's ``unload``). Base weights stay frozen; call ``requires_grad_`` to train them."""
    return _replace_all(model, merge=False)
