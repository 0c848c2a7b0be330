"""The exercise format of docs/notebooks.md ("练习"), enforced on every notebook of _toc.yml.

``check_format`` (booktools.exercises) holds the rules; ``test_chapter_exercises`` applies them to
the book (plug it into tests/test_notebooks.py as it is) and the other tests pin the rules down
on small synthetic notebooks.
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest
from exercise_book import section

from booktools.exercises import (
    SOLUTION_METADATA,
    _toc_notebooks,
    check_format,
    hidden_checks_path,
    read_hidden_checks,
)

ROOT = Path(__file__).resolve().parents[1]
TOC_NOTEBOOKS = _toc_notebooks(ROOT)
md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
DEMO = ROOT / "book" / "ch09" / "9-1-demo.ipynb"  # a path only: names the labels ex-9-1-<n>
HIDDEN = {
    "ex-9-1-1": ["assert abs(entropy - 1.5) < 1e-9"],
    "ex-9-1-2": ["assert biggest == 0.5"],
}


@pytest.mark.parametrize(
    "path", TOC_NOTEBOOKS, ids=[str(p.relative_to(ROOT)) for p in TOC_NOTEBOOKS]
)
def test_chapter_exercises(path: Path) -> None:
    """Labels ex-<chapter>-<section>-<n> (ex-tour-<n>), 2-4 per section after '## 练习', each
    with a gated dropdown solution; a code exercise has public and hidden checks."""
    nb = nbformat.read(path, as_version=4)
    problems = check_format(nb, path, read_hidden_checks(hidden_checks_path(path, ROOT)))
    assert not problems, "\n".join(problems)


def test_the_synthetic_section_follows_the_rules() -> None:
    assert check_format(section(), DEMO, HIDDEN) == []


def _find(nb: nbformat.NotebookNode, text: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if text in c.source)


def _broken(change: str) -> nbformat.NotebookNode:
    nb = copy.deepcopy(section())
    if change == "label":
        for cell in nb.cells:
            cell.source = cell.source.replace("ex-9-1-2", "ex-9-1-7")
    elif change == "no-dropdown":
        i = _find(nb, "{solution-start} ex-9-1-1")
        nb.cells[i].source = nb.cells[i].source.replace(":class: dropdown\n", "")
    elif change == "not-collapsed":
        i = _find(nb, "entropy = float")
        nb.cells[i].metadata.pop("jupyter")
    elif change == "no-header":
        i = _find(nb, "entropy = float")
        nb.cells[i].source = nb.cells[i].source.replace("# 解答\n", "")
    elif change == "no-check":
        del nb.cells[_find(nb, "# 检查 ex-9-1-2")]
    elif change == "prose-cell":
        nb.cells.insert(_find(nb, "biggest = float") + 1, md("说明文字"))
    elif change == "unbalanced":
        del nb.cells[_find(nb, "{solution-end}")]
    elif change == "too-many":
        extra = []
        for n in (4, 5):
            extra += [
                md(f"```{{exercise}}\n:label: ex-9-1-{n}\n:class: written\n\n题\n```"),
                md(f"```{{solution-start}} ex-9-1-{n}\n:class: dropdown\n\n答\n```"),
                md("```{solution-end}\n```"),
            ]
        nb.cells += extra
    elif change == "written-with-code":
        cell = code("# 解答\nx = 1")
        cell.metadata["jupyter"] = dict(SOLUTION_METADATA)
        nb.cells.insert(_find(nb, "{solution-start} ex-9-1-3") + 1, cell)
    elif change == "no-heading":
        i = _find(nb, "## 练习")
        nb.cells[i].source = nb.cells[i].source.replace("## 练习", "## 习题")
    return nb


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("label", "ex-9-1-7: label should be ex-9-1-2"),
        ("no-dropdown", ":class: dropdown"),
        ("not-collapsed", "source_hidden"),
        ("no-header", "'# 解答'"),
        ("no-check", "public check"),
        ("prose-cell", "solution-start body"),
        ("unbalanced", "inside the solution of ex-9-1-1"),
        ("too-many", "2-4 exercises"),
        ("written-with-code", "written exercise has no solution code"),
        ("no-heading", "'## 练习'"),
    ],
)
def test_broken_exercises_are_reported(change: str, message: str) -> None:
    problems = check_format(_broken(change), DEMO, HIDDEN)
    assert any(message in p for p in problems), problems


def test_a_code_exercise_needs_a_hidden_check() -> None:
    problems = check_format(section(), DEMO, {"ex-9-1-1": HIDDEN["ex-9-1-1"]})
    assert any("ex-9-1-2: no hidden check" in p for p in problems), problems
    problems = check_format(section(), DEMO, {**HIDDEN, "ex-9-1-9": ["assert True"]})
    assert any("unknown exercise ex-9-1-9" in p for p in problems), problems


def test_tour_labels() -> None:
    from exercise_book import tour

    tour_path = ROOT / "book" / "tour.ipynb"
    assert check_format(tour(), tour_path, {"ex-tour-1": ["assert total == 55"]}) == []
    problems = check_format(
        tour(), ROOT / "book" / "ch09" / "9-1-x.ipynb", {"ex-tour-1": ["assert 1"]}
    )
    assert any("label should be ex-9-1-1" in p for p in problems), problems
