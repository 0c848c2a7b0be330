"""A module that turns NaN on demand, for the tests of lmbook.train's NaN guard."""

from __future__ import annotations

import torch
from torch import nn


class Bomb(nn.Module):
    """Identity until armed; then its output ('forward') or its gradient ('backward') is NaN."""

    def __init__(self) -> None:
        super().__init__()
        self.armed = ""

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        if self.armed == "forward":
            return h * float("nan")
        if self.armed == "backward":
            return h + torch.sqrt(h - h)  # finite value, NaN gradient
        return h
