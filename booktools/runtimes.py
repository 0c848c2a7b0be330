"""The book's run-time table (运行时间表): what ``make execute`` measured, shown in the book.

``python -m booktools.execute`` times each notebook (a fresh kernel, one CPU thread) and records
the wall time in ``book/runtimes.json`` with the machine, the load average when it started
(a busy CPU makes the figure meaningless: the record says so) and the ``lmbook`` version. The
Sphinx directive ``{runtime-table}`` renders that record: on a chapter's landing page with
``:chapter: ch02`` for its sections, in the 前言 without options for the whole book, with a
median and maximum and a GPU column where someone has measured one.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective

from booktools.toc import toc_files

__all__ = ["BUDGET_S", "MEDIAN_BUDGET_S", "RECORD", "load", "record", "setup"]

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "book" / "runtimes.json"
BUDGET_S = 60.0  # every notebook, one CPU thread
MEDIAN_BUDGET_S = 30.0  # the median notebook


def load(path: Path = RECORD) -> dict[str, dict[str, Any]]:
    """The record: ``{notebook path relative to the repository: {"cpu_s": ..., ...}}``."""
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def machine() -> str:
    """A short description of this machine for the record: CPU model, cores, Python."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [ln.split(":", 1)[1].strip() for ln in cpuinfo.read_text().splitlines()
                 if ln.startswith("model name")]  # fmt: skip
        cpu = names[0] if names else cpu
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def record(notebook: Path, seconds: float, load_at_start: float, path: Path = RECORD) -> None:
    """Store ``notebook``'s wall time (merged into the existing record, sorted by path)."""
    import lmbook

    data = load(path)
    entry = data.get(notebook.resolve().relative_to(ROOT).as_posix(), {})
    entry.update(
        cpu_s=round(seconds, 1),
        machine=machine(),
        load_at_start=round(load_at_start, 2),
        lmbook=lmbook.__version__,
    )
    data[notebook.resolve().relative_to(ROOT).as_posix()] = entry
    text = json.dumps(dict(sorted(data.items())), ensure_ascii=False, indent=1) + "\n"
    path.write_text(text, encoding="utf-8")


class RuntimeTable(SphinxDirective):
    """``{runtime-table}`` with optional ``:chapter: chNN``: the recorded times as a table."""

    option_spec = {"chapter": directives.unchanged}  # noqa: RUF012 (docutils API)

    def run(self) -> list[nodes.Node]:
        data = load()
        chapter = self.options.get("chapter")
        outline = set(toc_files(Path(self.env.srcdir)))  # a record may name drafts outside it
        rows = {
            k: v
            for k, v in data.items()
            if k.removesuffix(".ipynb") in outline
            and (chapter is None or k.startswith(f"book/{chapter}/"))
        }
        self.env.note_dependency(str(RECORD))
        if not rows:
            return [nodes.paragraph(text="（尚无记录：运行 make execute。）")]
        has_gpu = any("gpu_s" in v for v in rows.values())
        header = ["笔记本", "CPU 单线程（秒）", *(["GPU（秒）"] if has_gpu else [])]
        body = []
        for key, v in rows.items():
            doc = key.removesuffix(".ipynb")
            cells = [doc, f"{v['cpu_s']:.1f}", *([f"{v.get('gpu_s', '—')}"] if has_gpu else [])]
            body.append(cells)
        times = [v["cpu_s"] for v in rows.values()]
        summary = f"{statistics.median(times):.1f} / {max(times):.1f}"
        body.append([f"中位数 / 最大值（{len(times)} 个笔记本）", summary, *([""] * has_gpu)])
        table = self._table(header, body)
        machines = sorted({v["machine"] for v in rows.values()})
        note = nodes.paragraph(
            text=f"由 make execute 在 {'；'.join(machines)} 上测得（每个笔记本一个新内核、"
            f"一个 CPU 线程）。预算：每个笔记本不超过 {BUDGET_S:.0f} 秒，中位数不超过 "
            f"{MEDIAN_BUDGET_S:.0f} 秒。"
        )
        return [table, note]

    def _table(self, header: list[str], body: list[list[str]]) -> nodes.table:
        table = nodes.table(classes=["runtime-table"])
        group = nodes.tgroup(cols=len(header))
        table += group
        group.extend(nodes.colspec(colwidth=1) for _ in header)
        thead, tbody = nodes.thead(), nodes.tbody()
        group += thead
        group += tbody
        thead += self._row(header)
        for i, cells in enumerate(body):
            tbody += self._row(cells, link=i < len(body) - 1)
        return table

    def _row(self, cells: list[str], link: bool = False) -> nodes.row:
        """A table row; with ``link`` the first cell is a reference to that notebook's page,
        titled like the page (resolved by Sphinx's ``doc`` role machinery)."""
        row = nodes.row()
        for j, text in enumerate(cells):
            para = nodes.paragraph()
            if link and j == 0:
                ref = addnodes.pending_xref(
                    "",
                    refdomain="std",
                    reftype="doc",
                    reftarget="/" + text,
                    refexplicit=False,
                    refdoc=self.env.docname,
                )
                ref += nodes.inline(text=text)
                para += ref
            else:
                para += nodes.Text(text)
            row += nodes.entry("", para)
        return row


def setup(app: Any) -> dict[str, Any]:
    """Register ``{runtime-table}``."""
    app.add_directive("runtime-table", RuntimeTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
