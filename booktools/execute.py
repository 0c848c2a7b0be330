"""Execute the book's notebooks top to bottom and store their outputs and widget state.

This is the only way stored outputs are produced (``make execute``): a clean kernel per
notebook, cells in order, widget state saved so the built book shows the widgets; each wall time
goes into the run-time table (:mod:`booktools.runtimes`). Run it from the repository root:

    python -m booktools.execute                         # every notebook under book/
    python -m booktools.execute book/ch02/*.ipynb
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from booktools import runtimes
from booktools.notebook import INSTALL_CELL

__all__ = ["execute", "main"]

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 600


def execute(path: Path) -> float:
    """Run one notebook in a fresh kernel, write it back with outputs; return seconds taken."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    if code and "lmbook[peft]" in code[0].source:  # name the release these outputs come from
        code[0].source = INSTALL_CELL
    for cell in nb.cells:  # start from a clean slate: no stale outputs survive a failed run
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    client = NotebookClient(
        nb,
        timeout=TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
        record_timing=False,
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    if not _has_widgets(nb):
        nb.metadata.pop("widgets", None)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return seconds


def _has_widgets(nb: nbformat.NotebookNode) -> bool:
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    return bool(state.get("state"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m booktools.execute", description=__doc__.splitlines()[0]
    )
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every book/**/*.ipynb")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(
        p for p in (ROOT / "book").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
    )
    for path in paths:
        load_at_start = os.getloadavg()[0]
        if load_at_start > 1.5:  # one busy core is this script's own previous notebook
            print(f"warning: load average {load_at_start:.1f}: the recorded time will be noisy")
        seconds = execute(path.resolve())
        runtimes.record(path, seconds, load_at_start)
        print(f"{seconds:6.1f} s  {path}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
