"""``TrainConfig``: every knob of a training run in one small dataclass, checked when it is made.

A wrong value fails at once with one sentence that says what to do, before any model or data is
touched. The checks that need to know the machine (is CUDA here? does the GPU do bf16?) run when
:func:`lmbook.train.train` resolves the device, still before the first step.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from lmbook.train.gradients import GROUP_BY

__all__ = ["ConfigError", "TrainConfig"]

SCHEDULES = ("cosine", "linear", "constant")
PRECISIONS = ("auto", "fp32", "bf16", "fp16")
OPTIMIZERS = ("adamw", "sgd")
NONFINITE_ACTIONS = ("stop", "skip")

# Fields that change what a step computes: resuming with other values would not continue the run.
RESUME_FIELDS = (
    "lr",
    "batch_size",
    "grad_accum",
    "max_steps",
    "epochs",
    "schedule",
    "warmup_steps",
    "min_lr_ratio",
    "optimizer",
    "weight_decay",
    "betas",
    "eps",
    "momentum",
    "max_grad_norm",
    "precision",
    "seed",
)


class ConfigError(ValueError):
    """A training setting that cannot work; the message says which one and what to do."""


@dataclass
class TrainConfig:
    """What to train for how long, how, and where to keep checkpoints.

    ``batch_size`` counts samples per optimizer step (per process); ``grad_accum`` splits it into
    that many micro-batches, so changing ``grad_accum`` saves memory without changing the maths.
    ``max_steps`` counts optimizer steps; when it is ``None`` the run lasts ``epochs`` passes.
    ``compile=True`` wraps the model in ``torch.compile`` (a string picks its backend).
    ``record_group_by`` sets the rows of ``History.grads``: "module" or "kind" (layer x kind).
    """

    lr: float = 3e-4
    batch_size: int | None = None
    grad_accum: int = 1
    max_steps: int | None = None
    epochs: int = 1
    schedule: str = "cosine"
    warmup_steps: int = 0
    min_lr_ratio: float = 0.0
    optimizer: str = "adamw"
    weight_decay: float = 0.01
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    momentum: float = 0.0
    max_grad_norm: float | None = 1.0
    precision: str = "auto"
    device: str | None = None
    compile: bool | str = False
    seed: int = 0
    eval_every: int | None = None
    eval_batches: int | None = None
    early_stop_patience: int | None = None
    early_stop_metric: str = "loss"
    early_stop_mode: str = "min"
    out_dir: str | None = None
    checkpoint_every: int | None = None
    keep_checkpoints: int = 2
    on_nonfinite: str = "stop"
    record_grads: bool = True
    record_every: int = 1
    record_group_by: str = "module"
    num_workers: int = 0
    progress: bool = True
    verbose: bool = True

    def __post_init__(self) -> None:
        self.betas = tuple(self.betas)  # type: ignore[assignment]  # JSON gives lists back
        _check_positive(self, "lr", allow_zero=False, kind=float)
        if self.batch_size is not None:
            _check_positive(self, "batch_size", allow_zero=False)
        _check_positive(self, "grad_accum", allow_zero=False)
        if self.batch_size is not None and self.batch_size % self.grad_accum:
            lower = self.batch_size - self.batch_size % self.grad_accum
            raise ConfigError(
                f"batch_size={self.batch_size} samples per step cannot be split into "
                f"grad_accum={self.grad_accum} equal micro-batches; use a batch_size that is a "
                f"multiple of grad_accum (e.g. {max(lower, self.grad_accum)})."
            )
        if self.max_steps is not None:
            _check_positive(self, "max_steps", allow_zero=False)
        _check_positive(self, "epochs", allow_zero=False)
        _check_choice(self, "schedule", SCHEDULES)
        _check_positive(self, "warmup_steps", allow_zero=True)
        if self.max_steps is not None and self.warmup_steps > self.max_steps:
            raise ConfigError(
                f"warmup_steps={self.warmup_steps} is longer than max_steps={self.max_steps}; "
                "use fewer warmup steps (a few percent of the run is typical)."
            )
        if not 0.0 <= self.min_lr_ratio <= 1.0:
            raise ConfigError(f"min_lr_ratio={self.min_lr_ratio} must lie in [0, 1].")
        _check_choice(self, "optimizer", OPTIMIZERS)
        _check_positive(self, "weight_decay", allow_zero=True, kind=float)
        if len(self.betas) != 2 or not all(0.0 <= b < 1.0 for b in self.betas):
            raise ConfigError(f"betas={self.betas} must be two numbers in [0, 1).")
        if self.max_grad_norm is not None:
            _check_positive(self, "max_grad_norm", allow_zero=False, kind=float)
        _check_choice(self, "precision", PRECISIONS)
        if not isinstance(self.compile, (bool, str)) or self.compile == "":
            raise ConfigError(
                f"compile={self.compile!r} is invalid; use True/False or a torch.compile backend "
                "name such as 'inductor'."
            )
        _check_choice(self, "on_nonfinite", NONFINITE_ACTIONS)
        _check_choice(self, "early_stop_mode", ("min", "max"))
        for name in ("eval_every", "eval_batches", "checkpoint_every", "early_stop_patience"):
            if getattr(self, name) is not None:
                _check_positive(self, name, allow_zero=False)
        _check_positive(self, "keep_checkpoints", allow_zero=False)
        _check_positive(self, "record_every", allow_zero=False)
        _check_choice(self, "record_group_by", GROUP_BY)
        _check_positive(self, "num_workers", allow_zero=True)
        if self.checkpoint_every is not None and self.out_dir is None:
            raise ConfigError(
                "checkpoint_every is set but out_dir is None; give out_dir='runs/my-run' so the "
                "checkpoints have somewhere to go."
            )
        if self.device is not None:
            self._check_device()

    def _check_device(self) -> None:
        """Fail now if the requested device does not exist here or cannot run the precision."""
        from lmbook.device import pick_device

        try:
            dev = pick_device(self.device)
        except ValueError as err:
            raise ConfigError(str(err)) from None
        except RuntimeError:  # torch.device() rejects names it does not know
            raise ConfigError(
                f"device {self.device!r} is not a device name PyTorch knows; use 'cpu', 'cuda', "
                "'cuda:1' or 'mps' (or None to choose automatically)."
            ) from None
        check_precision_for(self.precision, dev.type)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict of the settings (stored in every checkpoint)."""
        d = dataclasses.asdict(self)
        d["betas"] = list(self.betas)
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """Rebuild a config saved by :meth:`to_dict`; unknown keys are an error."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ConfigError(f"unknown TrainConfig fields {unknown}; remove them.")
        return cls(**data)


def check_precision_for(precision: str, device_type: str) -> None:
    """Reject precisions a device cannot run (fp16 autocast with a scaler needs CUDA)."""
    if precision == "fp16" and device_type != "cuda":
        raise ConfigError(
            f"precision='fp16' needs a CUDA GPU (it trains with a gradient scaler) but the device "
            f"is {device_type}; use precision='fp32' (or 'bf16' for bfloat16 autocast) here."
        )


def _check_positive(cfg: TrainConfig, name: str, *, allow_zero: bool, kind: type = int) -> None:
    value = getattr(cfg, name)
    ok_type = isinstance(value, (int, float)) if kind is float else isinstance(value, int)
    if isinstance(value, bool) or not ok_type:
        raise ConfigError(f"{name} must be a {kind.__name__}, got {value!r}.")
    if value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ConfigError(f"{name}={value!r} is invalid: it must be {bound}.")


def _check_choice(cfg: TrainConfig, name: str, choices: tuple[str, ...]) -> None:
    value = getattr(cfg, name)
    if value not in choices:
        raise ConfigError(f"{name}={value!r} is not one of {', '.join(map(repr, choices))}.")
