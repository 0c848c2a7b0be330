"""Mixed precision: bf16 autocast where the hardware has it, fp16 plus a gradient scaler where it
does not, fp32 on CPU and MPS unless asked.

Weights and optimizer state stay fp32 in every mode; autocast runs the matmuls in the low
precision. fp16 needs loss scaling (its smallest normal number is ~6e-5, so small gradients
underflow); bf16 has fp32's exponent range and does not.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lmbook.train.config import ConfigError, check_precision_for

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = ["Precision", "resolve_precision"]


@dataclass(frozen=True)
class Precision:
    """The resolved mode: its name, autocast dtype (None = off), whether a scaler is needed, why."""

    name: str
    dtype: torch.dtype | None
    use_scaler: bool
    reason: str

    def autocast(self, device_type: str) -> contextlib.AbstractContextManager:
        """Context for the forward pass (a no-op in fp32)."""
        import torch

        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=device_type, dtype=self.dtype)

    def make_scaler(self, device_type: str) -> torch.amp.GradScaler | None:
        """A ``GradScaler`` for fp16, else None."""
        import torch

        return torch.amp.GradScaler(device_type) if self.use_scaler else None


def _cuda_has_bf16(device: torch.device) -> bool:
    """True on GPUs with native bf16 (compute capability 8.0+: A100, L4, H100, ...); not T4/V100."""
    import torch

    major, _ = torch.cuda.get_device_capability(device)
    return major >= 8


def resolve_precision(precision: str, device: torch.device) -> Precision:
    """Turn ``'auto' | 'fp32' | 'bf16' | 'fp16'`` into a :class:`Precision` for ``device``."""
    import torch

    check_precision_for(precision, device.type)
    if precision == "auto":
        if device.type == "cuda":
            if _cuda_has_bf16(device):
                return Precision("bf16", torch.bfloat16, False, "auto: the GPU has native bf16")
            return Precision("fp16", torch.float16, True, "auto: no native bf16 on this GPU")
        return Precision("fp32", None, False, f"auto: fp32 on {device.type}")
    if precision == "bf16":
        if device.type == "cuda" and not _cuda_has_bf16(device):
            raise ConfigError(
                "precision='bf16' was requested but this GPU has no native bf16 (it needs compute "
                "capability 8.0+); use precision='fp16' or 'auto'."
            )
        return Precision("bf16", torch.bfloat16, False, "requested")
    if precision == "fp16":
        return Precision("fp16", torch.float16, True, "requested")
    return Precision("fp32", None, False, "requested")
