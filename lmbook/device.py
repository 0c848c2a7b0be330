"""Pick the compute device: CUDA, then Apple MPS, then CPU, and say why in one line.

The environment variable ``LMBOOK_DEVICE`` (e.g. ``cpu``) overrides the automatic choice: the
test suite and ``make execute`` set it, so stored outputs are made and compared on the CPU even
on a machine with a GPU.
"""

from __future__ import annotations

import os

import torch

__all__ = ["describe_device", "pick_device"]


def pick_device(prefer: str | torch.device | None = None) -> torch.device:
    """Return ``prefer`` if given and available, else ``$LMBOOK_DEVICE``, else the best one here.

    Raises ``ValueError`` with what to do when the requested device does not exist here.
    """
    prefer = prefer if prefer is not None else os.environ.get("LMBOOK_DEVICE") or None
    if prefer is not None:
        dev = torch.device(prefer)
        if dev.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(
                f"device {str(prefer)!r} was requested but CUDA is not available here; "
                "pass device='cpu' (or None to choose automatically)."
            )
        if dev.type == "cuda" and dev.index is not None and dev.index >= torch.cuda.device_count():
            raise ValueError(
                f"device {str(prefer)!r} does not exist: this machine has "
                f"{torch.cuda.device_count()} CUDA device(s); use an index below that."
            )
        if dev.type == "mps" and not torch.backends.mps.is_available():
            raise ValueError(
                f"device {str(prefer)!r} was requested but Apple MPS is not available here; "
                "pass device='cpu' (or None to choose automatically)."
            )
        if dev.type not in {"cpu", "cuda", "mps"}:
            raise ValueError(f"unsupported device {str(prefer)!r}; use 'cpu', 'cuda' or 'mps'.")
        return dev
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def describe_device(device: torch.device) -> str:
    """One human-readable line: which device and why it was chosen."""
    if device.type == "cuda":
        idx = device.index if device.index is not None else torch.cuda.current_device()
        return f"device: cuda:{idx} ({torch.cuda.get_device_name(idx)})"
    if device.type == "mps":
        return "device: mps (Apple GPU; no CUDA here)"
    return f"device: cpu ({torch.get_num_threads()} thread(s); no CUDA or MPS found)"
