"""Figures a reader can use: every stored image has alt text (cell metadata
``mystnb.image.alt``, which myst-nb puts on the <img>) and an opaque background, so it stays
readable in the theme's dark mode (a transparent PNG would put black text on a dark page)."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import nbformat
import pytest
from PIL import Image

from booktools.toc import toc_notebooks

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = [p.as_posix() for p in toc_notebooks()]


def _images(cell: nbformat.NotebookNode) -> list[bytes]:
    return [
        base64.b64decode(out["data"]["image/png"])
        for out in cell.get("outputs", [])
        if "image/png" in out.get("data", {})
    ]


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_every_figure_has_alt_text_and_an_opaque_background(path):
    nb = nbformat.read(ROOT / path, as_version=4)
    for i, cell in enumerate(nb.cells):
        images = _images(cell)
        if not images:
            continue
        alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
        assert len(alt) >= 8, f"{path} cell {i}: no alt text (metadata mystnb.image.alt)"
        for data in images:
            img = Image.open(io.BytesIO(data))
            if img.mode in ("RGBA", "LA") or "transparency" in img.info:
                alpha = img.convert("RGBA").getchannel("A")
                assert alpha.getextrema()[0] == 255, f"{path} cell {i}: transparent pixels"
