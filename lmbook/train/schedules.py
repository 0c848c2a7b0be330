"""Learning-rate schedules: linear warmup, then cosine or linear decay (or constant).

The multiplier follows ``transformers``' ``get_cosine_schedule_with_warmup`` /
``get_linear_schedule_with_warmup`` exactly (the warmup starts at 0 on step 0), plus a floor
``min_lr_ratio``. It is a small callable object rather than a lambda so that a scheduler's
``state_dict()`` holds it as plain numbers and a checkpoint can store it as JSON.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = ["WarmupSchedule", "make_scheduler"]


class WarmupSchedule:
    """LR multiplier at optimizer step ``s`` (0-based): warmup ramp, then decay to a floor.

    - ``s < warmup``: ``s / warmup``;
    - after it, with ``p = min((s - warmup) / (total - warmup), 1)``:
      cosine ``m + (1 - m) * (1 + cos(pi p)) / 2``, linear ``m + (1 - m) * (1 - p)``,
      constant ``1``, where ``m`` is ``min_ratio``. (transformers' cosine rises again after
      ``total``; this one stays at the floor.)
    """

    def __init__(self, kind: str, warmup: int, total: int, min_ratio: float = 0.0) -> None:
        if kind not in ("cosine", "linear", "constant"):
            raise ValueError(f"schedule {kind!r} is not one of 'cosine', 'linear', 'constant'.")
        if total < 1 or not 0 <= warmup <= total:
            raise ValueError(f"need 0 <= warmup ({warmup}) <= total ({total}) and total >= 1.")
        self.kind = kind
        self.warmup = warmup
        self.total = total
        self.min_ratio = min_ratio

    def __call__(self, step: int) -> float:
        if step < self.warmup:
            return float(step) / float(max(1, self.warmup))
        if self.kind == "constant":
            return 1.0
        span = float(max(1, self.total - self.warmup))
        if self.kind == "cosine":
            progress = min(float(step - self.warmup) / span, 1.0)
            # written as transformers writes it (num_cycles=0.5), so the floats agree exactly
            factor = 0.5 * (1.0 + math.cos(math.pi * 0.5 * 2.0 * progress))
        else:
            factor = max(0.0, float(self.total - step) / span)
        return factor * (1.0 - self.min_ratio) + self.min_ratio


def make_scheduler(
    optimizer: torch.optim.Optimizer,
    kind: str,
    warmup: int,
    total: int,
    min_ratio: float = 0.0,
) -> torch.optim.lr_scheduler.LambdaLR:
    """A ``LambdaLR`` driven by :class:`WarmupSchedule`; ``.step()`` it once per optimizer step."""
    from torch.optim.lr_scheduler import LambdaLR

    return LambdaLR(optimizer, WarmupSchedule(kind, warmup, total, min_ratio))
