"""Recorded experiments of chapter 5 (JSON written by ``python -m lmbook.adapters.<script>``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["RECORDS_DIR", "load_record"]

RECORDS_DIR = Path(__file__).parent


def load_record(name: str) -> dict[str, Any]:
    """The record ``name`` (e.g. "methods"), as written by its script."""
    path = RECORDS_DIR / f"{name}.json"
    if not path.exists():
        raise FileNotFoundError(
            f"no record {path.name}; run `python -m lmbook.adapters.{name_to_script(name)}` first"
        )
    return json.loads(path.read_text(encoding="utf-8"))


def name_to_script(name: str) -> str:
    return {"methods": "compare", "sweeps": "sweep", "cases": "cases"}.get(name, name)
