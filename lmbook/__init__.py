"""lmbook: companion package of the executable textbook 《大语言模型与轻量级微调》.

Submodules are imported lazily so that ``import lmbook`` stays cheap: a notebook pays only
for what it uses (``lmbook.data``, ``lmbook.train``, ...).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from lmbook.runtime import setup

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
    )


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"lmbook.{name}")
    raise AttributeError(f"module 'lmbook' has no attribute {name!r}")
