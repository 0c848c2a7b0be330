"""Optimizer construction with weight-decay parameter groups (no decay on norms and biases).

Decoupled weight decay pulls weights towards zero; doing that to a bias or to the gain of a
LayerNorm/RMSNorm only fights the normalisation, so those parameters go to a group with
``weight_decay=0`` (the rule ``transformers.Trainer`` and nanoGPT use). Frozen parameters
(``requires_grad=False``, e.g. a LoRA base model) are left out entirely.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import torch

    from lmbook.train.config import TrainConfig

__all__ = ["make_optimizer", "no_decay_names", "param_groups"]


def _is_norm(module: torch.nn.Module) -> bool:
    import torch

    norm_types = (torch.nn.LayerNorm, torch.nn.GroupNorm, torch.nn.modules.batchnorm._NormBase)
    if hasattr(torch.nn, "RMSNorm"):
        norm_types = (*norm_types, torch.nn.RMSNorm)
    # transformers defines its own (LlamaRMSNorm, T5LayerNorm, ...): recognise them by name.
    return isinstance(module, norm_types) or "norm" in type(module).__name__.lower()


def no_decay_names(model: torch.nn.Module) -> set[str]:
    """Names of the trainable parameters that get no weight decay: biases, norm weights, 1-D."""
    names: set[str] = set()
    for mod_name, module in model.named_modules():
        for p_name, p in module.named_parameters(recurse=False):
            if not p.requires_grad:
                continue
            full = f"{mod_name}.{p_name}" if mod_name else p_name
            if p_name.endswith("bias") or p.ndim < 2 or _is_norm(module):
                names.add(full)
    return names


def param_groups(model: torch.nn.Module, weight_decay: float) -> list[dict[str, Any]]:
    """Two optimizer groups over the trainable parameters: with and without weight decay.

    Each group also carries ``names`` (parameter names, for readers and for checks). Tied
    parameters appear once. Empty groups are dropped.
    """
    skip = no_decay_names(model)
    decay: list[tuple[str, torch.nn.Parameter]] = []
    no_decay: list[tuple[str, torch.nn.Parameter]] = []
    for name, p in model.named_parameters():
        if p.requires_grad:
            (no_decay if name in skip else decay).append((name, p))
    if not decay and not no_decay:
        raise ValueError(
            "the model has no trainable parameters (every requires_grad is False); unfreeze "
            "some (or add an adapter, e.g. peft's LoRA) before training."
        )
    groups = []
    for members, wd in ((decay, weight_decay), (no_decay, 0.0)):
        if members:
            groups.append(
                {
                    "params": [p for _, p in members],
                    "names": [n for n, _ in members],
                    "weight_decay": wd,
                }
            )
    return groups


def make_optimizer(
    model: torch.nn.Module, config: TrainConfig, device_type: str
) -> torch.optim.Optimizer:
    """AdamW (fused where available) or SGD over :func:`param_groups`, as the config says."""
    import torch

    groups = param_groups(model, config.weight_decay)
    if config.optimizer == "adamw":
        fused = {"fused": True} if _has_fused_adamw(device_type) else {}
        return torch.optim.AdamW(groups, lr=config.lr, betas=config.betas, eps=config.eps, **fused)
    return torch.optim.SGD(groups, lr=config.lr, momentum=config.momentum)


def _has_fused_adamw(device_type: str) -> bool:
    """Whether fused AdamW exists here: on CUDA, and on CPU from torch 2.4 (2x faster there)."""
    import torch

    if device_type == "cuda":
        return True
    major, minor = (int(v) for v in torch.__version__.split(".")[:2])
    return device_type == "cpu" and (major, minor) >= (2, 4)
