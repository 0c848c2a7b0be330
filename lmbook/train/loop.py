"""``train()``: the training loop the book uses for every model, from an MLP to a LoRA'd GPT.

One optimizer step = ``grad_accum`` micro-batches (inner ones without gradient all-reduce when
distributed) -> unscale (fp16) -> per-parameter gradient norms -> NaN/Inf guard -> clip ->
optimizer and scheduler step -> record. The host synchronises once per step (to read the loss
and norms for the history and the guard), as a gradient scaler would anyway.
"""

from __future__ import annotations

import contextlib
import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lmbook.train.batches import (
    batch_counts,
    default_loss,
    loader_generators,
    make_loader,
    to_device,
)
from lmbook.train.config import RESUME_FIELDS, ConfigError, TrainConfig
from lmbook.train.history import History

if TYPE_CHECKING:  # pragma: no cover
    import torch

    from lmbook.train.distributed import LocalRuntime
    from lmbook.train.precision import Precision

__all__ = ["StepInfo", "evaluate", "train"]

LossFn = Callable[[Any, Any], Any]


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


def _loader(
    data: Any,
    micro: int | None,
    *,
    train: bool,
    config: TrainConfig,
    collate_fn: Any,
    pin: bool,
) -> Any:
    """Use a given DataLoader (checking its batch size) or build one from a dataset."""
    from torch.utils.data import DataLoader

    role = "training" if train else "validation"
    if isinstance(data, DataLoader):
        if micro is not None and data.batch_size is not None and data.batch_size != micro:
            raise ConfigError(
                f"the {role} DataLoader yields batches of {data.batch_size} but the config asks "
                f"for micro-batches of {micro} (batch_size={config.batch_size} / grad_accum="
                f"{config.grad_accum}); make them agree, or leave batch_size=None to use the "
                "loader's."
            )
        return data
    if micro is None:
        raise ConfigError(
            f"the {role} data is a dataset, not a DataLoader, so the config must say how to batch "
            "it: set TrainConfig(batch_size=...) (samples per optimizer step)."
        )
    return make_loader(
        data,
        micro,
        shuffle=train,
        seed=config.seed,
        collate_fn=collate_fn,
        num_workers=config.num_workers,
        pin_memory=pin,
    )


def _evaluate(
    model: Any,
    loader: Any,
    loss_fn: LossFn,
    runtime: LocalRuntime,
    precision: Precision,
    max_batches: int | None,
) -> float:
    """Batch losses averaged with their sample counts as weights, over all processes."""
    import torch

    device = runtime.device
    was_training = model.training
    model.eval()
    total = torch.zeros(2, dtype=torch.float64, device=device)
    with torch.no_grad():
        for i, batch in enumerate(loader):
            if max_batches is not None and i >= max_batches:
                break
            samples, _ = batch_counts(batch)
            with precision.autocast(device.type):
                loss = loss_fn(model, to_device(batch, device))
            total[0] += loss.detach().double() * samples
            total[1] += samples
    model.train(was_training)
    loss_sum, count = runtime.reduce_sum(total).tolist()
    if count == 0:
        raise ConfigError("the validation data yielded no batch; give a non-empty dataset.")
    return loss_sum / count


def evaluate(
    model: torch.nn.Module,
    data: Any,
    *,
    batch_size: int = 32,
    loss_fn: LossFn | None = None,
    collate_fn: Any = None,
    device: str | None = None,
    precision: str = "auto",
    max_batches: int | None = None,
) -> float:
    """Loss of ``model`` on a dataset or DataLoader: batch losses weighted by batch size."""
    from torch.utils.data import DataLoader

    from lmbook.device import pick_device
    from lmbook.train.distributed import LocalRuntime
    from lmbook.train.precision import resolve_precision

    runtime = LocalRuntime(pick_device(device))
    prec = resolve_precision(precision, runtime.device)
    if isinstance(data, DataLoader):
        loader = data
    else:
        loader = make_loader(data, batch_size, shuffle=False, seed=0, collate_fn=collate_fn)
    model = model.to(runtime.device)
    return _evaluate(model, loader, loss_fn or default_loss, runtime, prec, max_batches)


def _describe_start(runtime: LocalRuntime, config: TrainConfig, precision: Precision) -> str:
    from lmbook.device import describe_device

    why = "as configured" if config.device is not None else "chosen automatically"
    return (
        f"lmbook.train: {describe_device(runtime.device)} [{why}]; precision {precision.name} "
        f"({precision.reason}); {runtime.describe()}"
    )


def _check_resume_config(saved: dict[str, Any], config: TrainConfig, path: Path) -> None:
    now = config.to_dict()
    changed = [name for name in RESUME_FIELDS if saved.get(name) != now[name]]
    if changed:
        diffs = ", ".join(f"{n}={saved.get(n)!r} there vs {now[n]!r} here" for n in changed)
        raise ConfigError(
            f"checkpoint {path} belongs to a run with other settings ({diffs}); resume with the "
            "same TrainConfig, or start a fresh run in another out_dir."
        )


class _Run:
    """The state of one call to :func:`train` (split into methods only to keep them short)."""

    def __init__(
        self,
        model: torch.nn.Module,
        config: TrainConfig,
        train_data: Any,
        val_data: Any,
        *,
        collate_fn: Any,
        loss_fn: LossFn | None,
        optimizer: torch.optim.Optimizer | None,
        metrics: Callable[[torch.nn.Module], dict[str, float]] | None,
        callbacks: Sequence[Callable[[StepInfo], None]],
    ) -> None:
        import torch

        from lmbook.seeding import seed_everything
        from lmbook.train.data_cursor import DataCursor
        from lmbook.train.distributed import make_runtime
        from lmbook.train.gradients import GradRecorder
        from lmbook.train.guards import EarlyStopping
        from lmbook.train.optim import make_optimizer
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
        self.config = config
        try:
            self.runtime = make_runtime(config.device)
        except ValueError as err:
            raise ConfigError(str(err)) from None
        self.device = self.runtime.device
        self.precision = resolve_precision(config.precision, self.device)
        self.loss_fn = loss_fn or default_loss
        self.metrics = metrics
        self.callbacks = list(callbacks)
        seed_everything(config.seed)

        micro = config.batch_size // config.grad_accum if config.batch_size else None
        pin = self.device.type == "cuda"
        opts = {"config": config, "collate_fn": collate_fn, "pin": pin}
        train_loader = _loader(train_data, micro, train=True, **opts)
        val_loader = None
        if val_data is not None:
            val_micro = micro or train_loader.batch_size
            val_loader = _loader(val_data, val_micro, train=False, **opts)
        model.train()
        self.model, (self.train_loader, self.val_loader) = self.runtime.prepare(
            model, [train_loader, val_loader]
        )
        self.base = self.runtime.unwrap(self.model)
        self.forward_model = self.model
        if config.compile:
            backend = config.compile if isinstance(config.compile, str) else "inductor"
            self.forward_model = torch.compile(self.model, backend=backend)

        gens = loader_generators(self.train_loader)
        self.cursor = DataCursor(self.train_loader, config.grad_accum, gens)
        self.max_steps = self._total_steps()
        if config.warmup_steps > self.max_steps:
            raise ConfigError(
                f"warmup_steps={config.warmup_steps} exceeds the {self.max_steps} steps of the "
                "run; use fewer warmup steps."
            )
        self.optimizer = optimizer or make_optimizer(self.base, config, self.device.type)
        self.scheduler = make_scheduler(
            self.optimizer,
            config.schedule,
            config.warmup_steps,
            self.max_steps,
            config.min_lr_ratio,
        )
        self.scaler = self.precision.make_scaler(self.device.type)
        named = [(n, p) for n, p in self.base.named_parameters() if p.requires_grad]
        self.params = [p for _, p in named]
        self.recorder = (
            GradRecorder.for_params(
                [n for n, _ in named], config.record_every, config.record_group_by
            )
            if config.record_grads
            else None
        )
        self.early = (
            EarlyStopping(config.early_stop_patience, config.early_stop_mode)
            if config.early_stop_patience
            else None
        )
        self.flops_token = flops_per_token(self.base)
        if self.device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(self.device)
        self.history = History(grads=self.recorder)
        self.step = 0
        self.last_checkpoint: Path | None = None
        self.saved_step = -1
        self.t_start = time.perf_counter()
        self.wall_offset = 0.0
        self.times: list[float] = []
        self.tokens: list[int] = []
        self.samples: list[int] = []

    def _total_steps(self) -> int:
        cfg = self.config
        per_epoch = self.cursor.steps_per_epoch()
        if per_epoch == 0:
            raise ConfigError(
                f"the training data gives {len(self.train_loader)} micro-batch(es) per epoch, "
                f"fewer than grad_accum={cfg.grad_accum}; use more data or smaller batches."
            )
        if cfg.max_steps is not None:
            return cfg.max_steps
        if per_epoch is None:
            raise ConfigError(
                "the training data has no length, so epochs cannot be counted; set max_steps."
            )
        return cfg.epochs * per_epoch

    # -- checkpoints -------------------------------------------------------------------------

    def open_out_dir(self, resume: bool | str | Path) -> None:
        """Resume from a checkpoint, or check that a fresh run will not mix with an old one."""
        from lmbook.train.checkpoint import latest_checkpoint, remove_partial_writes

        cfg = self.config
        if cfg.out_dir is not None and self.runtime.is_main:
            remove_partial_writes(cfg.out_dir)
        if resume is False:
            if cfg.out_dir is not None and latest_checkpoint(cfg.out_dir) is not None:
                raise ConfigError(
                    f"out_dir {cfg.out_dir!r} already holds checkpoints of an earlier run; pass "
                    "resume=True to continue it, or use a new out_dir (or delete the old one)."
                )
            return
        if resume is True:
            if cfg.out_dir is None:
                raise ConfigError("resume=True needs out_dir in the config (where the run was).")
            path = latest_checkpoint(cfg.out_dir)
            if path is None:
                raise ConfigError(
                    f"no checkpoint in {cfg.out_dir!r} to resume from; run with resume=False first."
                )
        else:
            path = Path(resume)
        self._load(path)

    def _load(self, path: Path) -> None:
        from lmbook.train.checkpoint import load_checkpoint
        from lmbook.train.rng import restore_rng

        state, rng = load_checkpoint(
            path,
            model=self.base,
            optimizer=self.optimizer,
            scheduler=self.scheduler,
            scaler=self.scaler,
            check=lambda saved: _check_resume_config(saved["config"], self.config, path),
        )
        self.step = state["step"]
        saved_hist = History.from_dict(state["history"])
        if self.recorder is not None and saved_hist.grads is not None:
            self.recorder.restore(saved_hist.grads.to_dict())
        saved_hist.grads = self.recorder
        self.history = saved_hist
        if self.early is not None and state["early_stopping"] is not None:
            self.early.load_state_dict(state["early_stopping"])
        split = {"now": {}, "epoch": {}}
        for key, value in rng.items():
            head, rest = key.split(".", 1)
            split[head][rest] = value
        self.cursor.restore(state["data"], (state["epoch_rng"], split["epoch"]))
        restore_rng(state["rng"], split["now"], self.cursor.generators)
        self.last_checkpoint = path
        self.saved_step = self.step

    def save(self) -> None:
        """Write a checkpoint of the state after the current step (main process only)."""
        from lmbook.train.checkpoint import save_checkpoint
        from lmbook.train.rng import capture_rng

        cfg = self.config
        if self.runtime.is_main:
            rng_json, rng_t = capture_rng(self.cursor.generators)
            epoch_json, epoch_t = self.cursor.epoch_rng
            tensors = {f"now.{k}": v for k, v in rng_t.items()}
            tensors.update({f"epoch.{k}": v for k, v in epoch_t.items()})
            hist = self.history.to_dict()
            hist["report"] = {}
            meta = {
                "config": cfg.to_dict(),
                "data": self.cursor.state(),
                "rng": rng_json,
                "epoch_rng": epoch_json,
                "history": hist,
                "early_stopping": self.early.state_dict() if self.early else None,
            }
            self.last_checkpoint = save_checkpoint(
                cfg.out_dir,
                self.step,
                model=self.base,
                optimizer=self.optimizer,
                scheduler=self.scheduler,
                scaler=self.scaler,
                meta=meta,
                rng_tensors=tensors,
                keep=cfg.keep_checkpoints,
            )
        self.saved_step = self.step
        self.runtime.barrier()

    # -- one optimizer step ------------------------------------------------------------------

    def _grad_norms(self) -> tuple[list[torch.Tensor], torch.Tensor]:
        """Present gradients and the per-parameter norm vector (0 for absent gradients)."""
        import torch

        from lmbook.train.gradients import param_norms

        grads = [p.grad for p in self.params]
        if all(g is not None for g in grads):
            return grads, param_norms(grads)
        present = [i for i, g in enumerate(grads) if g is not None]
        if not present:
            raise ConfigError(
                "no trainable parameter received a gradient; check that the loss depends on the "
                "parameters with requires_grad=True."
            )
        kept = [grads[i] for i in present]
        norms = torch.zeros(len(grads), device=kept[0].device)
        norms[torch.tensor(present, device=kept[0].device)] = param_norms(kept)
        return kept, norms

    def run_step(self, micro: list[Any]) -> tuple[float, float, int, int]:
        """Forward/backward over the micro-batches, guard, clip, step. Returns loss, lr, counts."""
        import torch

        from lmbook.train.gradients import clip_by_total_norm

        cfg, device, scaler = self.config, self.device, self.scaler
        n = len(micro)
        loss_sum = None
        samples = tokens = 0
        for i, batch in enumerate(micro):
            s, t = batch_counts(batch)
            samples, tokens = samples + s, tokens + t
            batch = to_device(batch, device)
            sync = self.runtime.no_sync(self.model) if i < n - 1 else contextlib.nullcontext()
            with sync:
                with self.precision.autocast(device.type):
                    loss = self.loss_fn(self.forward_model, batch)
                scaled = loss / n if n > 1 else loss
                (scaler.scale(scaled) if scaler is not None else scaled).backward()
            loss_sum = loss.detach() if loss_sum is None else loss_sum + loss.detach()
        self.step += 1
        if scaler is not None:
            scaler.unscale_(self.optimizer)
        grads, per_param = self._grad_norms()
        total = torch.linalg.vector_norm(per_param)
        loss_mean = (loss_sum / n).float()
        if self.runtime.world_size > 1:
            loss_mean = self.runtime.reduce_sum(loss_mean) / self.runtime.world_size
        record = self.recorder is not None and self.recorder.due(self.step)
        parts = [loss_mean.reshape(1), total.reshape(1)]
        if record:
            parts.append(self.recorder.group_norms(per_param))
        host = torch.cat(parts).tolist()
        loss_v, total_v = host[0], host[1]
        lr = self.scheduler.get_last_lr()[0]
        if not math.isfinite(loss_v) or (scaler is None and not math.isfinite(total_v)):
            self._nonfinite(micro, loss_v)
            self.optimizer.zero_grad(set_to_none=True)
            if scaler is not None:
                scaler.update()
            self.scheduler.step()
            self.history.skipped.append(self.step)
            return loss_v, lr, samples, tokens
        clipped = cfg.max_grad_norm is not None and total_v > cfg.max_grad_norm
        if cfg.max_grad_norm is not None:
            clip_by_total_norm(grads, total, cfg.max_grad_norm)
        before = self.recorder.snapshot(self.params) if record else None
        if scaler is not None:
            scaler.step(self.optimizer)
            scaler.update()
        else:
            self.optimizer.step()
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        if record:
            ratios = self.recorder.measure_update(before, self.params).tolist()
            self.recorder.append(self.step, host[2:], ratios, total_v, clipped)
        self.history.grad_norm.append(total_v)
        return loss_v, lr, samples, tokens

    def _nonfinite(self, micro: list[Any], loss_v: float) -> None:
        """Name the step and the culprit; raise (stop) or warn (skip)."""
        from lmbook.train.guards import (
            NonFiniteError,
            first_nonfinite_module,
            last_nonfinite_grad_module,
        )

        if math.isfinite(loss_v):
            what = "a gradient is non-finite (the loss is finite)"
            name = last_nonfinite_grad_module(self.base)
            where = (
                f"; the non-finite gradient nearest the loss is in module {name!r}" if name else ""
            )
        else:
            what = f"the loss is {loss_v}"

            def rerun() -> None:
                for batch in micro:
                    with self.precision.autocast(self.device.type):
                        self.loss_fn(self.model, to_device(batch, self.device))

            found = first_nonfinite_module(self.base, rerun)
            name = found[0] if found else None
            where = (
                f"; the first non-finite output came from {found[0]!r} ({found[1]})"
                if found
                else ""
            )
        self.history.grad_norm.append(float("nan"))
        if self.config.on_nonfinite == "skip":
            warnings.warn(
                f"step {self.step}: {what}{where}; the step was skipped (on_nonfinite='skip').",
                RuntimeWarning,
                stacklevel=4,
            )
            return
        ckpt = (
            f"the last good checkpoint {self.last_checkpoint} is intact"
            if self.last_checkpoint is not None
            else "no checkpoint was written"
        )
        self.history.step.append(self.step)
        self.history.loss.append(loss_v)
        self.history.lr.append(self.scheduler.get_last_lr()[0])
        self.history.wall_s.append(self._wall())
        self.history.stop_reason = f"non-finite at step {self.step}"
        raise NonFiniteError(
            f"step {self.step}: {what}{where}. Training stopped; {ckpt}. Lower the learning "
            "rate, keep max_grad_norm set, prefer bf16 to fp16, or set on_nonfinite='skip'.",
            step=self.step,
            module=name,
            checkpoint=str(self.last_checkpoint) if self.last_checkpoint else None,
            history=self.history,
        )

    # -- evaluation and the loop --------------------------------------------------------------

    def evaluate(self) -> bool:
        """Validation loss and metrics into the history; True when early stopping fires."""
        import torch

        cfg = self.config
        val = _evaluate(
            self.forward_model,
            self.val_loader,
            self.loss_fn,
            self.runtime,
            self.precision,
            cfg.eval_batches,
        )
        h = self.history
        h.val_step.append(self.step)
        h.val_loss.append(val)
        results = {"loss": val}
        if self.metrics is not None:
            self.base.eval()
            with torch.no_grad():
                extra = self.metrics(self.base)
            self.base.train()
            for key, value in extra.items():
                h.val_metrics.setdefault(key, []).append(float(value))
                results[key] = float(value)
        if self.early is None:
            return False
        if cfg.early_stop_metric not in results:
            raise ConfigError(
                f"early_stop_metric={cfg.early_stop_metric!r} is not among the validation "
                f"results {sorted(results)}; use one of them."
            )
        if self.early.update(results[cfg.early_stop_metric], self.step):
            h.stop_reason = (
                f"early stop at step {self.step}: val {cfg.early_stop_metric} has not improved "
                f"for {self.early.patience} evaluations (best {self.early.best:.4g} at step "
                f"{self.early.best_step})"
            )
            return True
        return False

    def _wall(self) -> float:
        return self.wall_offset + time.perf_counter() - self.t_start

    def loop(self) -> History:
        """Run the remaining steps; evaluate, checkpoint and call back as configured."""
        from tqdm.auto import tqdm

        cfg, h = self.config, self.history
        self.wall_offset = h.wall_s[-1] if h.wall_s else 0.0
        self.t_start = time.perf_counter()
        bar = tqdm(
            total=self.max_steps,
            initial=self.step,
            desc="train",
            disable=not (cfg.progress and self.runtime.is_main),
            dynamic_ncols=True,
        )
        stop = False
        try:
            while self.step < self.max_steps and not stop:
                t0 = time.perf_counter()
                micro = self.cursor.next_step()
                loss, lr, samples, tokens = self.run_step(micro)
                self.times.append(time.perf_counter() - t0)
                self.samples.append(samples)
                self.tokens.append(tokens)
                h.step.append(self.step)
                h.loss.append(loss)
                h.lr.append(lr)
                h.wall_s.append(self._wall())
                bar.update(1)
                bar.set_postfix(loss=f"{loss:.4f}", lr=f"{lr:.2e}", refresh=False)
                if (
                    self.val_loader is not None
                    and cfg.eval_every
                    and self.step % cfg.eval_every == 0
                ):
                    stop = self.evaluate()
                if cfg.out_dir is not None and (
                    stop or (cfg.checkpoint_every and self.step % cfg.checkpoint_every == 0)
                ):
                    self.save()
                info = StepInfo(self.step, self.max_steps, loss, lr, h, self.base)
                for callback in self.callbacks:
                    callback(info)
                if info.stop and not stop:
                    stop = True
                    h.stop_reason = h.stop_reason or f"stopped by a callback at step {self.step}"
            if self.val_loader is not None and (not h.val_step or h.val_step[-1] != self.step):
                self.evaluate()
            if cfg.out_dir is not None and self.saved_step != self.step:
                self.save()
        finally:
            bar.close()
        if not h.stop_reason:
            h.stop_reason = f"finished {self.step} steps"
        self._report()
        return h

    def _report(self) -> None:
        from lmbook.train.throughput import format_report, summarize

        report = summarize(
            self.times,
            self.tokens,
            self.samples,
            device=self.device,
            flops_token=self.flops_token,
            compiled=bool(self.config.compile),
        )
        report.update(
            device=str(self.device),
            precision=self.precision.name,
            processes=self.runtime.world_size,
            flops_per_token=self.flops_token,
        )
        self.history.report = report
        if self.config.verbose and self.runtime.is_main:
            print(f"lmbook.train: {format_report(report)}")


def train(
    model: torch.nn.Module,
    config: TrainConfig,
    train_data: Any,
    val_data: Any = None,
    *,
    collate_fn: Any = None,
    loss_fn: LossFn | None = None,
    optimizer: torch.optim.Optimizer | None = None,
    metrics: Callable[[torch.nn.Module], dict[str, float]] | None = None,
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

    >>> cfg = TrainConfig(lr=1e-3, batch_size=16, max_steps=200)  # doctest: +SKIP
    >>> history = train(model, cfg, data["train"], data["validation"])  # doctest: +SKIP
    >>> plot_history(history)  # doctest: +SKIP
    """
    run = _Run(
        model,
        config,
        train_data,
        val_data,
        collate_fn=collate_fn,
        loss_fn=loss_fn,
        optimizer=optimizer,
        metrics=metrics,
        callbacks=callbacks,
    )
    run.open_out_dir(resume)
    if config.verbose and run.runtime.is_main:
        print(_describe_start(run.runtime, config, run.precision))
    return run.loop()
