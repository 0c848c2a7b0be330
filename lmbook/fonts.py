"""The Chinese font shipped with lmbook, registered with matplotlib so CJK labels render.

A system CJK font is not enough (matplotlib's default family has none and Colab has no CJK font
at all), so the package ships a Simplified-Chinese subset of Noto Sans CJK SC (SIL OFL 1.1; see
``assets/fonts/OFL.txt``; built by ``scripts/make_font.py``).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["FONT_FAMILY", "font_path", "use_cjk_font"]

FONT_FAMILY = "LMBook Sans SC"


def font_path() -> Path:
    """Path of the shipped OpenType font file."""
    return Path(str(files("lmbook") / "assets" / "fonts" / "LMBookSansSC-Regular.otf"))


def use_cjk_font() -> str:
    """Register the shipped font and make matplotlib fall back to it for every CJK glyph.

    Latin text keeps DejaVu Sans; each glyph DejaVu lacks comes from the Chinese font (a
    per-family fallback list). Safe to call repeatedly. Returns the family name.
    """
    import matplotlib as mpl
    from matplotlib import font_manager

    path = str(font_path())
    if not any(entry.fname == path for entry in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(path)
    mpl.rcParams["font.family"] = ["DejaVu Sans", FONT_FAMILY]
    mpl.rcParams["axes.unicode_minus"] = False
    return FONT_FAMILY
