"""The book's exercise format: parse it, check it, strip solutions, convert the old form.

One exercise in a chapter notebook (``docs/notebooks.md``, "练习"), cell by cell::

    [markdown]  ```{exercise}                 the prompt (sphinx-exercise; jupyterlab-myst)
                :label: ex-2-1-1               ex-<chapter>-<section>-<n>, ex-tour-<n> in the tour
                                               (+ ":class: written" for a hand-graded exercise)
                题目……把结果存进 `posterior`。
                ```
    [markdown]  ```{solution-start} ex-2-1-1   the dropdown; its body is the solution's prose
                :class: dropdown

                解答说明……
                ```
    [code]      # 解答                          0+ code cells (a written exercise has none),
                ...                            metadata jupyter.source_hidden / outputs_hidden
    [markdown]  ```{solution-end}
                ```
    [code]      # 检查 ex-2-1-1                 1+ public checks (asserts, no output) for a code
                assert isinstance(posterior, dict)   exercise; students run them for feedback

and the hidden checks, which the instructor keeps, in ``grading/<chapter>/<section>.py`` beside
the book (never published): blocks headed ``# %% ex-2-1-1``, one test case each.

``python -m booktools.exercises check [NB ...]`` reports what breaks the rules;
``python -m booktools.exercises migrate NB ...`` rewrites the previous form (prose inside the
gate, asserts inside the solution) into this one and writes the hidden-check files.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from booktools.plainmd import Directive, parse_blocks

__all__ = [
    "CHECK_HEADER",
    "HIDDEN_HEADER",
    "SOLUTION_HEADER",
    "SOLUTION_METADATA",
    "Exercise",
    "FormatError",
    "book_root",
    "check_format",
    "hidden_checks_path",
    "migrate",
    "parse_exercises",
    "read_hidden_checks",
    "solution_cell_indices",
    "strip_solutions",
    "write_hidden_checks",
]

ROOT = Path(__file__).resolve().parents[1]
SOLUTION_HEADER = "# 解答"
CHECK_HEADER = re.compile(r"^#\s*检查\s+(?P<label>ex-[\w-]+)\s*$")
HIDDEN_HEADER = re.compile(r"^#\s*%%\s+(?P<label>ex-[\w-]+)\s*$")
SOLUTION_METADATA = {"source_hidden": True, "outputs_hidden": True}
LABEL = re.compile(r"^ex-(?:tour|\d+-\d+|a-\d+)-\d+$")  # a-<n>: appendix A's sections


class FormatError(ValueError):
    """The exercises of a notebook cannot be parsed (unbalanced or misplaced gates)."""


@dataclass
class Exercise:
    """One exercise, located by cell indices in its notebook."""

    label: str
    cell: int
    directive: Directive
    start: int | None = None
    end: int | None = None
    solution_text: str = ""
    solution_code: list[int] = field(default_factory=list)
    solution_markdown: list[int] = field(default_factory=list)
    checks: list[int] = field(default_factory=list)

    @property
    def written(self) -> bool:
        """A written (reasoning, derivation) exercise: graded by hand, no checks."""
        return "written" in self.directive.classes

    @property
    def prompt(self) -> str:
        return self.directive.body

    @property
    def solution_cells(self) -> list[int]:
        """Every cell of the gated solution block, markers included."""
        if self.start is None:
            return []
        return list(range(self.start, (self.end if self.end is not None else self.start) + 1))


def _directives(cell: nbformat.NotebookNode) -> list[Directive]:
    if cell.cell_type != "markdown":
        return []
    return [b for b in parse_blocks(cell.source) if isinstance(b, Directive)]


def _only(cell: nbformat.NotebookNode, name: str) -> Directive | None:
    """The directive ``name`` if it is the cell's only content, else None."""
    blocks = parse_blocks(cell.source) if cell.cell_type == "markdown" else []
    blocks = [b for b in blocks if not (isinstance(b, str) and not b.strip())]
    if len(blocks) == 1 and isinstance(blocks[0], Directive) and blocks[0].name == name:
        return blocks[0]
    return None


def _has(cell: nbformat.NotebookNode, name: str) -> Directive | None:
    return next((d for d in _directives(cell) if d.name == name), None)


def check_label(cell: nbformat.NotebookNode) -> str | None:
    """The label of a public check cell (first line ``# 检查 <label>``), else None."""
    if cell.cell_type != "code":
        return None
    m = CHECK_HEADER.match(cell.source.split("\n", 1)[0])
    return m["label"] if m else None


def parse_exercises(nb: nbformat.NotebookNode) -> list[Exercise]:
    """The notebook's exercises in order (old and new forms alike); FormatError if unbalanced."""
    exercises: list[Exercise] = []
    by_label: dict[str, Exercise] = {}
    current: Exercise | None = None  # inside its solution gate
    for i, cell in enumerate(nb.cells):
        ex_dir = _has(cell, "exercise")
        start = _has(cell, "solution-start")
        end = _has(cell, "solution-end")
        if ex_dir is not None:
            if current is not None:
                raise FormatError(f"cell {i}: an exercise inside the solution of {current.label}")
            label = ex_dir.options.get("label", "")
            if not label:
                raise FormatError(f"cell {i}: an exercise without :label:")
            if label in by_label:
                raise FormatError(f"cell {i}: exercise label {label} used twice")
            by_label[label] = Exercise(label, i, ex_dir)
            exercises.append(by_label[label])
        if start is not None:
            if current is not None:
                raise FormatError(
                    f"cell {i}: solution-start inside the solution of {current.label}"
                )
            label = start.argument.strip()
            if label not in by_label:
                raise FormatError(f"cell {i}: solution-start for unknown exercise {label!r}")
            current = by_label[label]
            if current.start is not None:
                raise FormatError(f"cell {i}: a second solution for {label}")
            current.start, current.solution_text = i, start.body
            if end is not None:  # start and end in the same cell
                current.end, current = i, None
            continue
        if end is not None:
            if current is None:
                raise FormatError(f"cell {i}: solution-end without solution-start")
            current.end = i
            if cell.source.split("```{solution-end}")[0].strip():  # old form: prose, then end
                current.solution_markdown.append(i)
            current = None
            continue
        if current is not None:
            (
                current.solution_code if cell.cell_type == "code" else current.solution_markdown
            ).append(i)
            continue
        label = check_label(cell)
        if label is not None:
            if label not in by_label:
                raise FormatError(f"cell {i}: check for unknown exercise {label!r}")
            by_label[label].checks.append(i)
    if current is not None:
        raise FormatError(f"the solution of {current.label} has no solution-end")
    return exercises


def solution_cell_indices(nb: nbformat.NotebookNode) -> set[int]:
    """Indices of every cell that belongs to a solution (gates included)."""
    return {i for ex in parse_exercises(nb) for i in ex.solution_cells}


# Cell metadata that may stay in an edition (everything else is dropped: an allow-list).
KEEP_CELL_METADATA = {"tags", "editable", "deletable", "collapsed", "scrolled"}
KEEP_NOTEBOOK_METADATA = {"kernelspec", "language_info", "widgets", "colab"}


def _widget_ids(obj: object) -> set[str]:
    text = json.dumps(obj)
    return set(re.findall(r"IPY_MODEL_([0-9a-f]{8,})", text)) | set(
        re.findall(r'"model_id":\s*"([0-9a-f]{8,})"', text)
    )


def scrub_metadata(nb: nbformat.NotebookNode) -> None:
    """Keep only allow-listed notebook and cell metadata; keep only widget state still shown."""
    for key in list(nb.metadata):
        if key not in KEEP_NOTEBOOK_METADATA:
            del nb.metadata[key]
    for cell in nb.cells:
        for key in list(cell.metadata):
            if key not in KEEP_CELL_METADATA:
                del cell.metadata[key]
    widgets = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json")
    if widgets is None:
        nb.metadata.pop("widgets", None)
        return
    state = widgets.get("state", {})
    wanted = _widget_ids([c.get("outputs", []) for c in nb.cells if c.cell_type == "code"])
    keep: set[str] = set()
    while wanted - keep:  # models reachable from the outputs that remain
        new = {m for m in wanted - keep if m in state}
        keep |= wanted
        wanted = keep | {r for m in new for r in _widget_ids(state[m])}
    widgets["state"] = {k: v for k, v in state.items() if k in keep}
    if not widgets["state"]:
        nb.metadata.pop("widgets", None)


def strip_solutions(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, int]:
    """A copy of ``nb`` without any solution cell (gates included) and with scrubbed metadata.

    The exercises and their public checks stay. Returns the copy and how many solutions went.
    """
    out = copy.deepcopy(nb)
    exercises = parse_exercises(out)
    drop = {i for ex in exercises for i in ex.solution_cells}
    out.cells = [c for i, c in enumerate(out.cells) if i not in drop]
    for cell in out.cells:
        if check_label(cell):
            cell.outputs, cell.execution_count = [], None
    scrub_metadata(out)
    return out, sum(1 for ex in exercises if ex.start is not None)


# ---------------------------------------------------------------------------- hidden checks


def book_root(path: Path) -> Path:
    """The book root of a notebook: the nearest folder above it with a ``_toc.yml``."""
    for folder in Path(path).resolve().parents:
        if (folder / "_toc.yml").is_file():
            return folder
    return ROOT


def hidden_checks_path(
    notebook: Path, root: Path | None = None, grading: Path | None = None
) -> Path:
    """``book/ch02/2-1-x.ipynb`` → ``grading/ch02/2-1-x.py`` beside ``book/``.

    ``root`` is the book root (default: found from the notebook), ``grading`` the folder of
    hidden checks (default: ``root/grading``).
    """
    notebook = Path(notebook).resolve()
    root = Path(root).resolve() if root is not None else book_root(notebook)
    grading = Path(grading) if grading is not None else root / "grading"
    try:
        rel = notebook.relative_to(root / "book")
    except ValueError:
        rel = Path(notebook.name)
    return grading / rel.with_suffix(".py")


def read_hidden_checks(path: Path) -> dict[str, list[str]]:
    """The hidden test cases of a notebook: ``{label: [code, ...]}``, one ``# %% <label>`` each."""
    checks: dict[str, list[str]] = {}
    if not Path(path).is_file():
        return checks
    label, lines = None, []

    def flush() -> None:
        if label is not None and "\n".join(lines).strip():
            checks.setdefault(label, []).append("\n".join(lines).strip("\n"))

    for line in Path(path).read_text(encoding="utf-8").split("\n"):
        m = HIDDEN_HEADER.match(line)
        if m:
            flush()
            label, lines = m["label"], []
        elif label is not None:
            lines.append(line)
    flush()
    return checks


def write_hidden_checks(path: Path, notebook: str, checks: dict[str, list[str]]) -> None:
    """Write ``checks`` in the ``# %% <label>`` format read by :func:`read_hidden_checks`."""
    parts = [
        f'"""Hidden checks of {notebook}.\n\nThe instructor keeps them: never in the book or the '
        "student edition;\nbooktools.grading puts them into the autograder (one test case per "
        'block)."""\n'
    ]
    for label, cases in checks.items():
        for case in cases:
            parts.append(f"# %% {label}\n{case.strip()}\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(parts[0] + "\n" + "\n".join(parts[1:]), encoding="utf-8")


# ---------------------------------------------------------------------------- the rules


def _expected_prefix(path: Path) -> str | None:
    if path.stem == "tour":
        return "ex-tour-"
    m = re.match(r"(\d+|a)-(\d+)-", path.name)  # 2-1-probability, a-1-frameworks
    return f"ex-{m[1]}-{m[2]}-" if m else None


def _shown(path: Path) -> str:
    path = Path(path).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def check_format(
    nb: nbformat.NotebookNode, path: Path, hidden: dict[str, list[str]] | None = None
) -> list[str]:
    """Everything in ``nb`` (at ``path``) that breaks the exercise rules; [] when it is fine.

    ``hidden`` are its hidden checks (default: read from :func:`hidden_checks_path`).
    """
    path = Path(path)
    hidden = read_hidden_checks(hidden_checks_path(path)) if hidden is None else hidden
    try:
        exercises = parse_exercises(nb)
    except FormatError as e:
        return [str(e)]
    problems: list[str] = []
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    heading = next(
        (
            i
            for i, c in enumerate(nb.cells)
            if c.cell_type == "markdown" and re.search(r"^## 练习", c.source, re.M)
        ),
        None,
    )
    if heading is None:
        problems.append("a section ends with '## 练习'")
    if not 2 <= len(exercises) <= 4:
        problems.append(f"2-4 exercises expected, found {len(exercises)}")
    if re.search(r"^```\{solution\}", md, re.M):
        problems.append("use the gated {solution-start}/{solution-end} form, not {solution}")
    prefix = _expected_prefix(path)
    for n, ex in enumerate(exercises, 1):
        where = ex.label
        if prefix and ex.label != f"{prefix}{n}":
            problems.append(
                f"{where}: label should be {prefix}{n} (exercises are numbered in order)"
            )
        elif not LABEL.match(ex.label):
            problems.append(
                f"{where}: a label is ex-<chapter>-<section>-<n> (ex-a-<section>-<n> in "
                "appendix A) or ex-tour-<n>"
            )
        if heading is not None and ex.cell < heading:
            problems.append(f"{where}: exercises come after the '## 练习' heading")
        if _only(nb.cells[ex.cell], "exercise") is None:
            problems.append(f"{where}: the exercise cell holds only the {{exercise}} directive")
        if ex.start is None:
            problems.append(
                f"{where}: no solution ({{solution-start}} {ex.label} … {{solution-end}})"
            )
            continue
        start = _only(nb.cells[ex.start], "solution-start")
        if start is None:
            problems.append(f"{where}: the solution-start cell holds only that directive")
        elif "dropdown" not in start.classes:
            problems.append(f"{where}: solution-start needs ':class: dropdown'")
        if ex.start == ex.end or _only(nb.cells[ex.end], "solution-end") is None:
            problems.append(f"{where}: the solution-end cell holds only that directive")
        if ex.start != ex.cell + 1:
            problems.append(f"{where}: the solution starts right after the exercise")
        if ex.solution_markdown:
            problems.append(
                f"{where}: the solution's prose goes into the solution-start body, not into "
                "markdown cells inside the gate (JupyterLab cannot collapse those)"
            )
        for i in ex.solution_code:
            cell = nb.cells[i]
            if cell.source.split("\n", 1)[0].strip() != SOLUTION_HEADER:
                problems.append(
                    f"{where}: a solution code cell starts with the line '{SOLUTION_HEADER}'"
                )
            jup = cell.metadata.get("jupyter", {})
            if not all(jup.get(k) is True for k in SOLUTION_METADATA):
                problems.append(
                    f"{where}: a solution code cell has metadata jupyter.source_hidden and "
                    "jupyter.outputs_hidden true (collapsed in JupyterLab)"
                )
        if ex.written:
            if ex.solution_code or ex.checks or hidden.get(ex.label):
                problems.append(f"{where}: a written exercise has no solution code and no checks")
            if not ex.solution_text.strip():
                problems.append(
                    f"{where}: a written exercise's solution-start body is its reference answer"
                )
            continue
        if not ex.solution_code:
            problems.append(
                f"{where}: a code exercise has solution code (or add ':class: written')"
            )
        if not ex.checks:
            problems.append(
                f"{where}: a code exercise has a public check cell ('# 检查 {ex.label}')"
            )
        nxt = next((e.cell for e in exercises if e.cell > ex.cell), len(nb.cells))
        for i in ex.checks:
            if not (ex.end is not None and ex.end < i < nxt):
                problems.append(f"{where}: its check cells follow its solution-end")
            if any(
                o.get("output_type") != "execute_result" or o.get("data")
                for o in nb.cells[i].get("outputs", [])
            ):
                problems.append(f"{where}: a check cell asserts and prints nothing")
        if not hidden.get(ex.label):
            problems.append(f"{where}: no hidden check in {_shown(hidden_checks_path(path))}")
    for label in hidden:
        if label not in {ex.label for ex in exercises}:
            problems.append(f"hidden checks for unknown exercise {label}")
    return problems


# ---------------------------------------------------------------------------- migration


def _is_check(node: ast.stmt) -> bool:
    if isinstance(node, ast.Assert):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        func = node.value.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name.startswith("assert")
    return False


def _split_asserts(source: str) -> tuple[str, list[str]]:
    """Remove the top-level assert statements of ``source``; return what is left and them."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source, []
    lines = source.split("\n")
    taken, drop = [], set()
    for node in tree.body:
        if _is_check(node):
            taken.append("\n".join(lines[node.lineno - 1 : node.end_lineno]))
            drop.update(range(node.lineno - 1, node.end_lineno))
    kept = "\n".join(line for i, line in enumerate(lines) if i not in drop)
    return re.sub(r"\n{3,}", "\n\n", kept).strip("\n"), taken


def _assigned_names(source: str) -> list[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names: list[str] = []
    for node in tree.body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else ([node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else [])
        )
        for t in targets:
            for n in ast.walk(t):
                if isinstance(n, ast.Name) and n.id not in names and not n.id.startswith("_"):
                    names.append(n.id)
    return names


def _used_names(code: list[str]) -> set[str]:
    used: set[str] = set()
    for c in code:
        with contextlib.suppress(SyntaxError):
            used |= {n.id for n in ast.walk(ast.parse(c)) if isinstance(n, ast.Name)}
    return used


def value_check(name: str, value: object) -> str | None:
    """An assert that ``name`` has the reference ``value`` (numbers with a tolerance), or None.

    Scalars, flat lists and flat dicts of numbers, strings and booleans (as captured by
    :func:`capture_values`); anything else gives None.
    """

    def scalar(v: object) -> bool:
        return (
            v is None or isinstance(v, (bool, int, float)) or (isinstance(v, str) and len(v) < 200)
        )

    def close(a: str, b: float) -> str:
        return f"abs({a} - {b!r}) <= 1e-4 * {abs(b)!r} + 1e-8"

    if isinstance(value, float):
        return f"assert {close(name, value)}"
    if scalar(value):
        return f"assert {name} == {value!r}"
    if isinstance(value, list) and len(value) <= 50 and all(scalar(v) for v in value):
        if any(isinstance(v, float) for v in value):
            if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
                return None
            pairs = ", ".join(repr(float(v)) for v in value)
            return (
                f"assert len({name}) == {len(value)} and all(abs(a - b) <= 1e-4 * abs(b) + 1e-8 "
                f"for a, b in zip({name}, [{pairs}], strict=True))"
            )
        return f"assert [*{name}] == {value!r}"
    if isinstance(value, dict) and len(value) <= 50 and all(scalar(v) for v in value.values()):
        floats = {k: v for k, v in value.items() if isinstance(v, float)}
        exact = {k: v for k, v in value.items() if k not in floats}
        keys = "{" + ", ".join(repr(k) for k in sorted(value, key=str)) + "}"
        parts = [f"set({name}) == {keys}"]
        if exact:
            parts.append(f"all({name}[k] == v for k, v in {exact!r}.items())")
        if floats:
            parts.append(
                f"all(abs({name}[k] - v) <= 1e-4 * abs(v) + 1e-8 for k, v in {floats!r}.items())"
            )
        return "assert " + " and ".join(parts)
    return None


_CAPTURE = """\
import ast as _ast, numpy as _np
def _plain(v):
    if isinstance(v, _np.generic): return v.item()
    if isinstance(v, _np.ndarray) and v.size <= 50: return v.tolist()
    if isinstance(v, (list, tuple)): return [_plain(x) for x in v]
    if isinstance(v, dict): return {k: _plain(x) for k, x in v.items()}
    return v
_out = {}
for _n in %r:
    try:
        _v = _plain(globals()[_n])
        if _ast.literal_eval(repr(_v)) == _v: _out[_n] = _v
    except Exception:
        pass
print("@@CAPTURE@@" + repr({"label": %r, "values": _out}))
"""


def capture_values(
    nb: nbformat.NotebookNode, names: dict[str, list[str]], cwd: Path
) -> dict[str, dict]:
    """Run ``nb`` once with a capture cell after each solution; ``{label: {name: value}}``."""
    from nbclient import NotebookClient

    run = copy.deepcopy(nb)
    exercises = parse_exercises(run)
    for ex in sorted(exercises, key=lambda e: -(e.end or -1)):
        if ex.end is not None and names.get(ex.label):
            cell = nbformat.v4.new_code_cell(_CAPTURE % (names[ex.label], ex.label))
            run.cells.insert(ex.end + 1, cell)
    NotebookClient(
        run, timeout=600, resources={"metadata": {"path": str(cwd)}}, allow_errors=True
    ).execute()
    values: dict[str, dict] = {}
    for cell in run.cells:
        for out in cell.get("outputs", []):
            for line in out.get("text", "").split("\n"):
                if line.startswith("@@CAPTURE@@"):
                    got = ast.literal_eval(line[len("@@CAPTURE@@") :])
                    values[got["label"]] = got["values"]
    return values


def migrate(
    nb: nbformat.NotebookNode,
    hidden: dict[str, list[str]] | None = None,
    values: dict[str, dict] | None = None,
) -> tuple[nbformat.NotebookNode, dict[str, list[str]], list[str]]:
    """Rewrite the old exercise form of ``nb`` into the current one.

    - prose inside a gate (markdown cells, text before ``{solution-end}``) moves into the
      solution-start body; the end marker gets a cell of its own;
    - solution code cells get the ``# 解答`` first line and the collapsed-cell metadata;
    - the solution's top-level asserts become the public check cell ``# 检查 <label>``;
    - hidden checks: the reference values of the names those asserts use (``values``, from
      :func:`capture_values`), else a copy of the asserts marked TODO.

    Returns the new notebook, the hidden checks (merged into ``hidden``) and notes for the author.
    """
    out = copy.deepcopy(nb)
    hidden = {k: list(v) for k, v in (hidden or {}).items()}
    notes: list[str] = []
    exercises = parse_exercises(out)
    new_cells = list(out.cells)
    replaced: dict[int, list] = {}
    for ex in exercises:
        if ex.start is None:
            notes.append(f"{ex.label}: no solution to migrate (write one)")
            continue
        cells = out.cells
        prose = [ex.solution_text.strip()] if ex.solution_text.strip() else []
        for i in ex.solution_markdown:
            text = cells[i].source
            if i == ex.end:
                text = text.split("```{solution-end}")[0]
            if text.strip():
                prose.append(text.strip())
        start = copy.deepcopy(cells[ex.start])  # keeps its id: migrating twice changes nothing
        start.source = (
            f"```{{solution-start}} {ex.label}\n:class: dropdown\n"
            + ("\n" + "\n\n".join(prose) + "\n" if prose else "")
            + "```"
        )
        code_cells, public = [], []
        for i in ex.solution_code:
            cell = copy.deepcopy(cells[i])
            body = cell.source
            if body.split("\n", 1)[0].strip() == SOLUTION_HEADER:
                body = body.split("\n", 1)[1] if "\n" in body else ""
            kept, asserts = _split_asserts(body)
            public += asserts
            cell.source = f"{SOLUTION_HEADER}\n{kept}".rstrip("\n")
            cell.metadata.setdefault("jupyter", {}).update(SOLUTION_METADATA)
            code_cells.append(cell)
        end = nbformat.v4.new_markdown_cell("```{solution-end}\n```")
        if ex.end is not None and ex.end != ex.start and _only(cells[ex.end], "solution-end"):
            end = copy.deepcopy(cells[ex.end])
        block = [start, *code_cells, end]
        if not ex.written and code_cells and not ex.checks:
            if public:
                block.append(nbformat.v4.new_code_cell(f"# 检查 {ex.label}\n" + "\n".join(public)))
            else:
                notes.append(f"{ex.label}: no assert in the solution: write its public check cell")
        if not ex.written and code_cells and not hidden.get(ex.label):
            used = _used_names(public)
            names = [
                n
                for n in _assigned_names("\n".join(cells[i].source for i in ex.solution_code))
                if n in used
            ]
            got = (values or {}).get(ex.label, {})
            cases = [c for n in names if n in got and (c := value_check(n, got[n]))]
            if cases:
                hidden[ex.label] = ["\n".join(cases)]
                compared = ", ".join(n for n in names if n in got)
                notes.append(
                    f"{ex.label}: hidden check compares {compared} with the reference: review it"
                )
            elif public:
                hidden[ex.label] = [
                    "# TODO: a check the students do not see (now a copy of the public one)\n"
                    + "\n".join(public)
                ]
                notes.append(f"{ex.label}: hidden check is a TODO copy of the public one")
            else:
                notes.append(f"{ex.label}: write its hidden check")
        if ex.written:
            notes.append(f"{ex.label}: written exercise (graded by hand)")
        replaced[ex.start] = block
        for i in ex.solution_cells[1:]:
            replaced[i] = []
    for ex in exercises:  # text sharing the exercise's cell (a heading) gets a cell of its own
        cell = out.cells[ex.cell]
        if _only(cell, "exercise") is None and ex.cell not in replaced:
            head, _, rest = cell.source.partition(ex.directive.raw)
            if head.strip() and not rest.strip():
                ex_cell = nbformat.v4.new_markdown_cell(ex.directive.raw)
                cell.source = head.rstrip()
                replaced[ex.cell] = [cell, ex_cell]
            else:
                notes.append(f"{ex.label}: move the text around the exercise out of its cell")
    new_cells = []
    for i, cell in enumerate(out.cells):
        new_cells.extend(replaced.get(i, [cell]))
    out.cells = new_cells
    return out, hidden, notes


# ---------------------------------------------------------------------------- command line


def _toc_notebooks(root: Path = ROOT) -> list[Path]:
    """The notebooks of ``root/_toc.yml`` in reading order, as absolute paths."""
    from booktools.toc import toc_notebooks

    return [Path(root) / p for p in toc_notebooks(Path(root))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    chk = sub.add_parser("check", help="report what breaks the exercise rules")
    chk.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook of _toc.yml")
    mig = sub.add_parser("migrate", help="rewrite the old exercise form in place")
    mig.add_argument("notebooks", nargs="+", type=Path)
    mig.add_argument(
        "--no-execute",
        action="store_true",
        help="do not run the notebook to capture reference values",
    )
    args = parser.parse_args(argv)
    if args.command == "check":
        bad = 0
        for path in args.notebooks or _toc_notebooks():
            problems = check_format(nbformat.read(path, as_version=4), path)
            for p in problems:
                print(f"{path}: {p}")
            bad += bool(problems)
        return 1 if bad else 0
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        sidecar = hidden_checks_path(path)
        hidden = read_hidden_checks(sidecar)
        values = None
        if not args.no_execute:
            probe, _, _ = migrate(nb, hidden)  # which names each public check uses
            names = {}
            for ex in parse_exercises(probe):
                used = _used_names([probe.cells[i].source for i in ex.checks])
                code = "\n".join(probe.cells[i].source for i in ex.solution_code)
                names[ex.label] = [n for n in _assigned_names(code) if n in used]
            values = capture_values(nb, names, path.parent)
        new, hidden, notes = migrate(nb, hidden, values)
        nbformat.write(new, path)
        if hidden:
            shown = Path(path).resolve().relative_to(book_root(path))
            write_hidden_checks(sidecar, str(shown), hidden)
            ruff = Path(sys.executable).parent / "ruff"
            if ruff.is_file():  # the file is linted with the rest of the repository
                subprocess.run([str(ruff), "format", "-q", str(sidecar)], check=False)
        for note in notes:
            print(f"{path}: {note}")
        problems = check_format(new, path, hidden)
        for p in problems:
            print(f"{path}: still to do: {p}")
        print(f"{path}: migrated; hidden checks in {sidecar}; now run make execute NB={path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
