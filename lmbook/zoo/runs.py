"""What every pretraining entry point of :mod:`lmbook.zoo` shares: progress lines, pausing after
a time limit, and the run's part of ``meta.json`` (steps, wall time, hardware, final losses)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

__all__ = ["finished", "progress", "run_record"]


def progress(stop_after_minutes: float | None) -> Callable[[Any], None]:
    """A :func:`lmbook.train.train` callback: a line every 50 steps; stop (at the next
    checkpoint-safe point) once ``stop_after_minutes`` have passed since it was made."""
    started = time.monotonic()

    def report(info: Any) -> None:
        if info.step % 50 == 0:
            val = info.history.val_loss[-1] if info.history.val_loss else float("nan")
            print(
                f"step {info.step}/{info.max_steps} loss {info.loss:.4f} val {val:.4f} "
                f"lr {info.lr:.2e} wall {info.history.wall_s[-1]:.0f}s",
                flush=True,
            )
        if stop_after_minutes is not None and time.monotonic() - started > 60 * stop_after_minutes:
            info.stop = True

    return report


def finished(history: Any, steps: int) -> bool:
    """Whether the run reached ``steps``; if not, say how to continue it."""
    if history.step[-1] < steps:
        print(f"paused at step {history.step[-1]}; continue with the same command plus --resume")
        return False
    return True


def run_record(history: Any, device: Any) -> dict[str, Any]:
    """The run's fields of ``meta.json``: steps, wall time, device (a GPU by name), the
    hardware of :func:`lmbook.runtime.environment`, mean train loss of the last 50 steps and
    the last validation loss."""
    import torch

    from lmbook.runtime import environment

    return {
        "steps": history.step[-1],
        "wall_time_s": round(history.wall_s[-1], 1),
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else device.type,
        "hardware": environment()["hardware"],
        "final_train_loss": round(sum(history.loss[-50:]) / len(history.loss[-50:]), 4),
        "validation_loss": round(history.val_loss[-1], 4),
    }
