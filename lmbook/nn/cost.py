"""What a computation costs: time and peak memory of one call (3.6; chapter 8's long context).

:func:`measure_cost` times a function (best of ``repeats`` calls) and measures the peak of the
memory it allocates with ``torch.profiler`` (``profile_memory=True``): every allocation and free
is an event with a size, so the running sum in time order resolves single bytes, on a CPU as on a
GPU (where the CUDA allocator's own peak, ``torch.cuda.max_memory_allocated``, is used instead).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import torch

__all__ = ["Cost", "fit_power_law", "measure_cost", "peak_memory"]


class Cost(NamedTuple):
    """Best time (seconds; CPU time on the CPU) and peak extra memory (bytes) of one call."""

    seconds: float
    peak_bytes: int


@contextlib.contextmanager
def _quiet_fds() -> Iterator[None]:
    """Silence file descriptors 1 and 2 (the profiler's C++ side prints start/stop lines there)."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        os.dup2(null, 2)
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, null):
            os.close(fd)


def peak_memory(fn: Callable[[], Any]) -> int:
    """Peak memory (bytes) allocated while ``fn()`` runs, above what was allocated before."""
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()
        start = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
        out = fn()
        torch.cuda.synchronize()
        del out
        return int(torch.cuda.max_memory_allocated() - start)
    from torch.profiler import ProfilerActivity, profile

    with _quiet_fds(), profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        out = fn()
        del out
    # an op's self memory is what it allocated itself; "[memory]" events are frees (and
    # allocations outside any op). In time order, their running sum is the live memory.
    events = sorted(prof.events(), key=lambda e: e.time_range.start)
    live = peak = 0
    for e in events:
        live += e.self_cpu_memory_usage
        peak = max(peak, live)
    return int(peak)


def measure_cost(fn: Callable[[], Any], repeats: int = 3) -> Cost:
    """Best-of-``repeats`` time of ``fn()`` and its :func:`peak_memory`.

    On a GPU the time is wall time after a synchronize. On the CPU it is the process's CPU time
    (``time.process_time``): on a shared machine the wall time also counts the time other
    processes hold the core, which can make a 2x longer input look 6x slower.
    """
    cuda = torch.cuda.is_available() and torch.cuda.is_initialized()
    clock = time.perf_counter if cuda else time.process_time
    best = float("inf")
    for _ in range(repeats):
        start = clock()
        fn()
        if cuda:
            torch.cuda.synchronize()
        best = min(best, clock() - start)
    return Cost(best, peak_memory(fn))


def fit_power_law(x: Any, y: Any) -> tuple[float, float]:
    """Least-squares fit of y = c * x^k on log-log axes; returns (k, c)."""
    lx = torch.log(torch.as_tensor(x, dtype=torch.float64))
    ly = torch.log(torch.as_tensor(y, dtype=torch.float64))
    a = torch.stack([lx, torch.ones_like(lx)], dim=1)
    k, log_c = torch.linalg.lstsq(a, ly[:, None]).solution[:, 0].tolist()
    return k, float(torch.exp(torch.tensor(log_c)))
