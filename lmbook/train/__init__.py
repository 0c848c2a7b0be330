"""Training utilities that are honest on a CPU and fast on a GPU.

Three lines in a notebook::

    cfg = TrainConfig(lr=1e-3, batch_size=16, max_steps=200, eval_every=50)
    history = train(model, cfg, data["train"], data["validation"])
    plot_history(history)

Names are imported lazily: ``import lmbook.train`` costs nothing, and ``transformers``, ``peft``
and ``accelerate`` are never imported by it (Accelerate only when launched on several
processes). See ``docs/train.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lmbook._lazy import lazy_exports

__all__ = [
    "PEAK_BF16_TFLOPS",
    "ConfigError",
    "EarlyStopping",
    "GradRecorder",
    "History",
    "NonFiniteError",
    "StepInfo",
    "TrainConfig",
    "WarmupSchedule",
    "evaluate",
    "flops_per_token",
    "latest_checkpoint",
    "make_scheduler",
    "param_groups",
    "peak_tflops",
    "plot_history",
    "resolve_precision",
    "train",
]

_WHERE = {
    "PEAK_BF16_TFLOPS": "throughput",
    "ConfigError": "config",
    "EarlyStopping": "guards",
    "GradRecorder": "gradients",
    "History": "history",
    "NonFiniteError": "guards",
    "StepInfo": "loop",
    "TrainConfig": "config",
    "WarmupSchedule": "schedules",
    "evaluate": "loop",
    "flops_per_token": "throughput",
    "latest_checkpoint": "checkpoint",
    "make_scheduler": "schedules",
    "param_groups": "optim",
    "peak_tflops": "throughput",
    "plot_history": "history",
    "resolve_precision": "precision",
    "train": "loop",
}

if TYPE_CHECKING:  # pragma: no cover
    from lmbook.train.checkpoint import latest_checkpoint
    from lmbook.train.config import ConfigError, TrainConfig
    from lmbook.train.gradients import GradRecorder
    from lmbook.train.guards import EarlyStopping, NonFiniteError
    from lmbook.train.history import History, plot_history
    from lmbook.train.loop import StepInfo, evaluate, train
    from lmbook.train.optim import param_groups
    from lmbook.train.precision import resolve_precision
    from lmbook.train.schedules import WarmupSchedule, make_scheduler
    from lmbook.train.throughput import PEAK_BF16_TFLOPS, flops_per_token, peak_tflops


__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
