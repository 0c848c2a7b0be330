"""lmbook: companion package of the executable textbook 《大语言模型与轻量级微调》.

Submodules are imported lazily so that ``import lmbook`` stays cheap: a notebook pays only
for what it uses (``lmbook.data``, ``lmbook.train``, ...).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "setup"]

_SUBMODULES = {
    "cooccurrence",
    "data",
    "device",
    "exercises",
    "fonts",
    "information",
    "lowrank",
    "ngram",
    "notebook",
    "runtime",
    "seeding",
    "tokenization",
    "train",
    "viz",
    "zoo",
}

if TYPE_CHECKING:  # pragma: no cover
    from lmbook import (  # noqa: F401
        cooccurrence,
        data,
        device,
        exercises,
        fonts,
        information,
        lowrank,
        ngram,
        notebook,
        runtime,
        seeding,
        tokenization,
        train,
        viz,
        zoo,
    )
    from lmbook.runtime import setup


def __getattr__(name: str) -> Any:
    if name == "setup":  # lazy too: importing lmbook must not import torch
        return importlib.import_module("lmbook.runtime").setup
    if name in _SUBMODULES:
        return importlib.import_module(f"lmbook.{name}")
    raise AttributeError(f"module 'lmbook' has no attribute {name!r}")
