"""Student editions remove every solution and nothing else."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from lmbook.exercises import make_student_edition, strip_solutions

ROOT = Path(__file__).resolve().parents[1]
md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
EXERCISE_2 = "```{exercise}\n:label: ex-2\n\n题目二\n```\n\n"


def _nb(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def test_gated_and_single_solutions_are_removed() -> None:
    nb = _nb(
        md("# 1.1 标题"),
        md("```{exercise}\n:label: ex-1\n\n题目\n```"),
        md("```{solution-start} ex-1\n:class: dropdown\n```"),
        code("assert 1 + 1 == 2"),
        md("```{solution-end}\n```"),
        md(EXERCISE_2 + "```{solution} ex-2\n:class: dropdown\n\n答案\n```"),
        code("print('after')"),
    )
    student, removed = strip_solutions(nb)
    assert removed == 2
    sources = [c.source for c in student.cells]
    assert sources[:2] == [nb.cells[0].source, nb.cells[1].source]
    assert "题目二" in sources[2] and "solution" not in sources[2] and "答案" not in sources[2]
    assert sources[3] == "print('after')"
    assert len(nb.cells) == 7, "the input notebook is left unchanged"


@pytest.mark.parametrize(
    "cells",
    [
        [md("```{solution-start} ex\n```"), code("x = 1")],
        [md("```{solution-end}\n```")],
        [md("```{solution-start} a\n```"), md("```{solution-start} b\n```")],
    ],
)
def test_unbalanced_blocks_are_refused(cells: list[nbformat.NotebookNode]) -> None:
    with pytest.raises(ValueError, match="solution-"):
        strip_solutions(_nb(*cells))


def test_student_edition_of_the_real_book(tmp_path: Path) -> None:
    removed = make_student_edition(ROOT, tmp_path / "student")
    notebooks = sorted((tmp_path / "student" / "book").rglob("*.ipynb"))
    assert notebooks and removed >= 2 * len(notebooks)
    for path in notebooks:
        text = path.read_text(encoding="utf-8")
        assert "{solution" not in text and "{exercise}" in text
    assert (tmp_path / "student" / "_toc.yml").is_file()


def test_student_edition_refuses_to_overwrite_the_book() -> None:
    with pytest.raises(ValueError, match="another folder"):
        make_student_edition(ROOT, ROOT)
