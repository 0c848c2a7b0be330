"""The book's outline as data: the files of ``_toc.yml`` in reading order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["ROOT", "toc_files", "toc_notebooks"]

ROOT = Path(__file__).resolve().parents[1]


def toc_files(root: Path = ROOT) -> list[str]:
    """Every ``file:`` entry of ``root/_toc.yml`` (root page first), without suffix."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(entries: list[dict[str, Any]]) -> None:
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("chapters", []))
            walk(entry.get("sections", []))

    walk(toc.get("parts", []))
    walk(toc.get("chapters", []))
    return files


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """The notebooks of the outline, in reading order, as paths relative to ``root``."""
    return [Path(f"{f}.ipynb") for f in toc_files(root) if (root / f"{f}.ipynb").exists()]
