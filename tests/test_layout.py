"""The layout of ``docs/layout.md``, checked on the source: layered imports, no cycles, a home for
every package in the document, and the book's tooling outside the installed package.

A *unit* is a top-level module or subpackage of ``lmbook`` (``lmbook.text``, ``lmbook.runtime``).
A unit may import from units of lower layers only (inside a unit, anything); imports inside
functions and under ``TYPE_CHECKING`` count too, so a deferred import cannot hide an upward edge.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lmbook"

# docs/layout.md, "Layers": lowest first
LAYERS: list[set[str]] = [
    {"device", "seeding", "fonts", "source"},
    {"runtime", "data"},
    {"tokenization"},
    {"text", "linalg", "nn", "metrics"},
    {"train"},
    {"viz", "zoo"},
    {"adapters", "gan", "scaling"},
]
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}
ROOT_ATTRS = {"setup": "runtime", "show_source": "source"}  # lmbook.<name> -> the unit behind it


def _modules() -> dict[str, Path]:
    """Every module of the package: ``{"lmbook.text.ngram": path}``."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        if "assets" in rel.parts:
            continue
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _unit(module: str) -> str | None:
    """``lmbook.text.ngram`` -> ``text``; the root package -> None."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _imports(module: str, tree: ast.Module) -> Iterator[tuple[str, int, bool]]:
    """``(imported lmbook module, line, at module level outside TYPE_CHECKING)`` for each import.

    ``from lmbook.zoo import tasks`` names the module ``lmbook.zoo.tasks``; ``from lmbook.text
    import NGramLM`` names ``lmbook.text``; ``lmbook.setup`` after ``import lmbook`` names the
    module behind it.
    """
    is_package = MODULES[module].name == "__init__.py"
    top_level = _top_level_imports(tree)
    for node in ast.walk(tree):
        eager = node in top_level
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("lmbook.") or alias.name == "lmbook":
                    yield alias.name, node.lineno, eager
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from .x import y
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            if not (base == "lmbook" or base.startswith("lmbook.")):
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if base == "lmbook" and alias.name in ROOT_ATTRS:
                    sub = f"lmbook.{ROOT_ATTRS[alias.name]}"
                yield (sub if sub in MODULES else base), node.lineno, eager
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "lmbook"
        ):
            name = ROOT_ATTRS.get(node.attr, node.attr)
            if f"lmbook.{name}" in MODULES:
                yield f"lmbook.{name}", node.lineno, False


def _top_level_imports(tree: ast.Module) -> set[ast.AST]:
    """Import statements that run when the module is imported (not in a function or
    ``if TYPE_CHECKING:``)."""
    found: set[ast.AST] = set()

    def visit(body: list[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, ast.Import | ast.ImportFrom):
                found.add(stmt)
            elif isinstance(stmt, ast.If):
                if "TYPE_CHECKING" not in ast.unparse(stmt.test):
                    visit(stmt.body)
                visit(stmt.orelse)
            elif isinstance(stmt, ast.Try):
                for block in (stmt.body, *(h.body for h in stmt.handlers), stmt.orelse):
                    visit(block)

    visit(tree.body)
    return found


TREES = {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in MODULES.items()}


def test_every_unit_has_a_layer() -> None:
    units = {_unit(m) for m in MODULES} - {None}
    assert units - RANK.keys() == set(), "a new package: give it a layer here and in docs/layout.md"
    assert RANK.keys() - units == set(), "a layer names a unit that no longer exists"


def _upward_imports() -> list[str]:
    bad = []
    for module, tree in TREES.items():
        unit = _unit(module)
        if unit is None:  # the root package is the lazy facade over everything
            continue
        for target, line, _ in _imports(module, tree):
            other = _unit(target)
            if other is None or other == unit:
                continue
            if RANK[other] >= RANK[unit]:
                bad.append(
                    f"{MODULES[module].relative_to(ROOT)}:{line}: {unit} (layer {RANK[unit]}) "
                    f"imports {target} ({other}, layer {RANK[other]})"
                )
    return bad


def test_units_import_only_lower_layers() -> None:
    bad = _upward_imports()
    assert not bad, "imports against the layers of docs/layout.md:\n" + "\n".join(bad)


def test_no_import_cycle_at_import_time() -> None:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module, tree in TREES.items():
        for target, _, eager in _imports(module, tree):
            if eager and target != module:
                graph[module].add(target)
    for module in MODULES:  # importing lmbook.a.b imports lmbook.a first
        parent = module.rpartition(".")[0]
        if parent:
            graph[module].add(parent)
    cycle = _find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_checks_catch_an_upward_import_and_a_cycle(monkeypatch: pytest.MonkeyPatch) -> None:
    tree = ast.parse("def f():\n    from lmbook.zoo import load\n")
    monkeypatch.setitem(TREES, "lmbook.text.ngram", tree)
    assert any("text (layer 3) imports lmbook.zoo" in b for b in _upward_imports())
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None


def test_layout_document_has_a_home_for_every_package() -> None:
    doc = (ROOT / "docs" / "layout.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^#+ .*?`(lmbook(?:\.\w+)?|booktools)`", doc, re.M))
    for unit in RANK:
        name = f"lmbook.{unit}"
        listed = name in headings or f"`{name}`" in doc or f"`{unit}.py`" in doc
        assert listed, f"docs/layout.md does not say where {name} lives"
    for package in ("lmbook.data", "lmbook.text", "lmbook.linalg", "booktools"):
        assert package in headings, f"docs/layout.md has no section for {package}"


def test_book_tooling_is_not_in_the_runtime_package() -> None:
    for gone in ("sphinx_cjk.py", "notebook.py", "viz/sphinx_offline.py", "viz/export.py"):
        assert not (PACKAGE / gone).exists(), f"lmbook/{gone} belongs in booktools/"
    assert not (PACKAGE / "viz" / "static" / "embed").exists(), "vendored JS: booktools/static"
    assert (ROOT / "booktools" / "static" / "embed" / "lmbook-widgets" / "embed-amd.js").is_file()
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'include = \["lmbook\*"\]', pyproject), "only lmbook* may be installed"
    for module, tree in TREES.items():
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            assert not any(n.split(".")[0] == "booktools" for n in names), (
                f"{module} imports booktools, which readers do not install"
            )
