"""The run-time table: every notebook of the book has a recorded time within the budget, made
with the current lmbook, and the record renders as a table in the built book's pages."""

from __future__ import annotations

import statistics
from pathlib import Path

import lmbook
from booktools import runtimes
from booktools.toc import toc_notebooks

ROOT = Path(__file__).resolve().parents[1]


def test_every_notebook_has_a_recorded_time_within_the_budget():
    record = runtimes.load()
    notebooks = [p.as_posix() for p in toc_notebooks()]
    missing = [nb for nb in notebooks if nb not in record]
    assert not missing, f"no recorded run time for {missing}: run make execute NB=..."
    times = {nb: record[nb]["cpu_s"] for nb in notebooks}
    over = {nb: t for nb, t in times.items() if t > runtimes.BUDGET_S}
    assert not over, f"over the {runtimes.BUDGET_S:.0f} s budget: {over}"
    assert statistics.median(times.values()) <= runtimes.MEDIAN_BUDGET_S
    stale = [nb for nb in notebooks if record[nb]["lmbook"] != lmbook.__version__]
    assert not stale, f"outputs made with an older lmbook: {stale}; re-run make execute"
    assert set(record) <= set(notebooks), "the record names notebooks the book no longer has"


def test_record_merges_and_stays_sorted(tmp_path):
    path = tmp_path / "runtimes.json"
    runtimes.record(ROOT / "book" / "tour.ipynb", 12.34, 0.2, path)
    runtimes.record(ROOT / "book" / "ch02" / "2-1-probability.ipynb", 5.0, 0.1, path)
    runtimes.record(ROOT / "book" / "tour.ipynb", 20.0, 0.3, path)
    data = runtimes.load(path)
    assert list(data) == ["book/ch02/2-1-probability.ipynb", "book/tour.ipynb"]
    assert data["book/tour.ipynb"]["cpu_s"] == 20.0
    assert data["book/tour.ipynb"]["load_at_start"] == 0.3
    assert data["book/tour.ipynb"]["lmbook"] == lmbook.__version__
