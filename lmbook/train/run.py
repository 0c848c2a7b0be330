"""``Run``: everything one call of :func:`lmbook.train.train` works with, built and checked at once.

:func:`build_run` turns the user's model, config and data into a ready run: the device and the
process runtime, the precision, the data loaders and the cursor over them, the optimizer (the
config's, or the user's after :func:`~lmbook.train.optim.check_user_optimizer`), the schedule,
the gradient scaler, the gradient recorder and early stopping. Every setting that cannot work
fails here with a :class:`~lmbook.train.config.ConfigError`, before the first step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lmbook.train.batches import default_loss, loader_for, loader_generators
from lmbook.train.config import ConfigError, TrainConfig
from lmbook.train.history import History

if TYPE_CHECKING:  # pragma: no cover
    import torch

    from lmbook.train.data_cursor import DataCursor
    from lmbook.train.distributed import LocalRuntime
    from lmbook.train.gradients import GradRecorder
    from lmbook.train.guards import EarlyStopping
    from lmbook.train.precision import Precision

__all__ = ["LossFn", "Metrics", "Run", "build_run"]

LossFn = Callable[[Any, Any], Any]
Metrics = Callable[[Any], dict[str, float]]


@dataclass
class Run:
    """The state of one training run; ``step`` counts optimizer steps done (resume sets it)."""

    config: TrainConfig
    runtime: LocalRuntime
    precision: Precision
    model: Any  # what the loop calls: the user's model, wrapped for DDP when distributed
    base: torch.nn.Module  # the user's model itself: checkpoints, recorder, callbacks
    forward_model: Any  # ``model``, or its ``torch.compile`` wrapper
    loss_fn: LossFn
    metrics: Metrics | None
    train_loader: Any
    val_loader: Any
    cursor: DataCursor
    max_steps: int
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler
    scaler: torch.amp.GradScaler  # disabled (a pass-through) unless fp16
    params: list[torch.nn.Parameter]
    recorder: GradRecorder | None
    early: EarlyStopping | None
    history: History
    flops_token: float
    step: int = 0
    last_checkpoint: Path | None = None
    saved_step: int = -1

    @property
    def device(self) -> torch.device:
        """The device the run computes on."""
        return self.runtime.device


def build_run(
    model: torch.nn.Module,
    config: TrainConfig,
    train_data: Any,
    val_data: Any,
    *,
    collate_fn: Any,
    loss_fn: LossFn | None,
    optimizer: torch.optim.Optimizer | None,
    metrics: Metrics | None,
) -> Run:
    """Check the arguments and build the run (device, data, optimizer, schedule, recorder)."""
    import torch

    from lmbook.seeding import seed_everything
    from lmbook.train.data_cursor import DataCursor
    from lmbook.train.distributed import make_runtime
    from lmbook.train.gradients import GradRecorder
    from lmbook.train.guards import EarlyStopping
    from lmbook.train.optim import check_user_optimizer, make_optimizer
    from lmbook.train.precision import resolve_precision
    from lmbook.train.schedules import make_scheduler
    from lmbook.train.throughput import flops_per_token

    if not isinstance(config, TrainConfig):
        raise ConfigError(f"config must be a TrainConfig, got {type(config).__name__}.")
    if not isinstance(model, torch.nn.Module):
        raise ConfigError(f"model must be a torch.nn.Module, got {type(model).__name__}.")
    if config.early_stop_patience is not None and (val_data is None or not config.eval_every):
        raise ConfigError(
            "early stopping needs validation: pass val_data and set eval_every (steps)."
        )
    if optimizer is not None:
        check_user_optimizer(optimizer, config)
    try:
        runtime = make_runtime(config.device)
    except ValueError as err:
        raise ConfigError(str(err)) from None
    device = runtime.device
    precision = resolve_precision(config.precision, device)
    seed_everything(config.seed)

    micro = config.batch_size // config.grad_accum if config.batch_size else None
    opts = {"config": config, "collate_fn": collate_fn, "pin": device.type == "cuda"}
    train_loader = loader_for(train_data, micro, train=True, **opts)
    val_loader = None
    if val_data is not None:
        val_loader = loader_for(val_data, micro or train_loader.batch_size, train=False, **opts)
    model.train()
    wrapped, (train_loader, val_loader) = runtime.prepare(model, [train_loader, val_loader])
    base = runtime.unwrap(wrapped)
    forward_model = wrapped
    if config.compile:
        backend = config.compile if isinstance(config.compile, str) else "inductor"
        forward_model = torch.compile(wrapped, backend=backend)

    cursor = DataCursor(train_loader, config.grad_accum, loader_generators(train_loader))
    max_steps = _total_steps(config, cursor, train_loader)
    if config.warmup_steps > max_steps:
        raise ConfigError(
            f"warmup_steps={config.warmup_steps} exceeds the {max_steps} steps of the run; use "
            "fewer warmup steps."
        )
    if optimizer is None:
        optimizer = make_optimizer(base, config, device.type)
    scheduler = make_scheduler(
        optimizer, config.schedule, config.warmup_steps, max_steps, config.min_lr_ratio
    )
    # A disabled scaler passes everything through, so the step has one code path for all modes.
    scaler = precision.make_scaler(device.type) or torch.amp.GradScaler(device.type, enabled=False)
    named = [(n, p) for n, p in base.named_parameters() if p.requires_grad]
    recorder = None
    if config.record_grads:
        names = [n for n, _ in named]
        recorder = GradRecorder.for_params(names, config.record_every, config.record_group_by)
    early = None
    if config.early_stop_patience:
        early = EarlyStopping(config.early_stop_patience, config.early_stop_mode)
    flops_token = flops_per_token(base)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    return Run(
        config=config,
        runtime=runtime,
        precision=precision,
        model=wrapped,
        base=base,
        forward_model=forward_model,
        loss_fn=loss_fn or default_loss,
        metrics=metrics,
        train_loader=train_loader,
        val_loader=val_loader,
        cursor=cursor,
        max_steps=max_steps,
        optimizer=optimizer,
        scheduler=scheduler,
        scaler=scaler,
        params=[p for _, p in named],
        recorder=recorder,
        early=early,
        history=History(grads=recorder),
        flops_token=flops_token,
    )


def _total_steps(config: TrainConfig, cursor: DataCursor, loader: Any) -> int:
    """Optimizer steps of the run: ``max_steps``, else ``epochs`` passes over the data."""
    per_epoch = cursor.steps_per_epoch()
    if per_epoch == 0:
        raise ConfigError(
            f"the training data gives {len(loader)} micro-batch(es) per epoch, fewer than "
            f"grad_accum={config.grad_accum}; use more data or smaller batches."
        )
    if config.max_steps is not None:
        return config.max_steps
    if per_epoch is None:
        raise ConfigError(
            "the training data has no length, so epochs cannot be counted; set max_steps."
        )
    return config.epochs * per_epoch
