"""Autograding with otter-grader 7: the book's exercises as an otter assignment, per section.

The book's notebooks are not written in otter's markup; :func:`otter_source` translates one
section (``booktools.exercises`` format + its hidden checks) into an otter-assign notebook:

- each exercise becomes a question named by its label: a code exercise is autograded (its
  public check cells and its hidden checks are the test cases, one point each), a written one
  (``:class: written``) is a manual question (graded by hand);
- a solution code cell becomes ``# BEGIN SOLUTION … # END SOLUTION`` (otter leaves ``...``);
- every markdown cell is rewritten as plain markdown (:mod:`booktools.plainmd`): the student
  notebook reads well in Colab too.

:func:`assign` runs ``otter assign`` on it and returns the student notebook (scrubbed: an
allow-list of metadata, no outputs, otter's public tests only, an init cell that also works in
Colab) and the autograder zip. :func:`grade` runs ``otter run`` (local, no Docker).
``python -m booktools.grading roundtrip NB ...`` checks that the reference solutions score full
marks and the blank student notebook scores 0 without crashing the grader.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

from booktools.exercises import (
    SOLUTION_HEADER,
    hidden_checks_path,
    parse_exercises,
    read_hidden_checks,
    scrub_metadata,
)
from booktools.plainmd import Bibliography, to_plain

__all__ = [
    "MANUAL_NOTE",
    "OTTER_VERSION",
    "Assignment",
    "assign",
    "grade",
    "otter_source",
    "plain_markdown",
    "roundtrip",
]

ROOT = Path(__file__).resolve().parents[1]
OTTER_VERSION = "7.0.0"
MANUAL_NOTE = "（书面题，人工评分）"
ANSWER_PROMPT = "# 在这里写你的解答"
MANUAL_PLACEHOLDER = "_在这里写下你的解答（本题由教师人工评分）。_"
INIT_CELL = f"""\
# 初始化自动评分（otter-grader）：在 Colab 中先安装它，本地已安装时直接导入。
try:
    import otter
except ImportError:
    get_ipython().run_line_magic("pip", "install -q otter-grader=={OTTER_VERSION}")
    import otter
grader = otter.Notebook()"""


def _note(directive) -> str:
    return MANUAL_NOTE if "written" in directive.classes else ""


def plain_markdown(source: str, bib: Bibliography, cited: list[str] | None = None) -> str:
    """A markdown cell for an edition without MyST (student notebook, Colab)."""
    return to_plain(source, bib, cited=cited, exercise_note=_note)


def _raw(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_raw_cell(text)


def _solution_code(source: str) -> str:
    body = (
        source.split("\n", 1)[1] if source.split("\n", 1)[0].strip() == SOLUTION_HEADER else source
    )
    if "# BEGIN SOLUTION" in body or "# SOLUTION" in body:  # the author placed otter markers
        return body
    return f"{ANSWER_PROMPT}\n# BEGIN SOLUTION\n{body.strip()}\n# END SOLUTION"


def otter_source(
    nb: nbformat.NotebookNode,
    name: str,
    hidden: dict[str, list[str]],
    bib: Bibliography | None = None,
    *,
    fresh: bool = True,
) -> nbformat.NotebookNode:
    """The otter-assign notebook of one section (see the module docstring).

    Solution cells are new cells holding only the code (``fresh``); ``fresh=False`` copies the
    book's cells, metadata, attachments and outputs included, as a naive converter would (the
    leak tests' negative control: otter keeps such metadata on the student's stub).
    """
    bib = bib or Bibliography()
    exercises = parse_exercises(nb)
    by_cell = {ex.cell: ex for ex in exercises}
    skip = {i for ex in exercises for i in (*ex.solution_cells, *ex.checks)}
    config = {
        "name": name,
        "init_cell": True,
        "check_all_cell": False,
        "export_cell": False,
        "run_tests": False,
        "generate": True,
        "tests": {"files": False, "ok_format": True},
        "solutions_pdf": False,
    }
    cells = [_raw("# ASSIGNMENT CONFIG\n" + yaml.safe_dump(config, allow_unicode=True))]
    for i, cell in enumerate(nb.cells):
        if i in skip:
            continue
        ex = by_cell.get(i)
        if ex is None:
            new = copy.deepcopy(cell)
            if new.cell_type == "markdown":
                new.source = plain_markdown(new.source, bib)
            if new.cell_type == "code":
                new.outputs, new.execution_count = [], None
            cells.append(new)
            continue
        public = [
            nb.cells[j].source.split("\n", 1)[1] for j in ex.checks if "\n" in nb.cells[j].source
        ]
        public = [c for c in public if c.strip()]
        secret = hidden.get(ex.label, [])
        question = {"name": ex.label}
        if ex.written:
            question |= {"manual": True, "points": 1}
        else:
            question |= {"points": max(1, len(public) + len(secret))}
        cells.append(_raw("# BEGIN QUESTION\n" + yaml.safe_dump(question, allow_unicode=True)))
        cells.append(nbformat.v4.new_markdown_cell(plain_markdown(nb.cells[i].source, bib)))
        cells.append(_raw("# BEGIN SOLUTION"))
        if ex.written:
            answer = plain_markdown(ex.solution_text, bib)
            cells.append(nbformat.v4.new_markdown_cell(answer or "…"))
        for j in ex.solution_code:
            cell = nbformat.v4.new_code_cell() if fresh else copy.deepcopy(nb.cells[j])
            cell.source = _solution_code(nb.cells[j].source)
            cells.append(cell)
        cells.append(_raw("# END SOLUTION"))
        if not ex.written and (public or secret):
            cells.append(_raw("# BEGIN TESTS"))
            cells += [nbformat.v4.new_code_cell(code) for code in public]
            cells += [nbformat.v4.new_code_cell(f"# HIDDEN\n{code}") for code in secret]
            cells.append(_raw("# END TESTS"))
        cells.append(_raw("# END QUESTION"))
    out = nbformat.v4.new_notebook(cells=cells)
    out.metadata = {
        k: copy.deepcopy(v) for k, v in nb.metadata.items() if k in ("kernelspec", "language_info")
    }
    out.metadata.setdefault(
        "kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"}
    )
    return out


@dataclass
class Assignment:
    """What :func:`assign` made for one section."""

    student: nbformat.NotebookNode
    autograder: Path
    source: nbformat.NotebookNode
    manual: list[tuple[str, str, str]]  # (label, prompt, reference answer) of written exercises


def _scrub_student(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Otter's student notebook, hardened: init cell, outputs, metadata, public tests only."""
    otter_meta = copy.deepcopy(nb.metadata.get("otter", {}))
    for test in otter_meta.get("tests", {}).values():
        for suite in test.get("suites", []):
            suite["cases"] = [c for c in suite.get("cases", []) if not c.get("hidden")]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            if cell.source.startswith("# Initialize Otter"):
                cell.source = INIT_CELL
        if (
            cell.cell_type == "markdown"
            and "_Type your answer here, replacing this text._" in cell.source
        ):
            cell.source = cell.source.replace(
                "_Type your answer here, replacing this text._", MANUAL_PLACEHOLDER
            )
            cell.pop("attachments", None)
        tags = [t for t in cell.metadata.get("tags", []) if t.startswith("otter_")]
        if tags:
            cell.metadata["tags"] = tags
        else:
            cell.metadata.pop("tags", None)
    scrub_metadata(nb)
    nb.metadata.pop("widgets", None)
    nb.metadata["otter"] = otter_meta
    return nb


@contextlib.contextmanager
def _quiet():
    """otter prints progress and warnings to stdout; keep them out of our output."""
    with open(os.devnull, "w") as null, contextlib.redirect_stdout(null):
        yield


def assign(
    notebook: Path,
    workdir: Path,
    *,
    hidden: dict[str, list[str]] | None = None,
    bib: Bibliography | None = None,
    scrub: bool = True,
) -> Assignment:
    """Run otter assign on ``notebook`` in ``workdir``; the student notebook and autograder.

    ``scrub=False`` (negative control of the leak tests only) feeds otter copies of the solution
    cells and keeps otter's student notebook as it is.
    """
    from otter.assign import main as otter_assign

    notebook = Path(notebook)
    nb = nbformat.read(notebook, as_version=4)
    hidden = read_hidden_checks(hidden_checks_path(notebook)) if hidden is None else hidden
    bib = bib or Bibliography(ROOT / "book" / "references.bib")
    source = otter_source(nb, notebook.stem, hidden, bib, fresh=scrub)
    workdir = Path(workdir)
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    master = workdir / notebook.name
    nbformat.write(source, master)
    dist = workdir / "dist"
    with _quiet():
        otter_assign(str(master), str(dist), no_pdfs=True, no_run_tests=True)
    zips = sorted((dist / "autograder").glob("*.zip"))
    if len(zips) != 1:
        raise RuntimeError(f"otter assign made {len(zips)} autograder zips in {dist}")
    autograder = workdir / "autograder.zip"
    zips[0].rename(autograder)
    student = nbformat.read(dist / "student" / notebook.name, as_version=4)
    student = _scrub_student(student) if scrub else student
    manual = [
        (
            ex.label,
            plain_markdown(nb.cells[ex.cell].source, bib),
            plain_markdown(ex.solution_text, bib),
        )
        for ex in parse_exercises(nb)
        if ex.written
    ]
    return Assignment(student, autograder, source, manual)


@dataclass
class Score:
    total: float
    possible: float
    by_question: dict[str, tuple[float, float]]


def grade(autograder: Path, submission: Path, timeout_s: int = 1800) -> Score:
    """``otter run`` (no Docker) of one submission notebook; the scores it gives."""
    import subprocess

    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            sys.executable, "-m", "otter", "run", "-a", str(Path(autograder).resolve()),
            "-o", tmp, "--no-logo", str(Path(submission).resolve()),
        ]  # fmt: skip
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, cwd=tmp)
        results = Path(tmp) / "results.json"
        if done.returncode != 0 or not results.is_file():
            tail = f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            raise RuntimeError(f"otter run failed ({done.returncode}):\n{tail}")
        data = json.loads(results.read_text(encoding="utf-8"))
    by_question = {
        t["name"]: (float(t.get("score") or 0), float(t["max_score"]))
        for t in data["tests"]
        if t.get("max_score") is not None
    }
    return Score(
        sum(s for s, _ in by_question.values()),
        sum(m for _, m in by_question.values()),
        by_question,
    )


def filled_in(student: nbformat.NotebookNode, notebook: Path) -> nbformat.NotebookNode:
    """The student notebook with every answer cell holding the book's reference solution.

    That is the reference solution handed in the way students hand theirs in (same init cell,
    same check cells, same assignment name).
    """
    nb = nbformat.read(notebook, as_version=4)
    answers: list[str] = []
    for ex in parse_exercises(nb):
        if ex.written:
            answers.append(ex.solution_text)
        for j in ex.solution_code:
            src = nb.cells[j].source
            answers.append(
                src.split("\n", 1)[1] if src.split("\n", 1)[0].strip() == SOLUTION_HEADER else src
            )
    out = copy.deepcopy(student)
    cells = [c for c in out.cells if "otter_answer_cell" in c.metadata.get("tags", [])]
    if len(cells) != len(answers):
        raise RuntimeError(f"{len(cells)} answer cells for {len(answers)} reference answers")
    for cell, answer in zip(cells, answers, strict=True):
        cell.source = answer
    return out


def roundtrip(notebook: Path, workdir: Path) -> dict[str, Score]:
    """Grade the reference solution and the blank student notebook of ``notebook``."""
    workdir = Path(workdir)
    made = assign(notebook, workdir / "assign")
    solution = workdir / "solution" / Path(notebook).name
    blank = workdir / "blank" / Path(notebook).name
    for path, nb in ((solution, filled_in(made.student, notebook)), (blank, made.student)):
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
    return {"solution": grade(made.autograder, solution), "blank": grade(made.autograder, blank)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="otter-grader round trip of the book's exercises")
    sub = parser.add_subparsers(dest="command", required=True)
    rt = sub.add_parser("roundtrip", help="solutions score full marks, blank notebooks 0")
    rt.add_argument("notebooks", nargs="+", type=Path)
    rt.add_argument("--workdir", type=Path, default=ROOT / "_build" / "roundtrip")
    gr = sub.add_parser("grade", help="grade one submission with a section's autograder.zip")
    gr.add_argument("autograder", type=Path)
    gr.add_argument("submission", type=Path)
    args = parser.parse_args(argv)
    if args.command == "grade":
        score = grade(args.autograder, args.submission)
        for q, (s, m) in score.by_question.items():
            print(f"{q}: {s:g} / {m:g}")
        print(f"total: {score.total:g} / {score.possible:g}")
        return 0
    failed = 0
    for path in args.notebooks:
        scores = roundtrip(path, args.workdir / path.stem)
        sol, blank = scores["solution"], scores["blank"]
        ok = sol.possible > 0 and sol.total == sol.possible and blank.total == 0
        failed += not ok
        print(
            f"{'ok  ' if ok else 'FAIL'} {path}: solution {sol.total:g}/{sol.possible:g}, "
            f"blank {blank.total:g}/{blank.possible:g}"
        )
        if not ok:
            for q, (s, m) in sol.by_question.items():
                got = blank.by_question.get(q, (0, m))[0]
                print(f"      {q}: solution {s:g}/{m:g}, blank {got:g}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
