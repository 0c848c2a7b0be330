"""Capture and restore every random number generator a training step can touch.

Python's ``random``, NumPy's global generator, PyTorch's CPU generator, every CUDA device's
generator, Apple MPS's, and any ``torch.Generator`` a data loader owns. A state splits into
tensors (stored with safetensors) and plain numbers (stored as JSON), so no checkpoint needs
pickle.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = ["capture_rng", "restore_rng"]


def capture_rng(
    generators: list[torch.Generator],
) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """The current state of all generators as ``(json_part, tensor_part)``."""
    import numpy as np
    import torch

    version, internal, gauss = random.getstate()
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    json_part: dict[str, Any] = {
        "python": [version, list(internal), gauss],
        "numpy": [kind, keys.tolist(), int(pos), int(has_gauss), float(cached)],
    }
    tensors = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        for i, state in enumerate(torch.cuda.get_rng_state_all()):
            tensors[f"cuda.{i}"] = state
    if torch.backends.mps.is_available():
        tensors["mps"] = torch.mps.get_rng_state()
    for i, gen in enumerate(generators):
        tensors[f"generator.{i}"] = gen.get_state()
    return json_part, tensors


def restore_rng(
    json_part: dict[str, Any], tensors: dict[str, torch.Tensor], generators: list[torch.Generator]
) -> None:
    """Put every generator back into the state :func:`capture_rng` recorded."""
    import numpy as np
    import torch

    version, internal, gauss = json_part["python"]
    random.setstate((version, tuple(internal), gauss))
    kind, keys, pos, has_gauss, cached = json_part["numpy"]
    np.random.set_state((kind, np.asarray(keys, dtype=np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(tensors["torch"].cpu())
    cuda = sorted((k for k in tensors if k.startswith("cuda.")), key=lambda k: int(k[5:]))
    if cuda and torch.cuda.is_available():
        for key in cuda:
            idx = int(key[5:])
            if idx < torch.cuda.device_count():
                torch.cuda.set_rng_state(tensors[key].cpu(), idx)
    if "mps" in tensors and torch.backends.mps.is_available():
        torch.mps.set_rng_state(tensors["mps"].cpu())
    saved = sum(k.startswith("generator.") for k in tensors)
    if saved != len(generators):
        raise ValueError(
            f"the checkpoint saved {saved} data-loader generator(s) but this run has "
            f"{len(generators)}; build the data loaders the way the checkpointed run did."
        )
    for i, gen in enumerate(generators):
        gen.set_state(tensors[f"generator.{i}"].cpu())
