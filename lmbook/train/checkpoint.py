"""Checkpoints that resume exactly and survive a crash mid-write.

A checkpoint is a folder ``checkpoint-00000040`` holding ``model.safetensors`` (trainable
parameters and buffers), ``optimizer.safetensors`` and ``rng.safetensors`` (tensors) and
``state.json`` (everything else: optimizer groups, scheduler, scaler, RNG numbers, data position,
history, config, a fingerprint of the model). Nothing is pickled. The folder is written under a
temporary name, flushed to disk, then renamed; only after that does the one-line file ``latest``
move to it, by an atomic ``os.replace``. A crash at any point leaves ``latest`` naming a complete
checkpoint.

Frozen parameters (a LoRA run's base model) are not stored: resuming needs the same base model,
which the fingerprint checks by name and shape.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lmbook.train.config import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = [
    "latest_checkpoint",
    "list_checkpoints",
    "load_checkpoint",
    "model_fingerprint",
    "remove_partial_writes",
    "save_checkpoint",
]

PREFIX = "checkpoint-"
LATEST = "latest"
TMP_PREFIX = ".tmp-"


def model_fingerprint(model: torch.nn.Module) -> dict[str, Any]:
    """Names, shapes, dtypes and trainability of all parameters, and their SHA-256 digest."""
    params = [
        [name, list(p.shape), str(p.dtype).removeprefix("torch."), bool(p.requires_grad)]
        for name, p in model.named_parameters()
    ]
    digest = hashlib.sha256(json.dumps(params).encode()).hexdigest()
    return {"digest": digest, "params": params}


def list_checkpoints(out_dir: str | os.PathLike) -> list[Path]:
    """Complete checkpoint folders in ``out_dir``, oldest step first."""
    root = Path(out_dir)
    if not root.is_dir():
        return []
    found = [p for p in root.glob(f"{PREFIX}*") if (p / "state.json").is_file()]
    return sorted(found, key=lambda p: int(p.name.removeprefix(PREFIX)))


def latest_checkpoint(out_dir: str | os.PathLike) -> Path | None:
    """The checkpoint ``out_dir/latest`` names, or None if the run has not written one yet."""
    pointer = Path(out_dir) / LATEST
    if not pointer.is_file():
        return None
    path = Path(out_dir) / pointer.read_text(encoding="utf-8").strip()
    return path if (path / "state.json").is_file() else None


def _fsync_dir(path: Path) -> None:
    """Flush a directory entry (a rename) to disk where the OS allows it."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _save_tensors(tensors: dict[str, torch.Tensor], path: Path) -> None:
    """Write one safetensors file and flush it to disk."""
    from safetensors.torch import save_file

    save_file({k: v.detach().cpu().contiguous() for k, v in tensors.items()}, path)
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def _save_json(data: dict[str, Any], path: Path) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)
        f.flush()
        os.fsync(f.fileno())


def _model_tensors(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    tensors = {n: p for n, p in model.named_parameters() if p.requires_grad}
    tensors.update(dict(model.named_buffers()))
    return tensors


def _split_optimizer(optimizer: torch.optim.Optimizer) -> tuple[dict[str, Any], dict[str, Any]]:
    """Optimizer state as (JSON part, tensor part keyed ``state.<param id>.<key>``)."""
    import torch

    sd = optimizer.state_dict()
    tensors: dict[str, torch.Tensor] = {}
    plain: dict[str, dict[str, Any]] = {}
    for pid, entry in sd["state"].items():
        for key, value in entry.items():
            if isinstance(value, torch.Tensor):
                tensors[f"state.{pid}.{key}"] = value
            else:
                plain.setdefault(str(pid), {})[key] = value
    return {"param_groups": sd["param_groups"], "state": plain}, tensors


def _join_optimizer(
    optimizer: torch.optim.Optimizer, plain: dict[str, Any], tensors: dict[str, Any]
) -> dict[str, Any]:
    """Inverse of :func:`_split_optimizer`; tuples (betas) come back as tuples."""
    state: dict[int, dict[str, Any]] = {}
    for key, value in tensors.items():
        _, pid, name = key.split(".", 2)
        state.setdefault(int(pid), {})[name] = value
    for pid, entry in plain["state"].items():
        state.setdefault(int(pid), {}).update(entry)
    groups = []
    for saved, current in zip(plain["param_groups"], optimizer.param_groups, strict=True):
        groups.append(
            {
                k: tuple(v) if isinstance(current.get(k), tuple) and isinstance(v, list) else v
                for k, v in saved.items()
            }
        )
    return {"state": state, "param_groups": groups}


def save_checkpoint(
    out_dir: str | os.PathLike,
    step: int,
    *,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    scaler: torch.amp.GradScaler | None,
    meta: dict[str, Any],
    rng_tensors: dict[str, torch.Tensor],
    keep: int = 2,
) -> Path:
    """Write ``checkpoint-<step>`` atomically, point ``latest`` at it, keep the newest ``keep``."""
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    name = f"{PREFIX}{step:08d}"
    tmp = root / f"{TMP_PREFIX}{name}-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    opt_plain, opt_tensors = _split_optimizer(optimizer)
    state = {
        **meta,
        "step": step,
        "fingerprint": model_fingerprint(model),
        "optimizer": opt_plain,
        "scheduler": scheduler.state_dict(),
        "scaler": scaler.state_dict() if scaler is not None else None,
    }
    _save_tensors(_model_tensors(model), tmp / "model.safetensors")
    _save_tensors(opt_tensors, tmp / "optimizer.safetensors")
    _save_tensors(rng_tensors, tmp / "rng.safetensors")
    _save_json(state, tmp / "state.json")
    _fsync_dir(tmp)
    final = root / name
    if final.exists():  # left by a run that crashed before moving `latest` to it
        shutil.rmtree(final)
    os.replace(tmp, final)
    pointer_tmp = root / f"{TMP_PREFIX}{LATEST}-{os.getpid()}"
    pointer_tmp.write_text(name, encoding="utf-8")
    with open(pointer_tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(pointer_tmp, root / LATEST)
    _fsync_dir(root)
    for old in list_checkpoints(root)[:-keep]:
        if old.name != name:
            shutil.rmtree(old)
    return final


def remove_partial_writes(out_dir: str | os.PathLike) -> None:
    """Delete temporary folders a crashed save left behind (they are never loaded)."""
    root = Path(out_dir)
    if root.is_dir():
        for tmp in root.glob(f"{TMP_PREFIX}*"):
            if tmp.is_dir():
                shutil.rmtree(tmp)
            else:
                tmp.unlink()


def _check_fingerprint(saved: dict[str, Any], model: torch.nn.Module, path: Path) -> None:
    now = model_fingerprint(model)
    if saved["digest"] == now["digest"]:
        return
    old = {p[0]: p[1:] for p in saved["params"]}
    new = {p[0]: p[1:] for p in now["params"]}
    missing = sorted(set(old) - set(new))
    extra = sorted(set(new) - set(old))
    changed = sorted(n for n in set(old) & set(new) if old[n] != new[n])
    if changed:
        detail = f"{changed[0]!r} is {new[changed[0]]} here but {old[changed[0]]} there"
    elif missing:
        detail = f"{missing[0]!r} is missing here"
    else:
        detail = f"{extra[0]!r} is not in the checkpoint" if extra else "parameter order differs"
    raise ConfigError(
        f"checkpoint {path} was written for a different model ({detail}); resume with the model "
        "it was trained with, or start a fresh run in another out_dir."
    )


# The hyper-parameters a resumed optimizer must share with the saved one (``initial_lr``, not
# ``lr``: a scheduler rewrites ``lr`` every step).
OPTIMIZER_SETTINGS = ("initial_lr", "betas", "eps", "weight_decay", "momentum")


def _check_optimizer(
    saved_groups: list[dict[str, Any]], optimizer: torch.optim.Optimizer, path: Path
) -> None:
    """Refuse an optimizer whose groups or hyper-parameters differ from the checkpoint's."""
    if len(saved_groups) != len(optimizer.param_groups):
        raise ConfigError(
            f"the checkpoint's optimizer has {len(saved_groups)} parameter group(s) but this one "
            f"has {len(optimizer.param_groups)}; build the optimizer as in that run."
        )
    for i, (saved, now) in enumerate(zip(saved_groups, optimizer.param_groups, strict=True)):
        for key in OPTIMIZER_SETTINGS:
            there, here = saved.get(key), now.get(key)
            if isinstance(here, tuple):
                there = tuple(there) if isinstance(there, list) else there
            if there != here:
                name = key.removeprefix("initial_")
                raise ConfigError(
                    f"checkpoint {path} was written by an optimizer with other settings "
                    f"(group {i}: {name}={there!r} there vs {here!r} here); build the optimizer "
                    "as in that run, or start a fresh run in another out_dir."
                )


def load_checkpoint(
    path: str | os.PathLike,
    *,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    scaler: torch.amp.GradScaler | None,
    check: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """Load a checkpoint into the given objects; return its JSON state and its RNG tensors.

    Nothing is loaded unless the model's fingerprint matches, ``check(state)`` (run on the JSON
    state) accepts it, and the optimizer has the saved groups and hyper-parameters
    (``OPTIMIZER_SETTINGS``).
    """
    import torch
    from safetensors.torch import load_file

    path = Path(path)
    if not (path / "state.json").is_file():
        raise ConfigError(f"{path} is not a complete checkpoint (no state.json); pick another.")
    state = json.loads((path / "state.json").read_text(encoding="utf-8"))
    _check_fingerprint(state["fingerprint"], model, path)
    if check is not None:
        check(state)
    _check_optimizer(state["optimizer"]["param_groups"], optimizer, path)
    weights = load_file(path / "model.safetensors")
    targets = _model_tensors(model)
    if set(weights) != set(targets):
        raise ConfigError(
            f"checkpoint {path} stores other trainable tensors than this model has (was another "
            "layer frozen or unfrozen?); set requires_grad as in the checkpointed run."
        )
    with torch.no_grad():
        for name, value in weights.items():
            targets[name].copy_(value)
    opt_tensors = load_file(path / "optimizer.safetensors")
    optimizer.load_state_dict(_join_optimizer(optimizer, state["optimizer"], opt_tensors))
    scheduler.load_state_dict(state["scheduler"])
    if (scaler is None) != (state["scaler"] is None):
        raise ConfigError(
            f"checkpoint {path} was trained {'with' if scaler is None else 'without'} an fp16 "
            "gradient scaler; resume with the same precision and device type."
        )
    if scaler is not None:
        scaler.load_state_dict(state["scaler"])
    return state, load_file(path / "rng.safetensors")
