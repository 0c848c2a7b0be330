"""Editions and grading of the exercises (booktools.editions, .grading, .colab, .plainmd).

On a synthetic book (tests/exercise_book.py) whose every solution and hidden check carries a
canary: the student edition holds none of them in any byte (zip members and base64 included),
and a build that skips the scrub is caught (negative control); the public book shows solutions
only inside their dropdowns and hidden checks nowhere; the Colab edition reads as plain
CommonMark; the reference solutions score full marks and a blank notebook 0 under otter.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from exercise_book import CANARIES, make_book, section

from booktools import leaks
from booktools.colab import _point_colab_button, colab_url
from booktools.editions import build_colab, build_instructor, build_student
from booktools.exercises import (
    capture_values,
    check_format,
    migrate,
    parse_exercises,
    read_hidden_checks,
    scrub_metadata,
    strip_solutions,
    value_check,
    write_hidden_checks,
)
from booktools.plainmd import Bibliography, to_plain

ROOT = Path(__file__).resolve().parents[1]
BIB = Bibliography(ROOT / "book" / "references.bib")
MYST = re.compile(
    r"```\{|:::\{|\{(?:exercise|solution|cite|dfn|ref|numref)[^}]*\}|^:(?:label|class):|^\([\w-]+\)=",
    re.M,
)
md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    root = tmp_path_factory.mktemp("book")
    return root, make_book(root)


@pytest.fixture(scope="module")
def student(book: tuple[Path, list[Path]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    root, notebooks = book
    out = tmp_path_factory.mktemp("editions") / "student"
    build_student(out, notebooks, root)
    return out


# ---------------------------------------------------------------------------- plain markdown


def test_plain_markdown_leaves_no_myst() -> None:
    text = (
        "一个分布的{dfn}`熵（entropy）`，见 {cite:t}`shannon1948mathematical` 与 "
        "{cite:p}`shannon1948mathematical,cover2006elements`。\n\n(sec-x)=\n% 注释\n\n"
        "```{note}\n注意 $x$。\n```\n\n:::{dropdown} 更多\n细节\n:::\n\n"
        "```python\n# 代码里的 {cite}`x` 原样保留\n```\n\n见 {numref}`sec-x`。"
    )
    plain = to_plain(text, BIB)
    assert "**熵（entropy）**" in plain and "Shannon (1948)" in plain
    assert "(Shannon, 1948; Cover and Thomas, 2006)" in plain
    assert "<details>\n<summary>更多</summary>" in plain and "> **注**" in plain
    assert "# 代码里的 {cite}`x` 原样保留" in plain  # code is code
    outside_code = re.sub(r"```python.*?```", "", plain, flags=re.S)
    assert not MYST.search(outside_code), outside_code
    assert "% 注释" not in plain and "(sec-x)=" not in plain


def test_exercise_and_solution_as_plain_markdown() -> None:
    nb = section()
    ex = parse_exercises(nb)[0]
    prompt = to_plain(nb.cells[ex.cell].source, BIB)
    assert prompt.startswith("> **练习 9.1.1**") and "`probs`" in prompt
    solution = to_plain(nb.cells[ex.start].source, BIB)
    assert solution.startswith("<details>\n<summary><b>练习 9.1.1 的解答</b>")
    assert solution.rstrip().endswith("</details>")


# ---------------------------------------------------------------------------- format helpers


def test_strip_solutions_keeps_exercises_and_checks() -> None:
    nb = section()
    stripped, removed = strip_solutions(nb)
    assert removed == 3
    text = nbformat.writes(stripped)
    assert not leaks.find_in_bytes("nb", text.encode(), CANARIES["solution"])
    assert "{exercise}" in text and "# 检查 ex-9-1-1" in text and "{solution" not in text
    assert "widgets" not in stripped.metadata, "widget state of solution outputs is dropped"
    assert len(nb.cells) > len(stripped.cells), "the input is left unchanged"


def test_scrub_keeps_widget_state_still_shown() -> None:
    nb = nbformat.v4.new_notebook(
        cells=[
            code(
                "w",
                outputs=[
                    nbformat.v4.new_output(
                        "display_data",
                        data={
                            "application/vnd.jupyter.widget-view+json": {"model_id": "aaaa1111aaaa"}
                        },
                    )
                ],
            )
        ],
        metadata={"secret": 1, "kernelspec": {"name": "python3", "display_name": "Python 3"}},
    )
    state = {
        "aaaa1111aaaa": {"state": {"layout": "IPY_MODEL_bbbb2222bbbb"}},
        "bbbb2222bbbb": {},
        "cccc3333cccc": {},
    }
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": state}}
    nb.cells[0].metadata["secret"] = 2
    scrub_metadata(nb)
    kept = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert set(kept) == {"aaaa1111aaaa", "bbbb2222bbbb"}
    assert "secret" not in nb.metadata and "secret" not in nb.cells[0].metadata


def test_hidden_checks_file_round_trip(tmp_path: Path) -> None:
    checks = {"ex-9-1-1": ["assert a == 1", "assert b\nassert c"], "ex-9-1-2": ["assert d"]}
    write_hidden_checks(tmp_path / "x.py", "book/x.ipynb", checks)
    assert read_hidden_checks(tmp_path / "x.py") == checks
    assert read_hidden_checks(tmp_path / "missing.py") == {}


@pytest.mark.parametrize(
    ("value", "other"),
    [(1.5, 1.6), (3, 4), ("ORG", "PER"), (True, False), ([1, 2], [1, 3]),
     ([0.5, 0.25], [0.5, 0.3]), ({"a": 0.1, "b": 2}, {"a": 0.2, "b": 2})],
)  # fmt: skip
def test_value_checks_pass_on_the_value_only(value: object, other: object) -> None:
    check = value_check("x", value)
    assert check is not None
    exec(check, {"x": copy.deepcopy(value)})
    with pytest.raises(AssertionError):
        exec(check, {"x": other})


def _old_form() -> nbformat.NotebookNode:
    """An exercise in the form of the chapters before the conversion (the tour's, 2.1's)."""
    return nbformat.v4.new_notebook(
        cells=[
            md("# 9.1 演示"),
            code("import numpy as np\nprobs = np.array([0.5, 0.25, 0.25])"),
            md("## 小结\n\n要点。\n\n## 练习\n\n```{exercise}\n:label: ex-9-1-1\n\n求熵。\n```"),
            md("```{solution-start} ex-9-1-1\n:class: dropdown\n```"),
            code("h = float(-(probs * np.log2(probs)).sum())\nassert h > 1\nprint(h)"),
            md("熵是 1.5 比特。"),
            md("```{solution-end}\n```"),
            md("```{exercise}\n:label: ex-9-1-2\n\n求最大值。\n```"),
            md("```{solution-start} ex-9-1-2\n:class: dropdown\n```"),
            code("top = {'p': float(probs.max())}\nnp.testing.assert_allclose(top['p'], 0.5)"),
            md("就是 0.5。\n\n```{solution-end}\n```"),
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )


def test_migrate_the_old_form() -> None:
    old = _old_form()
    new, hidden, notes = migrate(
        old, values={"ex-9-1-1": {"h": 1.5}, "ex-9-1-2": {"top": {"p": 0.5}}}
    )
    path = ROOT / "book" / "ch09" / "9-1-demo.ipynb"
    assert check_format(new, path, hidden) == []
    exercises = parse_exercises(new)
    first = exercises[0]
    assert "熵是 1.5 比特。" in first.solution_text
    solution = new.cells[first.solution_code[0]]
    assert solution.source == "# 解答\nh = float(-(probs * np.log2(probs)).sum())\nprint(h)"
    assert solution.metadata["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
    assert new.cells[first.checks[0]].source == "# 检查 ex-9-1-1\nassert h > 1"
    assert hidden["ex-9-1-1"] == [value_check("h", 1.5)]
    assert "就是 0.5。" in exercises[1].solution_text
    assert new.cells[exercises[1].checks[0]].source.endswith(
        "np.testing.assert_allclose(top['p'], 0.5)"
    )
    assert new.cells[2].source == "## 小结\n\n要点。\n\n## 练习"  # the heading got its own cell
    again, hidden_again, _ = migrate(new, hidden)
    assert nbformat.writes(again) == nbformat.writes(new) and hidden_again == hidden, "idempotent"
    assert any("review" in n for n in notes)


def test_migrate_without_values_leaves_a_todo() -> None:
    _, hidden, notes = migrate(_old_form())
    assert hidden["ex-9-1-1"][0].startswith("# TODO") and "assert h > 1" in hidden["ex-9-1-1"][0]
    assert any("TODO" in n for n in notes)


def test_capture_values_runs_the_reference_solution(tmp_path: Path) -> None:
    values = capture_values(_old_form(), {"ex-9-1-1": ["h"], "ex-9-1-2": ["top"]}, tmp_path)
    assert values == {"ex-9-1-1": {"h": 1.5}, "ex-9-1-2": {"top": {"p": 0.5}}}


# ---------------------------------------------------------------------------- student edition


def _assert_clean(folder: Path) -> None:
    hits = leaks.find(folder, CANARIES["solution"] + CANARIES["hidden"])
    assert not hits, "the student edition leaks:\n" + "\n".join(hits[:30])


def test_canaries_are_everywhere_in_the_sources(book: tuple[Path, list[Path]]) -> None:
    """The negative side of the leak test: every canary is findable where it was put."""
    root, _ = book
    found = {
        h.rsplit(": ", 1)[1] for h in leaks.find(root, CANARIES["solution"] + CANARIES["hidden"])
    }
    assert found == set(CANARIES["solution"] + CANARIES["hidden"])
    how = {
        h.split(": ")[0].rsplit(" ", 1)[-1] for h in leaks.find(root / "book", CANARIES["solution"])
    }
    assert "(base64)" in how, "attachment and image canaries are only found decoded"


def test_student_edition_has_no_solution_and_no_hidden_check(student: Path) -> None:
    notebooks = sorted((student / "notebooks").rglob("*.ipynb"))
    assert [p.relative_to(student / "notebooks").as_posix() for p in notebooks] == [
        "ch09/9-1-demo.ipynb", "tour.ipynb",
    ]  # fmt: skip
    _assert_clean(student)  # notebooks, the zip (members decoded), the HTML book's sources
    with zipfile.ZipFile(student / "student-notebooks.zip") as z:
        assert sorted(z.namelist()) == ["ch09/9-1-demo.ipynb", "tour.ipynb"]


def test_student_notebooks_are_what_students_need(student: Path) -> None:
    nb = nbformat.read(student / "notebooks" / "ch09" / "9-1-demo.ipynb", as_version=4)
    text = nbformat.writes(nb)
    assert not MYST.search("\n".join(c.source for c in nb.cells if c.cell_type == "markdown"))
    assert "otter-grader==7.0.0" in nb.cells[0].source and "grader = otter.Notebook()" in text
    assert [c.source for c in nb.cells if "grader.check" in c.source] == [
        'grader.check("ex-9-1-1")', 'grader.check("ex-9-1-2")',
    ]  # fmt: skip
    answers = [c for c in nb.cells if "otter_answer_cell" in c.metadata.get("tags", [])]
    assert [c.cell_type for c in answers] == ["code", "code", "markdown"]
    assert answers[0].source == "# 在这里写你的解答\n..."
    assert "人工评分" in answers[2].source and "（书面题，人工评分）" in text
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert set(nb.metadata) <= {"kernelspec", "language_info", "otter"}
    for cell in nb.cells:
        assert set(cell.metadata) <= {"tags", "editable", "deletable"}, cell.metadata
        assert "attachments" not in cell or not cell.attachments
    tests = nb.metadata["otter"]["tests"]
    assert set(tests) == {"ex-9-1-1", "ex-9-1-2"}
    cases = [c for t in tests.values() for s in t["suites"] for c in s["cases"]]
    assert cases and not any(c["hidden"] for c in cases), "public checks only"


def test_student_html_book_sources_have_no_solutions(student: Path) -> None:
    nb = nbformat.read(student / "book" / "book" / "ch09" / "9-1-demo.ipynb", as_version=4)
    exercises = parse_exercises(nb)
    assert [e.label for e in exercises] == ["ex-9-1-1", "ex-9-1-2", "ex-9-1-3"]
    assert all(e.start is None for e in exercises), "no solution is left"
    assert [len(e.checks) for e in exercises] == [1, 1, 0], "the public checks stay"
    assert (student / "book" / "_toc.yml").is_file()


def test_negative_control_a_build_without_scrub_fails(
    book: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    root, notebooks = book
    build_student(tmp_path / "student", notebooks, root, scrub=False)
    with pytest.raises(AssertionError, match="leaks"):
        _assert_clean(tmp_path / "student")
    hits = leaks.find(tmp_path / "student" / "notebooks", CANARIES["solution"])
    # otter by itself keeps a solution cell's metadata on the student's stub (FACTS.md)
    assert any("metas1" in h for h in hits), hits


def test_student_edition_refuses_to_overwrite_the_book(book: tuple[Path, list[Path]]) -> None:
    root, notebooks = book
    with pytest.raises(ValueError, match="another folder"):
        build_student(root, notebooks, root)


# ---------------------------------------------------------------------------- instructor, Colab


def test_instructor_pack(book: tuple[Path, list[Path]], tmp_path: Path) -> None:
    root, notebooks = book
    zips = build_instructor(tmp_path / "pack", notebooks, root)
    assert [z.relative_to(tmp_path / "pack").as_posix() for z in zips] == [
        "tour/autograder.zip", "ch09/9-1-demo/autograder.zip",
    ]  # fmt: skip
    section_dir = tmp_path / "pack" / "ch09" / "9-1-demo"
    with zipfile.ZipFile(section_dir / "autograder.zip") as z:
        tests = {n: z.read(n).decode() for n in z.namelist() if n.startswith("tests/")}
    assert set(tests) == {"tests/ex-9-1-1.py", "tests/ex-9-1-2.py"}
    assert "zqxhid911acanary" in tests["tests/ex-9-1-1.py"], "hidden checks are in the autograder"
    assert "'hidden': True" in tests["tests/ex-9-1-1.py"]
    written = (section_dir / "written.md").read_text(encoding="utf-8")
    assert "ex-9-1-3" in written and "zqxsolprose913canary" in written
    assert (section_dir / "solutions.ipynb").is_file() and (
        section_dir / "hidden-checks.py"
    ).is_file()
    assert "ex-9-1-3" in (tmp_path / "pack" / "README.md").read_text(encoding="utf-8")


def _commonmark(nb_path: Path) -> str:
    """The notebook through nbconvert's Markdown exporter, rendered by a CommonMark parser."""
    from markdown_it import MarkdownIt
    from nbconvert import MarkdownExporter

    body, _ = MarkdownExporter().from_filename(str(nb_path))
    return MarkdownIt("commonmark", {"html": True}).render(body)


def test_colab_edition_renders_as_plain_commonmark(
    book: tuple[Path, list[Path]], tmp_path: Path
) -> None:
    root, notebooks = book
    written = build_colab(tmp_path / "colab", notebooks, root)
    assert [p.relative_to(tmp_path / "colab").as_posix() for p in written] == [
        "book/tour.ipynb", "book/ch09/9-1-demo.ipynb",
    ]  # fmt: skip
    for path in written:
        html = _commonmark(path)
        text = re.sub(r"<pre><code.*?</code></pre>", "", html, flags=re.S)  # code cells
        assert not MYST.search(text), MYST.search(text)
        assert "{exercise}" not in html and ":label:" not in html and "{cite" not in html
        assert "<details>" in html and "Shannon" in html
    assert not leaks.find(tmp_path / "colab", CANARIES["hidden"])
    nb = nbformat.read(written[1], as_version=4)
    forms = [c for c in nb.cells if c.metadata.get("cellView") == "form"]
    assert len(forms) == 2 and all(c.source.startswith("#@title 练习 9.1.") for c in forms)
    assert all(not c.outputs for c in forms), "solution outputs are not shown before a run"
    assert nb.cells[-1].source.startswith("### 参考文献")
    assert "colab" in nb.metadata


def test_colab_link_format() -> None:
    assert colab_url("lmbook", "lmbook", "main", "book/ch02/2-1-probability.ipynb") == (
        "https://colab.research.google.com/github/lmbook/lmbook/blob/main/colab/book/ch02/"
        "2-1-probability.ipynb"
    )
    src = "https://colab.research.google.com/github/lmbook/lmbook/blob/main/book/tour.ipynb"
    context = {"header_buttons": [{"type": "group", "buttons": [
        {"text": "Binder", "url": "https://mybinder.org/v2/gh/lmbook/lmbook/main?urlpath=lab/tree/book/tour.ipynb"},
        {"text": "Colab", "url": src},
    ]}]}  # fmt: skip
    _point_colab_button(None, "book/tour", "page.html", context, None)
    buttons = context["header_buttons"][0]["buttons"]
    assert buttons[1]["url"] == colab_url("lmbook", "lmbook", "main", "book/tour.ipynb")
    assert "/colab/" not in buttons[0]["url"], "only the Colab button changes"


def test_committed_colab_edition_is_current(tmp_path: Path) -> None:
    """colab/ (make colab) is what the current notebooks give (the Colab button opens it)."""
    from booktools.exercises import _toc_notebooks

    if not (ROOT / "colab").is_dir():
        pytest.skip("no colab/ yet: run make colab and commit colab/")
    notebooks = _toc_notebooks(ROOT)
    for path in build_colab(tmp_path, notebooks, ROOT):
        committed = ROOT / "colab" / path.relative_to(tmp_path)
        assert committed.is_file(), f"{committed} is missing: run make colab"
        assert committed.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), (
            f"{committed} is stale: run make colab"
        )


# ---------------------------------------------------------------------------- the public book


def _jupyter_book(root: Path) -> Path:
    """``jupyter-book build -W`` of the book at ``root`` (as make book does); its HTML folder."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", "-W", "-n", "."]
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    return root / "_build" / "html"


@pytest.fixture(scope="module")
def public_html(book: tuple[Path, list[Path]]) -> Path:
    return _jupyter_book(book[0])


@pytest.mark.slow
def test_student_html_book_has_no_solution_and_no_hidden_check(student: Path) -> None:
    from bs4 import BeautifulSoup

    html = _jupyter_book(student / "book")
    soup = BeautifulSoup(
        (html / "book" / "ch09" / "9-1-demo.html").read_text("utf-8"), "html.parser"
    )
    assert len(soup.select("div.exercise")) == 3 and not soup.select("div.solution")
    assert "# 检查 ex-9-1-1" in soup.get_text(), "the public checks stay"
    _assert_clean(html)  # pages, search index, .ipynb downloads, images


@pytest.mark.slow
def test_public_book_hides_hidden_checks_and_shows_solutions_only_in_dropdowns(
    public_html: Path, book: tuple[Path, list[Path]]
) -> None:
    from bs4 import BeautifulSoup

    assert not leaks.find(public_html, CANARIES["hidden"]), "hidden checks reach the public book"
    for page in sorted(public_html.rglob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for script in soup.select('script[type="application/vnd.jupyter.widget-state+json"]'):
            script.decompose()  # the widgets' data, drawn only where their views are (dropdowns)
        for solution in soup.select("div.solution"):
            solution.decompose()
        left = leaks.find_in_bytes(str(page), str(soup).encode(), CANARIES["solution"])
        assert not left, f"solution text outside its dropdown: {left}"
    demo = (public_html / "book" / "ch09" / "9-1-demo.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(demo, "html.parser")
    dropdowns = soup.select("div.solution.dropdown")
    assert len(dropdowns) == 3
    assert "zqxsolprose911canary" in dropdowns[0].get_text(), "the prose is in the dropdown"
    assert "zqxsolcodes1canary" in dropdowns[0].get_text(), "the code is in the dropdown"
    for path in sorted((public_html / "_sources").rglob("*.ipynb")):  # the .ipynb downloads
        nb = nbformat.read(path, as_version=4)
        inside = {i for ex in parse_exercises(nb) for i in ex.solution_cells}
        for i, cell in enumerate(nb.cells):
            hits = leaks.find_in_bytes(
                f"{path}#{i}", json.dumps(cell).encode(), CANARIES["solution"]
            )
            assert not hits or i in inside, hits
    assert (
        "https://colab.research.google.com/github/lmbook/lmbook/blob/main/colab/book/ch09/9-1-demo.ipynb"
        in demo
    )


# ---------------------------------------------------------------------------- otter round trip


@pytest.mark.slow
@pytest.mark.parametrize("name", ["tour", "ch09/9-1-demo"])
def test_round_trip_full_marks_and_zero(
    book: tuple[Path, list[Path]], tmp_path: Path, name: str
) -> None:
    from booktools.grading import assign, filled_in, grade, roundtrip

    root, _ = book
    path = root / "book" / f"{name}.ipynb"
    scores = roundtrip(path, tmp_path)
    solution, blank = scores["solution"], scores["blank"]
    assert solution.possible > 0 and solution.total == solution.possible, solution
    assert blank.total == 0 and blank.possible == solution.possible, blank
    if name == "tour":
        return
    # a half-done submission: one right answer, one answer cell that raises, still graded
    made = assign(path, tmp_path / "again")
    nb = filled_in(made.student, path)
    answers = [c for c in nb.cells if "otter_answer_cell" in c.metadata.get("tags", [])]
    answers[1].source = "biggest = 1 / 0"
    nbformat.write(nb, tmp_path / "half.ipynb")
    half = grade(made.autograder, tmp_path / "half.ipynb")
    assert half.by_question["ex-9-1-1"] == (3.0, 3.0) and half.by_question["ex-9-1-2"][0] == 0


SAMPLE = [ROOT / "book" / "tour.ipynb", *sorted((ROOT / "book" / "ch02").glob("2-*.ipynb"))]


@pytest.mark.slow
@pytest.mark.parametrize("path", SAMPLE, ids=[p.stem for p in SAMPLE])
def test_round_trip_on_the_book_sample(path: Path, tmp_path: Path) -> None:
    """make test's sample: chapter 2 and the tour (python -m booktools.grading roundtrip NB…
    runs it on any chapter)."""
    from booktools.grading import roundtrip

    scores = roundtrip(path, tmp_path)
    assert scores["solution"].total == scores["solution"].possible > 0, scores["solution"]
    assert scores["blank"].total == 0, scores["blank"]
