"""Optimizer construction with weight-decay parameter groups (no decay on norms and biases).

Decoupled weight decay pulls weights towards zero; doing that to a bias or to the gain of a
LayerNorm/RMSNorm only fights the normalisation, so those parameters go to a group with
``weight_decay=0`` (the rule ``transformers.Trainer`` and nanoGPT use). Frozen parameters
(``requires_grad=False``, e.g. a LoRA base model) are left out entirely.

An optimizer the user builds is used as it is: its own hyper-parameters are the truth, and
:func:`check_user_optimizer` refuses a config that says otherwise.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from lmbook.train.config import ConfigError, TrainConfig

if TYPE_CHECKING:  # pragma: no cover
    import torch


__all__ = [
    "USER_OPTIMIZER_FIELDS",
    "check_user_optimizer",
    "make_optimizer",
    "no_decay_names",
    "param_groups",
]

# The config fields that only build the optimizer: with a user's optimizer they must be left at
# their defaults or agree with it.
USER_OPTIMIZER_FIELDS = ("optimizer", "lr", "betas", "eps", "weight_decay", "momentum")


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


def check_user_optimizer(optimizer: torch.optim.Optimizer, config: TrainConfig) -> None:
    """Refuse a config that contradicts the optimizer the user gave (whose settings are used).

    Each of :data:`USER_OPTIMIZER_FIELDS` must be left at its ``TrainConfig`` default, or equal
    what the optimizer uses: its class name (``"adamw"`` for ``torch.optim.AdamW``) or the value
    in one of its parameter groups (groups may differ, e.g. ``weight_decay=0`` on norms).
    """
    defaults = {f.name: f.default for f in dataclasses.fields(TrainConfig)}
    for name in USER_OPTIMIZER_FIELDS:
        value = getattr(config, name)
        if value == defaults[name]:
            continue
        if name == "optimizer":
            used = [type(optimizer).__name__.lower()]
        else:
            key = "initial_lr" if name == "lr" else name
            used = [g.get(key, g.get(name)) for g in optimizer.param_groups]
            used = [tuple(v) if isinstance(v, list) else v for v in used if v is not None]
        if value not in used:
            if name == "optimizer":
                has = f"i.e. {used[0]!r}"
            else:
                has = (
                    f"{name} " + " or ".join(map(repr, dict.fromkeys(used)))
                    if used
                    else f"no {name}"
                )
            raise ConfigError(
                f"TrainConfig({name}={value!r}) contradicts the optimizer given to train() "
                f"({type(optimizer).__name__}: {has}), whose own settings are used; leave {name} "
                "at its default in the TrainConfig or set it to the optimizer's value."
            )


def _has_fused_adamw(device_type: str) -> bool:
    """Whether fused AdamW exists here: on CUDA, and on CPU from torch 2.4 (2x faster there)."""
    import torch

    if device_type == "cuda":
        return True
    major, minor = (int(v) for v in torch.__version__.split(".")[:2])
    return device_type == "cpu" and (major, minor) >= (2, 4)
