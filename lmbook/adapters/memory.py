"""Measure what a training step really holds in memory, on any device, in megabytes.

On CUDA ``torch.cuda.max_memory_allocated`` answers directly. On a CPU the process RSS is far too
coarse (the allocator keeps freed pages), so :func:`measure_step` runs the step under
``torch.profiler`` with ``profile_memory=True`` and replays its allocation timeline: every tensor
the step creates or frees, with the profiler's own category (parameter, gradient, optimizer state,
activation, autograd temporaries). The peak of that running sum is the step's peak memory.
"""

from __future__ import annotations

import collections
import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import torch

__all__ = ["StepMemory", "measure_step", "measure_training_step", "saved_activation_bytes"]


@dataclass
class StepMemory:
    """Peak bytes of one step, and how they split by category at that moment."""

    peak: int
    at_peak: dict[str, int] = field(default_factory=dict)
    device: str = "cpu"

    def mib(self, key: str | None = None) -> float:
        return (self.peak if key is None else self.at_peak.get(key, 0)) / 2**20


@contextlib.contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """Silence the profiler's C++ start/stop lines (kineto writes them to file descriptor 2)."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def measure_step(step: Callable[[], object], device: str | torch.device = "cpu") -> StepMemory:
    """Run ``step()`` once and return its peak memory. Run one step *before* measuring, so that
    optimizer states exist, as in every step after the first."""
    dev = torch.device(device)
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)
        torch.cuda.reset_peak_memory_stats(dev)
        base = torch.cuda.memory_allocated(dev)
        step()
        torch.cuda.synchronize(dev)
        peak = torch.cuda.max_memory_allocated(dev)
        return StepMemory(peak, {"allocated before the step": base}, "cuda")
    from torch.profiler import ProfilerActivity, profile
    from torch.profiler._memory_profiler import Action

    with (
        _quiet_native_stderr(),
        profile(
            activities=[ProfilerActivity.CPU],
            profile_memory=True,
            record_shapes=True,
            with_stack=True,
        ) as prof,
    ):
        step()
    timeline = prof._memory_profile()  # the data behind prof.export_memory_timeline
    live: dict[object, tuple[int, str]] = {}
    current = peak = 0
    snapshot: dict[str, int] = {}
    for _, action, (key, version), size in timeline.timeline:
        category = timeline._categories.get(key, version)
        name = category.name.lower() if category is not None else "unknown"
        if action in (Action.PREEXISTING, Action.CREATE):
            live[key] = (size, name)
            current += size
        elif action == Action.DESTROY:
            current -= live.pop(key, (0, ""))[0]
        elif action == Action.INCREMENT_VERSION and key in live:
            live[key] = (live[key][0], name)
        if current > peak:
            peak = current
            counts: collections.Counter[str] = collections.Counter()
            for s, c in live.values():
                counts[c] += s
            snapshot = dict(counts)
    return StepMemory(peak, snapshot, "cpu")


def measure_training_step(
    model: torch.nn.Module,
    batch: dict[str, torch.Tensor],
    lr: float = 1e-3,
    device: str | torch.device = "cpu",
) -> StepMemory:
    """Peak memory of one AdamW training step of ``model`` on ``batch`` (forward with the batch's
    ``labels``, backward, optimizer step, gradients freed). One step runs first and is not
    measured, so that the optimizer states exist, as in every step after the first."""
    model.train()
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)

    def step() -> None:
        model(**batch).loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    step()
    return measure_step(step, device)


def saved_activation_bytes(forward: Callable[[], object], exclude: list[torch.Tensor]) -> int:
    """Bytes of the distinct storages autograd saves for backward during ``forward()``
    (parameters in ``exclude`` are not activations)."""
    skip = {t.untyped_storage().data_ptr() for t in exclude}
    seen: dict[int, int] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:
        storage = t.untyped_storage()
        if storage.data_ptr() not in skip:
            seen.setdefault(storage.data_ptr(), storage.nbytes())
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        forward()
    return sum(seen.values())
