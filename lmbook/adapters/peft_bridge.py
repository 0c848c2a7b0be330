"""Move LoRA factors between ``peft`` and the from-scratch :mod:`lmbook.nn.lora`, so the two can
be compared on the same numbers (section 5.2)."""

from __future__ import annotations

from typing import Any

import torch

__all__ = ["copy_lora_from_peft", "peft_lora_name"]


def peft_lora_name(name: str, adapter: str = "default") -> str:
    """``transformer.h.0.attn.c_attn.lora_A`` -> peft's
    ``base_model.model.transformer.h.0.attn.c_attn.lora_A.default.weight``."""
    return f"base_model.model.{name}.{adapter}.weight"


@torch.no_grad()
def copy_lora_from_peft(peft_model: Any, model: torch.nn.Module, adapter: str = "default") -> int:
    """Copy every ``lora_A`` / ``lora_B`` of ``peft_model`` into the matching
    :class:`~lmbook.nn.LoRALinear` of ``model``; returns how many tensors were copied."""
    theirs = dict(peft_model.named_parameters())
    copied = 0
    for name, p in model.named_parameters():
        if name.endswith(("lora_A", "lora_B")):
            p.copy_(theirs[peft_lora_name(name, adapter)])
            copied += 1
    if copied == 0:
        raise ValueError("the model has no LoRALinear layers; call lmbook.nn.add_lora first")
    return copied
