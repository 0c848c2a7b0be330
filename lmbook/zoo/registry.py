"""The models that ship inside ``lmbook``: their names, folders, tasks and recorded measurements."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["MODELS_DIR", "SHIPPED", "is_shipped", "model_dir", "model_meta", "shipped_names"]

MODELS_DIR = Path(__file__).resolve().parent.parent / "assets" / "models"

# name -> the model's own head (the task it was pretrained for)
SHIPPED: dict[str, str] = {
    "gpt-zh-tiny": "causal-lm",
    "bert-zh-tiny": "masked-lm",
    "mt-zh-en-tiny": "seq2seq-lm",
    "gpt-zh-small": "causal-lm",
}
_REBUILD = {
    "gpt-zh-tiny": "gpt",
    "bert-zh-tiny": "bert",
    "mt-zh-en-tiny": "mt",
    "gpt-zh-small": "gpt-small",
}


def shipped_names() -> list[str]:
    """Names of the shipped models, in the order the book introduces them."""
    return list(SHIPPED)


def is_shipped(name: str) -> bool:
    """True if ``name`` is one of the models in ``lmbook/assets/models``."""
    return name in SHIPPED


def model_dir(name: str) -> Path:
    """Folder of a shipped model; a clear error if the name is unknown or the folder missing."""
    if name not in SHIPPED:
        raise KeyError(f"{name!r} is not a shipped model; choose one of {shipped_names()}.")
    path = MODELS_DIR / name
    if not (path / "config.json").is_file():
        raise FileNotFoundError(
            f"the shipped model {name!r} is missing from {path}: rebuild it with "
            f"`python -m lmbook.zoo.pretrain --model {_REBUILD[name]}` or reinstall lmbook."
        )
    return path


def model_meta(name: str) -> dict[str, Any]:
    """The pretraining record (``meta.json``) of a shipped model: config, data hash, quality."""
    return json.loads((model_dir(name) / "meta.json").read_text(encoding="utf-8"))
