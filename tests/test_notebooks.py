"""The book's conventions, checked on every notebook (docs/notebooks.md says why)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from booktools.notebook import INSTALL_CELL, SETUP_CELL
from booktools.toc import toc_files

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"


NOTEBOOKS = sorted(p for p in BOOK.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
IDS = [str(p.relative_to(ROOT)) for p in NOTEBOOKS]


def test_toc_and_book_folder_agree() -> None:
    toc = toc_files()
    for entry in toc:
        matches = [ROOT / f"{entry}{ext}" for ext in (".ipynb", ".md")]
        assert any(m.exists() for m in matches), f"_toc.yml lists {entry}, which does not exist"
    listed = {str(Path(e)) for e in toc}
    pages = [*NOTEBOOKS, *BOOK.rglob("*.md")]
    for page in pages:
        rel = page.relative_to(ROOT).with_suffix("")
        if any(part.startswith(("_", ".")) for part in rel.parts):  # assets, checkpoints
            continue
        assert str(rel) in listed, f"{rel} is in book/ but not in _toc.yml"


def test_book_has_notebooks() -> None:
    assert NOTEBOOKS, "no notebook found under book/"


@pytest.fixture(params=NOTEBOOKS, ids=IDS)
def path(request: pytest.FixtureRequest) -> Path:
    return request.param


@pytest.fixture
def notebook(path: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    return nb


def _code(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code"]


def test_title_install_and_setup_cells(path: Path, notebook: nbformat.NotebookNode) -> None:
    first = notebook.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), "title cell first"
    if re.fullmatch(r"ch\d\d", path.parent.name):  # a numbered section of a chapter
        title = re.match(r"# (\d+)\.(\d+) \S", first.source)
        assert title, "a section's title is numbered as in the outline, e.g. '# 2.1 概率论基础'"
        assert list(title.groups()) == path.stem.split("-", 2)[:2], "title and file name differ"
    if path.parent.name == "appendix":  # a section of appendix A: a-1-frameworks is "# A.1 ..."
        title = re.match(r"# A\.(\d+) \S", first.source)
        assert title, "an appendix section's title is numbered as in the outline, e.g. '# A.1 ...'"
        assert ["a", title[1]] == path.stem.split("-", 2)[:2], "title and file name differ"
    code = _code(notebook)
    assert code[0].source.strip() == INSTALL_CELL, "first code cell must be the install cell"
    assert code[1].source.strip() == SETUP_CELL, "second code cell must be the setup cell"


def test_outputs_come_from_one_clean_run(notebook: nbformat.NotebookNode) -> None:
    code = [c for c in _code(notebook) if c.source.strip()]
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        "stored outputs must come from one top-to-bottom run: run `make execute NB=...`"
    )
    for cell in code:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"stored error output in cell {cell.execution_count}"
            if out.output_type == "stream" and out.name == "stderr":
                assert "Warning" not in out.text, (
                    f"warning in cell {cell.execution_count}: {out.text}"
                )
    assert "/work/" not in nbformat.writes(notebook), "an output leaks a local path"


def test_claims_are_checked(notebook: nbformat.NotebookNode) -> None:
    source = "\n".join(c.source for c in _code(notebook))
    checks = re.findall(r"^\s*assert |assert_allclose\(|assert_close\(", source, re.M)
    assert len(checks) >= 3, "a section checks its claims in code (assert with a tolerance)"
