"""Checkpoints of a whole run, and resuming one exactly where it stopped.

A run's checkpoint holds, besides the model, optimizer, scheduler and scaler
(:mod:`lmbook.train.checkpoint`), every RNG state, the data position (:mod:`~lmbook.train.
data_cursor`), the history, early stopping and the config. Resuming refuses a checkpoint
written with other settings: the config's fields that change what a step computes
(``RESUME_FIELDS``) and the optimizer's own hyper-parameters must be those of the saved run.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from lmbook.train.config import RESUME_FIELDS, ConfigError, TrainConfig
from lmbook.train.history import History

if TYPE_CHECKING:  # pragma: no cover
    from lmbook.train.run import Run

__all__ = ["check_resume_config", "save_run", "start_or_resume"]


def start_or_resume(run: Run, resume: bool | str | Path) -> None:
    """Resume from a checkpoint, or check that a fresh run will not mix with an old one."""
    from lmbook.train.checkpoint import latest_checkpoint, remove_partial_writes

    out_dir = run.config.out_dir
    if out_dir is not None and run.runtime.is_main:
        remove_partial_writes(out_dir)
    if resume is False:
        if out_dir is not None and latest_checkpoint(out_dir) is not None:
            raise ConfigError(
                f"out_dir {out_dir!r} already holds checkpoints of an earlier run; pass "
                "resume=True to continue it, or use a new out_dir (or delete the old one)."
            )
        return
    if resume is True:
        if out_dir is None:
            raise ConfigError("resume=True needs out_dir in the config (where the run was).")
        path = latest_checkpoint(out_dir)
        if path is None:
            raise ConfigError(
                f"no checkpoint in {out_dir!r} to resume from; run with resume=False first."
            )
    else:
        path = Path(resume)
    _load(run, path)


def check_resume_config(saved: dict[str, Any], config: TrainConfig, path: Path) -> None:
    """Refuse to resume with a config whose step-changing fields differ from the saved one."""
    now = config.to_dict()
    changed = [name for name in RESUME_FIELDS if saved.get(name) != now[name]]
    if changed:
        diffs = ", ".join(f"{n}={saved.get(n)!r} there vs {now[n]!r} here" for n in changed)
        raise ConfigError(
            f"checkpoint {path} belongs to a run with other settings ({diffs}); resume with the "
            "same TrainConfig, or start a fresh run in another out_dir."
        )


def _load(run: Run, path: Path) -> None:
    """Put the run into the state the checkpoint at ``path`` recorded."""
    from lmbook.train.checkpoint import load_checkpoint
    from lmbook.train.rng import restore_rng

    state, rng = load_checkpoint(
        path,
        model=run.base,
        optimizer=run.optimizer,
        scheduler=run.scheduler,
        scaler=run.scaler if run.scaler.is_enabled() else None,
        check=lambda saved: check_resume_config(saved["config"], run.config, path),
    )
    run.step = state["step"]
    history = History.from_dict(state["history"])
    if run.recorder is not None and history.grads is not None:
        run.recorder.restore(history.grads.to_dict())
    history.grads = run.recorder
    run.history = history
    if run.early is not None and state["early_stopping"] is not None:
        run.early.load_state_dict(state["early_stopping"])
    split: dict[str, dict[str, Any]] = {"now": {}, "epoch": {}}
    for key, value in rng.items():
        head, rest = key.split(".", 1)
        split[head][rest] = value
    run.cursor.restore(state["data"], (state["epoch_rng"], split["epoch"]))
    restore_rng(state["rng"], split["now"], run.cursor.generators)
    run.last_checkpoint = path
    run.saved_step = run.step


def save_run(run: Run) -> None:
    """Write a checkpoint of the state after the current step (main process only)."""
    from lmbook.train.checkpoint import save_checkpoint
    from lmbook.train.rng import capture_rng

    cfg = run.config
    if run.runtime.is_main:
        rng_json, rng_t = capture_rng(run.cursor.generators)
        epoch_json, epoch_t = run.cursor.epoch_rng
        tensors = {f"now.{k}": v for k, v in rng_t.items()}
        tensors.update({f"epoch.{k}": v for k, v in epoch_t.items()})
        history = run.history.to_dict()
        history["report"] = {}
        meta = {
            "config": cfg.to_dict(),
            "data": run.cursor.state(),
            "rng": rng_json,
            "epoch_rng": epoch_json,
            "history": history,
            "early_stopping": run.early.state_dict() if run.early else None,
        }
        run.last_checkpoint = save_checkpoint(
            cfg.out_dir,
            run.step,
            model=run.base,
            optimizer=run.optimizer,
            scheduler=run.scheduler,
            scaler=run.scaler if run.scaler.is_enabled() else None,
            meta=meta,
            rng_tensors=tensors,
            keep=cfg.keep_checkpoints,
        )
    run.saved_step = run.step
    run.runtime.barrier()
