"""The editions of the book, each made by one command (the Makefile's targets call these).

- ``python -m booktools.editions student OUT`` (``make student``): what students receive —
  ``OUT/notebooks/<path>.ipynb`` (otter student notebooks: no solutions, no hidden checks, no
  outputs, metadata by allow-list; they run in JupyterLab and Colab), the same as
  ``OUT/student-notebooks.zip``, and ``OUT/book/``, a copy of the book without solutions for
  ``jupyter-book build`` (an HTML book without solutions). It checks its own output: no line of
  any solution or hidden check may appear in it.
- ``python -m booktools.editions instructor OUT`` (``make instructor``): per section
  ``OUT/<path>/autograder.zip`` (otter; ``otter run -a autograder.zip submission.ipynb`` grades
  locally), ``solutions.ipynb`` (the book's notebook with outputs), ``hidden-checks.py``,
  ``otter-source.ipynb`` and ``written.md`` (hand-graded exercises with reference answers).
- ``python -m booktools.editions colab [OUT]`` (``make colab``): the Colab edition into
  ``colab/`` (:mod:`booktools.colab`), committed so the book's Colab button opens it.

Every command takes the notebooks of ``_toc.yml`` unless notebooks are named with ``--notebooks``
(and ``--book ROOT`` for another book root).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import zipfile
from pathlib import Path

import nbformat

from booktools import leaks
from booktools.colab import COLAB_DIR, colab_notebook
from booktools.exercises import (
    _toc_notebooks,
    hidden_checks_path,
    parse_exercises,
    read_hidden_checks,
    strip_solutions,
)
from booktools.plainmd import Bibliography

__all__ = ["build_colab", "build_instructor", "build_student", "secrets_of"]

ROOT = Path(__file__).resolve().parents[1]


def _bib(root: Path) -> Bibliography:
    return Bibliography(root / "book" / "references.bib")


def _rel(path: Path, root: Path) -> Path:
    return Path(path).resolve().relative_to(Path(root).resolve())


def secrets_of(notebook: Path, root: Path = ROOT, grading: Path | None = None) -> list[str]:
    """The lines a student edition must not contain: solution code and prose, hidden checks.

    Lines that also occur outside the solutions (``plt.show()``, blank lines, short ones) are
    left out: they give nothing away.
    """
    nb = nbformat.read(notebook, as_version=4)
    exercises = parse_exercises(nb)
    inside = {i for ex in exercises for i in ex.solution_cells}
    public = {
        line.strip()
        for i, c in enumerate(nb.cells)
        if i not in inside
        for line in c.source.split("\n")
    }
    found: list[str] = []
    texts = [nb.cells[i].source for i in sorted(inside)]
    texts += [
        c
        for cases in read_hidden_checks(hidden_checks_path(notebook, root, grading)).values()
        for c in cases
    ]
    for text in texts:
        for line in text.split("\n"):
            line = line.strip()
            if (
                len(line) >= 16
                and line not in public
                and not line.startswith(("```", ":"))
                and line not in found
            ):
                found.append(line)
    return found


def build_student(
    out: Path,
    notebooks: list[Path],
    root: Path = ROOT,
    *,
    grading: Path | None = None,
    scrub: bool = True,
    work: Path | None = None,
) -> list[Path]:
    """Write the student edition of ``notebooks`` to ``out``; return the notebooks written.

    ``scrub=False`` exists only for the leak tests' negative control: it skips every scrub (otter
    gets copies of the solution cells and its output is kept as it is; the HTML copy keeps its
    solutions) and the self-check.
    """
    from booktools.grading import assign

    out, root = Path(out), Path(root)
    if out.resolve() == root.resolve() or root.resolve().is_relative_to(out.resolve()):
        raise ValueError("the student edition must go to another folder than the book itself")
    if out.exists():
        shutil.rmtree(out)
    work = Path(work) if work is not None else out.parent / f".{out.name}-work"
    written: list[Path] = []
    for path in notebooks:
        rel = _rel(path, root)
        target = (
            out / "notebooks" / rel.relative_to("book")
            if rel.parts[0] == "book"
            else out / "notebooks" / rel
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        hidden = read_hidden_checks(hidden_checks_path(path, root, grading))
        if parse_exercises(nbformat.read(path, as_version=4)):
            made = assign(
                path, work / rel.with_suffix(""), hidden=hidden, bib=_bib(root), scrub=scrub
            )
            nbformat.write(made.student, target)
        else:
            nb, _ = strip_solutions(nbformat.read(path, as_version=4))
            nbformat.write(nb, target)
        written.append(target)
    with zipfile.ZipFile(out / "student-notebooks.zip", "w", zipfile.ZIP_DEFLATED) as z:
        for target in written:
            z.write(target, target.relative_to(out / "notebooks"))
    # the HTML book without solutions: a copy of the book whose notebooks have none
    book = out / "book"
    shutil.copytree(root / "book", book / "book", ignore=shutil.ignore_patterns(".ipynb_*"))
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(root / name, book / name)
    for path in sorted((book / "book").rglob("*.ipynb")):
        if scrub:
            nb, _ = strip_solutions(nbformat.read(path, as_version=4))
            nbformat.write(nb, path)
    if work.exists():
        shutil.rmtree(work)
    if scrub:
        needles = [s for path in notebooks for s in secrets_of(path, root, grading)]
        hits = leaks.find(out, needles)
        if hits:
            raise RuntimeError(
                "the student edition contains solution lines:\n" + "\n".join(hits[:20])
            )
    return written


def build_instructor(
    out: Path, notebooks: list[Path], root: Path = ROOT, *, grading: Path | None = None
) -> list[Path]:
    """Write the instructor pack of ``notebooks`` to ``out``; return the autograder zips."""
    from booktools.grading import OTTER_VERSION, assign

    out, root = Path(out), Path(root)
    if out.exists():
        shutil.rmtree(out)
    zips = []
    rows = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        if not parse_exercises(nb):
            continue
        rel = _rel(path, root).with_suffix("")
        folder = out / (rel.relative_to("book") if rel.parts[0] == "book" else rel)
        sidecar = hidden_checks_path(path, root, grading)
        made = assign(path, folder / "_otter", hidden=read_hidden_checks(sidecar), bib=_bib(root))
        folder.mkdir(parents=True, exist_ok=True)
        shutil.move(made.autograder, folder / "autograder.zip")
        shutil.rmtree(folder / "_otter")
        shutil.copy2(path, folder / "solutions.ipynb")
        if sidecar.is_file():
            shutil.copy2(sidecar, folder / "hidden-checks.py")
        nbformat.write(made.source, folder / "otter-source.ipynb")
        if made.manual:
            text = [f"# {path.stem}：书面题（人工评分）\n"]
            for label, prompt, answer in made.manual:
                text.append(f"## {label}\n\n{prompt}\n\n**参考答案**\n\n{answer}\n")
            (folder / "written.md").write_text("\n".join(text), encoding="utf-8")
        zips.append(folder / "autograder.zip")
        auto = [ex.label for ex in parse_exercises(nb) if not ex.written]
        hand = [label for label, _, _ in made.manual]
        rows.append(
            f"| `{folder.relative_to(out)}` | {', '.join(auto) or '—'} | {', '.join(hand) or '—'} |"
        )
    readme = (
        f"""# 教师包（instructor pack）

每一节一个文件夹：`autograder.zip`（otter-grader {OTTER_VERSION} 的自动评分器，含公开与隐藏检查）、
`solutions.ipynb`（参考解答，含输出）、`hidden-checks.py`（隐藏检查）、`otter-source.ipynb`
（`otter assign` 的输入）、`written.md`（书面题的参考答案，人工评分）。

本地评分（不需要 Docker，与书同一个 Python 环境）：

    otter run -a <节>/autograder.zip -o results/ 学生提交的.ipynb
    python -m booktools.grading grade <节>/autograder.zip 学生提交的.ipynb

| 节 | 自动评分 | 人工评分 |
| --- | --- | --- |
"""
        + "\n".join(rows)
        + "\n"
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / "README.md").write_text(readme, encoding="utf-8")
    return zips


def build_colab(out: Path, notebooks: list[Path], root: Path = ROOT) -> list[Path]:
    """Write the Colab edition of ``notebooks`` under ``out`` (same paths as in the book)."""
    out, root = Path(out), Path(root)
    bib = _bib(root)
    written = []
    for path in notebooks:
        target = out / _rel(path, root)
        target.parent.mkdir(parents=True, exist_ok=True)
        nb = colab_notebook(nbformat.read(path, as_version=4), bib)
        nbformat.write(nb, target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build an edition of the book.")
    parser.add_argument("edition", choices=["student", "instructor", "colab"])
    parser.add_argument("out", type=Path, nargs="?", help="output folder")
    parser.add_argument("--book", type=Path, default=ROOT, help="book root (has _toc.yml)")
    parser.add_argument(
        "--notebooks", type=Path, nargs="+", help="default: every notebook of _toc.yml"
    )
    parser.add_argument(
        "--grading", type=Path, help="folder of hidden checks (default BOOK/grading)"
    )
    args = parser.parse_args(argv)
    root = args.book.resolve()
    notebooks = [p.resolve() for p in args.notebooks] if args.notebooks else _toc_notebooks(root)
    if args.edition == "student":
        out = args.out or root / "_build" / "student"
        written = build_student(out, notebooks, root, grading=args.grading)
        print(f"student edition in {out}: {len(written)} notebook(s), student-notebooks.zip, book/")
    elif args.edition == "instructor":
        out = args.out or root / "_build" / "instructor"
        zips = build_instructor(out, notebooks, root, grading=args.grading)
        print(f"instructor pack in {out}: {len(zips)} autograder(s)")
    else:
        out = args.out or root / COLAB_DIR
        written = build_colab(out, notebooks, root)
        print(f"Colab edition in {out}: {len(written)} notebook(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
