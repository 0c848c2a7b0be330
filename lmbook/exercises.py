"""Student editions: the book's notebooks without the solutions to their exercises.

Solutions are written as sphinx-exercise blocks: either a ``{solution}`` directive in one
markdown cell, or gated ``{solution-start}`` … ``{solution-end}`` cells around executable code.
``strip_solutions`` removes both kinds; ``python -m lmbook.exercises OUT`` writes a copy of the
whole book (config, outline, pages) with every solution removed, ready for ``jupyter-book build``.
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

import nbformat

__all__ = ["make_student_edition", "strip_solutions"]

_START = re.compile(r"^```\{solution-start\}", re.M)
_END = re.compile(r"^```\{solution-end\}", re.M)
_SINGLE = re.compile(r"^```\{solution\}.*?^```\s*$", re.M | re.S)


def strip_solutions(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, int]:
    """Return a copy of ``nb`` without solution cells, and how many solutions were removed."""
    out = nbformat.from_dict(nb)
    kept, removed, inside = [], 0, False
    for cell in out.cells:
        is_md = cell.cell_type == "markdown"
        if is_md and _START.search(cell.source):
            if inside:
                raise ValueError("a {solution-start} block is opened twice without {solution-end}")
            inside, removed = True, removed + 1
            continue
        if is_md and _END.search(cell.source):
            if not inside:
                raise ValueError("{solution-end} without a matching {solution-start}")
            inside = False
            continue
        if inside:
            continue
        if is_md and _SINGLE.search(cell.source):
            cell.source, n = _SINGLE.subn("", cell.source)
            removed += n
            if not cell.source.strip():
                continue
        kept.append(cell)
    if inside:
        raise ValueError("a {solution-start} block is never closed with {solution-end}")
    out.cells = kept
    return out, removed


def make_student_edition(book_root: Path, out: Path) -> int:
    """Copy the book at ``book_root`` to ``out`` with every solution removed; return the count."""
    book_root, out = Path(book_root), Path(out)
    if out.resolve() == book_root.resolve():
        raise ValueError("the student edition must go to another folder than the book itself")
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(book_root / "book", out / "book", ignore=shutil.ignore_patterns(".ipynb_*"))
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(book_root / name, out / name)
    total = 0
    for path in sorted((out / "book").rglob("*.ipynb")):
        nb, removed = strip_solutions(nbformat.read(path, as_version=4))
        nbformat.write(nb, path)
        total += removed
    return total


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a student edition of the book.")
    parser.add_argument("out", type=Path, help="folder for the student edition")
    parser.add_argument("--book", type=Path, default=Path.cwd(), help="book root (has _toc.yml)")
    args = parser.parse_args(argv)
    removed = make_student_edition(args.book, args.out)
    print(f"student edition in {args.out}: {removed} solution(s) removed")


if __name__ == "__main__":
    main()
