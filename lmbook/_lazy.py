"""Lazy package attributes (PEP 562): a name's submodule is imported on first use, then cached.

Keeps ``import lmbook.<package>`` cheap: heavy libraries load only with the names that need them.
Use it in a package's ``__init__.py``::

    __getattr__, __dir__ = lazy_exports(__name__, {"train": "loop", "TrainConfig": "config"})
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, where: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Module ``__getattr__`` and ``__dir__`` for ``package`` from a ``{name: submodule}`` map."""

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{where[name]}"), name)
        setattr(sys.modules[package], name, value)  # later lookups skip __getattr__
        return value

    def __dir__() -> list[str]:
        return sorted(where)

    return __getattr__, __dir__
