"""Guards: stop (or skip) on a NaN/Inf loss or gradient and name where it came from; early stopping.

Finding the culprit costs nothing while training is healthy: only after a non-finite value is
seen does :func:`first_nonfinite_module` re-run the failing micro-batch with forward hooks (with
the RNG state forked, so a skipped step leaves the run's randomness untouched) and report the
first module, in execution order, whose output is non-finite although its inputs were finite.
For a gradient that is non-finite while the loss is finite, the culprit is the module closest to
the loss among those with non-finite gradients (backpropagation spreads it to all before it).

:func:`stop_or_skip` turns that into the error (or warning) :func:`lmbook.train.train` gives;
:func:`check_finite` is the same guard for a training loop of your own (e.g. a GAN's).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = [
    "EarlyStopping",
    "NonFiniteError",
    "check_finite",
    "first_nonfinite_module",
    "last_nonfinite_grad_module",
    "nonfinite_culprit",
    "stop_or_skip",
]


class NonFiniteError(FloatingPointError):
    """Training produced a NaN or Inf (attributes: step, module, checkpoint, history)."""

    def __init__(
        self,
        message: str,
        *,
        step: int,
        module: str | None,
        checkpoint: str | None,
        history: Any = None,
    ) -> None:
        super().__init__(message)
        self.step = step
        self.module = module
        self.checkpoint = checkpoint
        self.history = history


def _tensors(obj: Any) -> Iterator[torch.Tensor]:
    import torch

    if isinstance(obj, torch.Tensor):
        yield obj
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            yield from _tensors(item)
    elif isinstance(obj, Mapping):
        for item in obj.values():
            yield from _tensors(item)


def _all_finite(tensors: Iterable[torch.Tensor]) -> bool:
    import torch

    return all(bool(torch.isfinite(t).all()) for t in tensors if t.is_floating_point())


def first_nonfinite_module(
    model: torch.nn.Module, run_forward: Callable[[], Any]
) -> tuple[str, str] | None:
    """``(name, class)`` of the first module whose output turns non-finite, or None.

    ``run_forward`` re-runs the failing forward pass; the RNG is forked around it so the
    diagnosis does not change the random numbers the rest of the run sees.
    """
    import torch

    found: list[tuple[str, str]] = []
    names = {id(m): n for n, m in model.named_modules()}

    def hook(module: torch.nn.Module, args: tuple, kwargs: dict, output: Any) -> None:
        if found or _all_finite(_tensors(output)):
            return
        inputs_ok = _all_finite(_tensors(args)) and _all_finite(_tensors(kwargs))
        params_ok = _all_finite(module.parameters(recurse=False))
        if inputs_ok or not params_ok:
            found.append((names.get(id(module), "?") or "(model)", type(module).__name__))

    handles = [m.register_forward_hook(hook, with_kwargs=True) for m in model.modules()]
    devices = [torch.cuda.current_device()] if torch.cuda.is_initialized() else []
    try:
        with torch.random.fork_rng(devices=devices), torch.no_grad():
            run_forward()
    finally:
        for h in handles:
            h.remove()
    return found[0] if found else None


def last_nonfinite_grad_module(model: torch.nn.Module) -> str | None:
    """Module of the last parameter (in definition order) whose gradient is non-finite."""
    import torch

    culprit = None
    for name, p in model.named_parameters():
        if p.grad is not None and not bool(torch.isfinite(p.grad).all()):
            culprit = name.rsplit(".", 1)[0] if "." in name else name
    return culprit


def nonfinite_culprit(
    model: torch.nn.Module, loss: float, rerun: Callable[[], Any] | None = None
) -> tuple[str, str | None]:
    """What is non-finite and where, as a clause for a message, and the culprit module's name.

    A finite ``loss`` means a gradient is to blame (the gradients must still be there); else
    ``rerun()`` repeats the forward pass under hooks to find the first bad output.
    """
    if math.isfinite(loss):
        name = last_nonfinite_grad_module(model)
        where = f"; the non-finite gradient nearest the loss is in module {name!r}" if name else ""
        return f"a gradient is non-finite (the loss is finite){where}", name
    found = first_nonfinite_module(model, rerun) if rerun is not None else None
    where = f"; the first non-finite output came from {found[0]!r} ({found[1]})" if found else ""
    return f"the loss is {loss}{where}", found[0] if found else None


def stop_or_skip(
    model: torch.nn.Module,
    loss: float,
    *,
    step: int,
    on_nonfinite: str = "stop",
    rerun: Callable[[], Any] | None = None,
    checkpoint: str | None = None,
    history: Any = None,
) -> None:
    """Name the culprit of a non-finite step; raise :class:`NonFiniteError` or, on "skip", warn."""
    what, module = nonfinite_culprit(model, loss, rerun)
    if on_nonfinite == "skip":
        warnings.warn(
            f"step {step}: {what}; the step was skipped (on_nonfinite='skip').",
            RuntimeWarning,
            stacklevel=3,
        )
        return
    kept = (
        f"the last good checkpoint {checkpoint} is intact"
        if checkpoint is not None
        else "no checkpoint was written"
    )
    raise NonFiniteError(
        f"step {step}: {what}. Training stopped; {kept}. Lower the learning rate, keep "
        "max_grad_norm set, prefer bf16 to fp16, or set on_nonfinite='skip'.",
        step=step,
        module=module,
        checkpoint=checkpoint,
        history=history,
    )


def check_finite(
    model: torch.nn.Module,
    loss: torch.Tensor | float,
    *,
    step: int,
    on_nonfinite: str = "stop",
    rerun: Callable[[], Any] | None = None,
) -> bool:
    """The NaN guard for a loop of your own: call it after ``backward()``, before stepping.

    True when the loss and every gradient of ``model`` are finite. Otherwise the culprit is named
    as in :func:`lmbook.train.train`: ``NonFiniteError`` is raised, or with ``on_nonfinite="skip"``
    a warning is given and False returned (then zero the gradients and skip the update).
    ``rerun()`` repeats the forward pass, to find the module whose output went non-finite.
    """
    import torch

    if on_nonfinite not in ("stop", "skip"):
        raise ValueError(f"on_nonfinite={on_nonfinite!r} is not one of 'stop', 'skip'.")
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    loss_v = loss.item() if isinstance(loss, torch.Tensor) else float(loss)
    if math.isfinite(loss_v) and (
        not grads or bool(torch.stack([torch.isfinite(g).all() for g in grads]).all())
    ):
        return True
    stop_or_skip(model, loss_v, step=step, on_nonfinite=on_nonfinite, rerun=rerun)
    return False


class EarlyStopping:
    """Stop when a validation metric has not improved by ``min_delta`` for ``patience`` evals."""

    def __init__(self, patience: int, mode: str = "min", min_delta: float = 0.0) -> None:
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        self.patience = patience
        self.mode = mode
        self.min_delta = min_delta
        self.best = math.inf if mode == "min" else -math.inf
        self.best_step = 0
        self.bad_evals = 0

    def update(self, value: float, step: int) -> bool:
        """Record one evaluation; True when training should stop."""
        better = (
            value < self.best - self.min_delta
            if self.mode == "min"
            else value > self.best + self.min_delta
        )
        if better:
            self.best, self.best_step, self.bad_evals = value, step, 0
        else:
            self.bad_evals += 1
        return self.bad_evals >= self.patience

    def state_dict(self) -> dict[str, Any]:
        """Plain numbers for a checkpoint."""
        return {"best": self.best, "best_step": self.best_step, "bad_evals": self.bad_evals}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore from :meth:`state_dict`."""
        self.best = state["best"]
        self.best_step = state["best_step"]
        self.bad_evals = state["bad_evals"]
