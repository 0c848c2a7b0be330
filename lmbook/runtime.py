"""``lmbook.setup()``: the first call of every notebook (seed, threads, Chinese fonts, device)."""

from __future__ import annotations

import importlib.metadata
import platform
import warnings
from typing import Any

import torch
from threadpoolctl import threadpool_limits

from lmbook.device import describe_device, pick_device
from lmbook.fonts import use_cjk_font
from lmbook.seeding import seed_everything

__all__ = ["environment", "setup", "silence_known_warnings"]

# (message regex, category): harmless warnings between library versions that a reader can do
# nothing about; each would otherwise print on every use.
KNOWN_WARNINGS = [
    # peft <= 0.21 reads transformers 5's deprecated alias in every get_peft_model call
    (r"`is_gradient_checkpointing` is deprecated", FutureWarning),
]


def setup(
    seed: int = 0, threads: int | None = 1, device: str | None = None, verbose: bool = True
) -> torch.device:
    """Seed everything, fix CPU threads (PyTorch and BLAS), enable Chinese labels, pick a device.

    ``threads=1`` by default: the book's notebooks run two at a time as tests, and a fixed
    thread count keeps CPU results bit-identical from run to run. Pass ``threads=None`` to
    keep PyTorch's default. Returns the chosen ``torch.device`` and prints one line about it.
    """
    if threads is not None:
        if threads < 1:
            raise ValueError(f"threads must be >= 1 (or None for PyTorch's default), got {threads}")
        torch.set_num_threads(threads)
        threadpool_limits(limits=threads)  # NumPy/SciPy BLAS too, not only PyTorch
    seed_everything(seed)
    use_cjk_font()
    silence_known_warnings()
    dev = pick_device(device)
    if verbose:
        print(describe_device(dev))
    return dev


def _cpu_name() -> str:
    """The CPU's model name (Linux: from /proc/cpuinfo), else what :mod:`platform` knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def silence_known_warnings() -> None:
    """Hide the warnings in :data:`KNOWN_WARNINGS` (and only those)."""
    for message, category in KNOWN_WARNINGS:
        warnings.filterwarnings("ignore", message=message, category=category)


def environment(packages: tuple[str, ...] = ("torch", "transformers", "peft")) -> dict[str, Any]:
    """Where a recorded experiment ran, for its JSON record: ``{"hardware": ..., "versions": ...}``.

    Hardware is the machine, the processor, PyTorch's CPU thread count and whether CUDA was
    available; versions are those of ``packages`` that are installed.
    """
    versions = {}
    for name in packages:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return {
        "hardware": {
            "machine": platform.machine(),
            "processor": _cpu_name(),
            "threads": torch.get_num_threads(),
            "cuda": torch.cuda.is_available(),
        },
        "versions": versions,
    }
