"""Training utilities that are honest on a CPU and fast on a GPU.

Three lines in a notebook::

    cfg = TrainConfig(lr=1e-3, batch_size=16, max_steps=200, eval_every=50)
    history = train(model, cfg, data["train"], data["validation"])
    plot_history(history)

Names are imported lazily: ``import lmbook.train`` costs nothing, and ``transformers``, ``peft``
and ``accelerate`` are never imported by it (Accelerate only when launched on several
processes). See ``docs/train.md``. ``python -m lmbook.train.search_record`` records the
hyper-parameter searches and fitting curves of section 4.4 (``search_record``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submodules=["search_record"],
    submod_attrs={
        "checkpoint": ["latest_checkpoint"],
        "config": ["ConfigError", "TrainConfig"],
        "evaluation": ["evaluate"],
        "gradients": ["GradRecorder"],
        "guards": ["EarlyStopping", "NonFiniteError"],
        "history": ["History", "plot_history"],
        "loop": ["StepInfo", "train"],
        "metrics": [
            "McNemar",
            "PairedBootstrap",
            "accuracy",
            "bootstrap_ci",
            "confusion_matrix",
            "mcnemar",
            "paired_bootstrap",
            "precision_recall_f1",
        ],
        "optim": ["param_groups"],
        "precision": ["resolve_precision"],
        "schedules": ["WarmupSchedule", "make_scheduler"],
        "throughput": ["PEAK_BF16_TFLOPS", "flops_per_token", "peak_tflops"],
    },
)

if TYPE_CHECKING:  # pragma: no cover
    from lmbook.train.checkpoint import latest_checkpoint
    from lmbook.train.config import ConfigError, TrainConfig
    from lmbook.train.evaluation import evaluate
    from lmbook.train.gradients import GradRecorder
    from lmbook.train.guards import EarlyStopping, NonFiniteError
    from lmbook.train.history import History, plot_history
    from lmbook.train.loop import StepInfo, train
    from lmbook.train.metrics import (
        McNemar,
        PairedBootstrap,
        accuracy,
        bootstrap_ci,
        confusion_matrix,
        mcnemar,
        paired_bootstrap,
        precision_recall_f1,
    )
    from lmbook.train.optim import param_groups
    from lmbook.train.precision import resolve_precision
    from lmbook.train.schedules import WarmupSchedule, make_scheduler
    from lmbook.train.throughput import PEAK_BF16_TFLOPS, flops_per_token, peak_tflops
