"""One seeding helper for the whole book: every source of randomness goes through it.

Ours rather than ``transformers.set_seed`` (which seeds the same generators): ``lmbook.setup()``
runs it in every notebook, and importing ``transformers`` would cost every chapter seconds.
"""

from __future__ import annotations

import os
import random

import numpy as np

__all__ = ["seed_everything"]


def seed_everything(seed: int = 0) -> int:
    """Seed Python's ``random``, NumPy and PyTorch (CPU and all GPUs); return the seed."""
    import torch

    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    return seed
