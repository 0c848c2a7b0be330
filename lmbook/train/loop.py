"""``train()``: the training loop the book uses for every model, from an MLP to a LoRA'd GPT.

It reads top to bottom: :func:`train` builds the run, resumes it if asked, then repeats
:func:`train_step` until the last step, validating, checkpointing and calling back as the config
says. One optimizer step is

1. forward and backward over ``grad_accum`` micro-batches (the gradients add up in ``.grad``;
   with several processes only the last backward all-reduces them);
2. unscale the gradients (fp16 only: otherwise the scaler passes everything through);
3. one gradient norm per parameter; the host reads the loss and the norms at once, the step's
   only synchronisation;
4. on a NaN/Inf loss or gradient: no update, and stop (or skip) naming the module;
5. clip to ``max_grad_norm``, step the optimizer and the schedule, record the update.

The other pieces have modules of their own, and this one only calls them: checking the
arguments and building the run (``run``), checkpoints and exact resume (``resume``,
``checkpoint``), the NaN guard (``guards``), gradient norms and the recorder (``gradients``),
validation and early stopping (``evaluation``), the history, progress bar and report
(``reporting``).

Two models stepping in turn, as in a GAN (chapter 7), are not this loop's job: one model, one
loss, one optimizer is what keeps it short. Such a loop is twenty lines that the book writes
itself, so that the alternation it teaches stays in view, reusing the pieces: ``seed_everything``,
``make_scheduler``, :func:`~lmbook.train.guards.check_finite`, ``History`` and ``plot_history``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lmbook.train.batches import to_device
from lmbook.train.config import TrainConfig
from lmbook.train.evaluation import validate
from lmbook.train.gradients import clip_by_total_norm, grad_norms
from lmbook.train.guards import stop_or_skip
from lmbook.train.history import History
from lmbook.train.reporting import Reporter
from lmbook.train.resume import save_run, start_or_resume
from lmbook.train.run import LossFn, Metrics, Run, build_run

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = ["StepInfo", "train", "train_step"]


@dataclass
class StepInfo:
    """What a callback sees after each optimizer step; set ``stop = True`` to end the run."""

    step: int
    max_steps: int
    loss: float
    lr: float
    history: History
    model: Any
    stop: bool = False


def train(
    model: torch.nn.Module,
    config: TrainConfig,
    train_data: Any,
    val_data: Any = None,
    *,
    collate_fn: Any = None,
    loss_fn: LossFn | None = None,
    optimizer: torch.optim.Optimizer | None = None,
    metrics: Metrics | None = None,
    callbacks: Sequence[Callable[[StepInfo], None]] = (),
    resume: bool | str | Path = False,
) -> History:
    """Train ``model`` in place as ``config`` says and return its :class:`History`.

    ``train_data``/``val_data``: a DataLoader, or a dataset that is batched with
    ``config.batch_size`` (shuffled with ``config.seed``). Batches are dicts with ``labels``
    (transformers/peft models) or ``(x, y)`` pairs, else give ``loss_fn(model, batch)``.
    ``metrics(model)`` adds validation metrics (``history.val_metrics``); ``callbacks`` are
    called with a :class:`StepInfo` after every step. ``resume=True`` continues from
    ``out_dir``'s latest checkpoint (a path picks one) with the same losses, bit for bit on a
    CPU, as a run that never stopped.

    ``optimizer``: one you built yourself is used as it is, its own hyper-parameters being the
    truth; the config's ``optimizer``, ``lr``, ``betas``, ``eps``, ``weight_decay`` and
    ``momentum`` must then stay at their defaults or agree with it (else a ``ConfigError``),
    and resuming checks the optimizer's own settings against the checkpoint's.

    >>> cfg = TrainConfig(lr=1e-3, batch_size=16, max_steps=200)  # doctest: +SKIP
    >>> history = train(model, cfg, data["train"], data["validation"])  # doctest: +SKIP
    >>> plot_history(history)  # doctest: +SKIP
    """
    run = build_run(
        model,
        config,
        train_data,
        val_data,
        collate_fn=collate_fn,
        loss_fn=loss_fn,
        optimizer=optimizer,
        metrics=metrics,
    )
    start_or_resume(run, resume)
    log = Reporter(run)
    h = run.history
    stop = False
    try:
        while run.step < run.max_steps and not stop:
            started = time.perf_counter()
            micro = run.cursor.next_step()
            loss, lr, finite = train_step(run, micro)
            log.step(micro, loss, lr, started)
            if not finite:
                _stop_or_skip(run, micro, loss)
            if run.val_loader is not None and _due(run.step, config.eval_every):
                stop = validate(run)
            if config.out_dir is not None and (stop or _due(run.step, config.checkpoint_every)):
                save_run(run)
            info = StepInfo(run.step, run.max_steps, loss, lr, h, run.base)
            for callback in callbacks:
                callback(info)
            if info.stop and not stop:
                stop = True
                h.stop_reason = h.stop_reason or f"stopped by a callback at step {run.step}"
        if run.val_loader is not None and (not h.val_step or h.val_step[-1] != run.step):
            validate(run)
        if config.out_dir is not None and run.saved_step != run.step:
            save_run(run)
    finally:
        log.close()
    h.stop_reason = h.stop_reason or f"finished {run.step} steps"
    log.finish()
    return h


def train_step(run: Run, micro: list[Any]) -> tuple[float, float, bool]:
    """One optimizer step over ``micro``; returns the mean loss, the lr used, and whether the
    loss and gradients were finite (if not, nothing is updated and the gradients are kept)."""
    import torch

    cfg, optimizer, scaler = run.config, run.optimizer, run.scaler
    n = len(micro)
    losses = []
    for i, batch in enumerate(micro):
        with run.runtime.accumulate(run.model, last=i == n - 1):
            with run.precision.autocast(run.device.type):
                loss = run.loss_fn(run.forward_model, to_device(batch, run.device))
            scaler.scale(loss / n).backward()  # the mean over the micro-batches
        losses.append(loss.detach())
    run.step += 1
    mean_loss = run.runtime.mean((sum(losses) / n).float())

    scaler.unscale_(optimizer)  # clip and record the true gradients, not the scaled ones
    grads, per_param = grad_norms(run.params)
    total = torch.linalg.vector_norm(per_param)
    record = run.recorder is not None and run.recorder.due(run.step)
    parts = [mean_loss.reshape(1), total.reshape(1)]
    if record:
        parts.append(run.recorder.group_norms(per_param))
    host = torch.cat(parts).tolist()  # the one wait for the device in a step
    loss_v, total_v = host[0], host[1]
    lr = run.scheduler.get_last_lr()[0]
    # In fp16 an infinite gradient is the scaler's business: it skips the step, lowers the scale.
    if not math.isfinite(loss_v) or (not scaler.is_enabled() and not math.isfinite(total_v)):
        return loss_v, lr, False

    clipped = cfg.max_grad_norm is not None and total_v > cfg.max_grad_norm
    if cfg.max_grad_norm is not None:
        clip_by_total_norm(grads, total, cfg.max_grad_norm)
    before = run.recorder.snapshot(run.params) if record else None
    scaler.step(optimizer)  # optimizer.step(), which fp16 skips when a gradient is inf
    scaler.update()
    run.scheduler.step()
    optimizer.zero_grad(set_to_none=True)
    if record:
        ratios = run.recorder.measure_update(before, run.params).tolist()
        run.recorder.append(run.step, host[2:], ratios, total_v, clipped)
    run.history.grad_norm.append(total_v)
    return loss_v, lr, True


def _due(step: int, every: int | None) -> bool:
    """Whether something done ``every`` steps (None: never) is due after ``step``."""
    return every is not None and step % every == 0


def _stop_or_skip(run: Run, micro: list[Any], loss: float) -> None:
    """After a non-finite step: name the culprit, then raise, or (on "skip") drop the step."""
    h, action = run.history, run.config.on_nonfinite
    h.grad_norm.append(math.nan)
    if action == "stop":
        h.stop_reason = f"non-finite at step {run.step}"

    def rerun() -> None:  # the step's forward passes once more, for the guard's hooks
        for batch in micro:
            with run.precision.autocast(run.device.type):
                run.loss_fn(run.model, to_device(batch, run.device))

    ckpt = str(run.last_checkpoint) if run.last_checkpoint is not None else None
    stop_or_skip(
        run.base, loss, step=run.step, on_nonfinite=action, rerun=rerun, checkpoint=ckpt, history=h
    )
    run.optimizer.zero_grad(set_to_none=True)
    run.scaler.update()
    run.scheduler.step()
    h.skipped.append(run.step)
