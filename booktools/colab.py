"""The Colab edition: the book's notebooks without MyST syntax, where the Colab button opens them.

Colab renders no MyST, so ``python -m booktools.editions colab`` (``make colab``) writes each
notebook of ``_toc.yml`` to ``colab/<same path>`` (committed with the book):

- markdown cells as plain CommonMark + HTML (:mod:`booktools.plainmd`): an exercise is a bold
  heading and a quote; its solution's prose is a ``<details>`` (collapsed); citations are
  author–year text, and a last cell lists the references cited;
- each solution code cell is a Colab form cell (``#@title`` + ``cellView: form``: the code is
  hidden until “显示代码”), outputs cleared, so the solution stays collapsed;
- no hidden checks (they are never in the book's notebooks anyway).

As a Sphinx extension (``_config.yml``, ``local_extensions``) this module points the book's Colab
launch button at that copy: ``…/blob/<branch>/colab/<path>.ipynb`` instead of the MyST source.
"""

from __future__ import annotations

import copy
from typing import Any

import nbformat

from booktools.exercises import SOLUTION_HEADER, parse_exercises, scrub_metadata
from booktools.plainmd import Bibliography, exercise_number, to_plain

__all__ = ["COLAB_DIR", "colab_notebook", "colab_url", "setup"]

COLAB_DIR = "colab"
COLAB_URL = "https://colab.research.google.com"


def colab_url(org: str, repo: str, branch: str, path: str, colab: str = COLAB_URL) -> str:
    """The URL that opens the Colab edition of ``path`` (a notebook path in the repository)."""
    return f"{colab.rstrip('/')}/github/{org}/{repo}/blob/{branch}/{COLAB_DIR}/{path.lstrip('/')}"


def _note(directive: Any) -> str:
    return "（书面题）" if "written" in directive.classes else ""


def colab_notebook(
    nb: nbformat.NotebookNode, bib: Bibliography | None = None
) -> nbformat.NotebookNode:
    """The Colab edition of one notebook (see the module docstring)."""
    bib = bib or Bibliography()
    out = copy.deepcopy(nb)
    exercises = parse_exercises(out)
    solution_code = {i: ex for ex in exercises for i in ex.solution_code}
    cited: list[str] = []
    cells, forms = [], []
    for i, cell in enumerate(out.cells):
        if cell.cell_type == "markdown":
            cell.source = to_plain(cell.source, bib, cited=cited, exercise_note=_note)
            if not cell.source.strip():
                continue
        elif cell.cell_type == "code" and i in solution_code:
            ex = solution_code[i]
            body = cell.source
            if body.split("\n", 1)[0].strip() == SOLUTION_HEADER:
                body = body.split("\n", 1)[1] if "\n" in body else ""
            cell.source = (
                f"#@title 练习 {exercise_number(ex.label)} 的解答代码（点击“显示代码”展开）\n{body}"
            )
            cell.outputs, cell.execution_count = [], None
            forms.append(cell)
        cells.append(cell)
    if cited:
        refs = "\n".join(f"- {bib.reference(k)}" for k in cited)
        refs_cell = nbformat.v4.new_markdown_cell(f"### 参考文献\n\n{refs}")
        refs_cell.id = "references"  # a fixed id: the committed edition regenerates identically
        cells.append(refs_cell)
    out.cells = cells
    scrub_metadata(out)
    for cell in forms:  # Colab hides a form cell's code (the title stays visible)
        cell.metadata = {"cellView": "form"}
    out.metadata["colab"] = {"provenance": [], "toc_visible": True}
    return out


# ---------------------------------------------------------------------------- Sphinx extension


def _point_colab_button(
    app: Any, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    """Rewrite the Colab launch link of a notebook page to the Colab edition's copy."""
    marker = "/blob/"

    def walk(buttons: list) -> None:
        for button in buttons:
            if isinstance(button, dict):
                url = button.get("url", "")
                if button.get("text") == "Colab" and marker in url and f"/{COLAB_DIR}/" not in url:
                    head, tail = url.split(marker, 1)
                    branch, path = tail.split("/", 1)
                    button["url"] = f"{head}{marker}{branch}/{COLAB_DIR}/{path}"
                walk(button.get("buttons", []))

    walk(context.get("header_buttons", []))


def setup(app: Any) -> dict[str, Any]:
    # after sphinx_book_theme's add_launch_buttons (priority 501)
    app.connect("html-page-context", _point_colab_button, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
