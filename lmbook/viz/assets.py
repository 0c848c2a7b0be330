"""The widgets' front-end code, read from the package's ``static/`` folder (no build step).

Each widget's ES module is the shared helpers (``common.js``) followed by its own file, so the
module is one self-contained string that anywidget can load from the saved widget state alone.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

__all__ = ["CJK_FONT_STACK", "widget_css", "widget_esm"]

CJK_FONT_STACK = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
)


def _read(name: str) -> str:
    return (files("lmbook.viz") / "static" / name).read_text(encoding="utf-8")


@cache
def widget_esm(name: str) -> str:
    """ES module of widget ``name`` ("attention", "gradient", "saliency") with the shared code."""
    return _read("common.js") + "\n" + _read(f"{name}.js")


@cache
def widget_css() -> str:
    """Style sheet shared by all widgets."""
    return _read("widgets.css")
