"""The public API is each module's ``__all__``; chapters use nothing else, so a refactor of the
package cannot break a chapter silently.

Every notebook's code cells are parsed (``ast``) and each use of ``lmbook`` is resolved against the
package as installed: ``from lmbook.x import y`` needs ``y`` in ``lmbook.x.__all__``, and
``lmbook.x.y`` / ``alias.y`` (an alias bound to an ``lmbook`` module) needs ``y`` exported too.
The lazy packages are checked as well: cheap to import, and their ``__all__``, their
``TYPE_CHECKING`` imports and their submodules' ``__all__`` agree.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(
    p for p in (ROOT / "book").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
)
PY_FILES = sorted(
    p
    for folder in ("lmbook", "booktools")
    for p in (ROOT / folder).rglob("*.py")
    if "assets" not in p.parts
)


def _exported(module: types.ModuleType, name: str) -> bool:
    return not name.startswith("_") and name in getattr(module, "__all__", ())


def _submodule(module: types.ModuleType, name: str) -> types.ModuleType | None:
    """``module.name`` if it is a public submodule of the package ``module``, else None."""
    if name.startswith("_") or not hasattr(module, "__path__"):
        return None
    try:
        return importlib.import_module(f"{module.__name__}.{name}")
    except ModuleNotFoundError:
        return None


class _Checker(ast.NodeVisitor):
    """Collects every use of a private or unexported ``lmbook`` name in one notebook."""

    def __init__(self) -> None:
        self.bound: dict[str, types.ModuleType] = {}  # local name -> lmbook module
        self.problems: list[str] = []
        self.cell = 0

    def _problem(self, node: ast.AST, text: str) -> None:
        self.problems.append(f"cell {self.cell}, line {getattr(node, 'lineno', '?')}: {text}")

    def _module(self, node: ast.AST, dotted: str) -> types.ModuleType | None:
        if any(part.startswith("_") for part in dotted.split(".")):
            self._problem(node, f"imports the private module {dotted}")
            return None
        try:
            return importlib.import_module(dotted)
        except ModuleNotFoundError:
            self._problem(node, f"imports {dotted}, which does not exist")
            return None

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.split(".")[0] != "lmbook":
                continue
            module = self._module(node, alias.name)
            if module is None:
                continue
            if alias.asname:
                self.bound[alias.asname] = module
            else:
                self.bound["lmbook"] = importlib.import_module("lmbook")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or (node.module or "").split(".")[0] != "lmbook":
            return
        module = self._module(node, node.module or "")
        if module is None:
            return
        for alias in node.names:
            name, local = alias.name, alias.asname or alias.name
            if name == "*":
                self._problem(node, f"star-imports from {module.__name__}")
            elif not _exported(module, name):
                why = "private" if name.startswith("_") else "not in its __all__"
                self._problem(node, f"imports {name} from {module.__name__} ({why})")
            else:
                value = getattr(module, name)
                if isinstance(value, types.ModuleType):
                    self.bound[local] = value
                else:
                    self.bound.pop(local, None)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        chain: list[str] = []
        base: ast.AST = node
        while isinstance(base, ast.Attribute):
            chain.append(base.attr)
            base = base.value
        if isinstance(base, ast.Name) and base.id in self.bound:
            module: types.ModuleType | None = self.bound[base.id]
            path = base.id
            for attr in reversed(chain):
                if module is None:
                    break
                path = f"{path}.{attr}"
                if _exported(module, attr):
                    value = getattr(module, attr)
                    module = value if isinstance(value, types.ModuleType) else None
                elif (sub := _submodule(module, attr)) is not None:
                    module = sub
                else:
                    why = "private" if attr.startswith("_") else f"not in {module.__name__}.__all__"
                    self._problem(node, f"uses {path} ({why})")
                    break
            return  # the whole chain is checked: do not visit its inner attributes again
        self.generic_visit(node)

    def _rebind(self, target: ast.AST) -> None:
        for node in ast.walk(target):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                self.bound.pop(node.id, None)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)  # the right side uses the old binding
        for target in node.targets:
            self._rebind(target)

    def visit_For(self, node: ast.For) -> None:
        self.visit(node.iter)
        self._rebind(node.target)
        for stmt in [*node.body, *node.orelse]:
            self.visit(stmt)


def api_problems(cells: list[str]) -> list[str]:
    """Uses of private or unexported ``lmbook`` names in ``cells`` (code cells, in order)."""
    checker = _Checker()
    transform = TransformerManager().transform_cell  # %magics and !shell lines -> Python
    for number, source in enumerate(cells, 1):
        checker.cell = number
        checker.visit(ast.parse(transform(source)))
    return checker.problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[str(p.relative_to(ROOT)) for p in NOTEBOOKS])
def test_notebooks_use_only_the_public_api(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    problems = api_problems([c.source for c in nb.cells if c.cell_type == "code"])
    assert not problems, f"{path.name} uses lmbook beyond its public API:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("from lmbook.text.ngram import _Table", "imports _Table from lmbook.text.ngram (private)"),
        ("from lmbook.zoo.loader import _reachable", "(private)"),
        ("from lmbook.zoo.loader import os", "imports os from lmbook.zoo.loader (not in its"),
        ("from lmbook.ngram import NGramLM", "imports lmbook.ngram, which does not exist"),
        ("from lmbook import information", "imports information from lmbook (not in its"),
        ("import lmbook._private", "private module lmbook._private"),
        ("import lmbook\nlmbook.text.ngram._Table", "uses lmbook.text.ngram._Table (private)"),
        ("import lmbook\nlmbook.zoo.loader.os.path", "not in lmbook.zoo.loader.__all__"),
        ("from lmbook.linalg import lowrank\nlowrank.np", "uses lowrank.np (not in lmbook"),
        ("import lmbook.zoo as z\nz.tasks._tokens", "uses z.tasks._tokens (private)"),
    ],
)
def test_the_check_catches_a_bad_use(cell: str, expected: str) -> None:
    problems = api_problems(["import numpy as np", cell])
    assert len(problems) == 1 and expected in problems[0], problems


def test_the_check_passes_public_uses_and_follows_rebinding() -> None:
    cells = [
        "%matplotlib inline\nimport lmbook\ndevice = lmbook.setup()",
        "from lmbook.linalg import lowrank\nfrom lmbook.text import NGramLM, cooccurrence",
        "s = lowrank.energy_fraction([3.0, 1.0]); c = cooccurrence.ppmi; NGramLM(order=2).fit",
        "import lmbook.zoo.quality\nlmbook.zoo.quality.bits_per_character",
        "lowrank = {'a': 1}\nlowrank._private_key_of_a_dict = 1",
        "import lmbook.viz as v\nv.AttentionWidget.from_arrays",
    ]
    assert api_problems(cells) == []


def test_every_module_declares_all() -> None:
    for path in PY_FILES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {
            t.id
            for node in tree.body
            if isinstance(node, ast.Assign | ast.AnnAssign)
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(t, ast.Name)
        }
        names |= {
            t.id
            for node in tree.body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Tuple)
            for t in target.elts
            if isinstance(t, ast.Name)
        }
        assert "__all__" in names, f"{path.relative_to(ROOT)} has no __all__"


def _lazy_packages() -> list[str]:
    found = []
    for init in sorted((ROOT / "lmbook").rglob("__init__.py")):
        if "lazy_loader.attach" in init.read_text(encoding="utf-8"):
            found.append(".".join(init.parent.relative_to(ROOT).parts))
    return found


LAZY = _lazy_packages()


def test_lazy_packages_are_found() -> None:
    assert {"lmbook", "lmbook.data", "lmbook.text", "lmbook.linalg", "lmbook.train"} <= set(LAZY)


@pytest.mark.parametrize("name", LAZY)
def test_lazy_package_exports_agree(name: str) -> None:
    """``__all__`` == the ``TYPE_CHECKING`` imports (submodules may be left out there); each name
    resolves to a submodule's public name (a facade re-exports, it never invents), and ``dir()``
    lists exactly ``__all__``."""
    package = importlib.import_module(name)
    init = Path(package.__file__).read_text(encoding="utf-8")
    typed = set()
    for node in ast.walk(ast.parse(init)):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for stmt in ast.walk(node):
                if isinstance(stmt, ast.ImportFrom):
                    typed |= {a.asname or a.name for a in stmt.names}
    submodules = {n for n in package.__all__ if isinstance(getattr(package, n), types.ModuleType)}
    assert typed <= set(package.__all__), "TYPE_CHECKING imports names that __all__ lacks"
    assert set(package.__all__) - typed <= submodules, "__all__ names a value TYPE_CHECKING lacks"
    assert dir(package) == sorted(package.__all__)
    for attr in package.__all__:
        value = getattr(package, attr)
        if isinstance(value, types.ModuleType):
            assert value.__name__ == f"{name}.{attr}"
            continue
        homes = [
            m
            for m in list(sys.modules.values())
            if isinstance(m, types.ModuleType)
            and m.__name__.startswith(f"{name}.")
            and m.__dict__.get(attr, None) is value
            and _exported(m, attr)
        ]
        assert homes, f"{name}.{attr} is in no submodule's __all__"


def test_setup_and_show_source_are_the_root_exports() -> None:
    import lmbook
    from lmbook.runtime import setup
    from lmbook.source import show_source

    assert lmbook.setup is setup and lmbook.show_source is show_source
    assert isinstance(lmbook.__version__, str)


def test_importing_the_packages_does_not_import_torch() -> None:
    """``import lmbook`` (and each lazy package) is cheap: torch loads only with a name that
    needs it. A fresh interpreter, since this test process has torch already."""
    code = (
        "import sys\n"
        f"import {', '.join(LAZY)}\n"
        "heavy = {'torch', 'transformers', 'datasets', 'matplotlib'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def _definitions(tree: ast.AST) -> dict[str, str]:
    """``{ast dump without docstrings: name}`` of every function and class in ``tree``."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                body = body[1:]  # a docstring does not make a copy different
            copy = type(node)(**{**vars(node), "body": body, "decorator_list": []})
            found[ast.dump(copy, annotate_fields=False, include_attributes=False)] = node.name
    return found


PACKAGE_DEFINITIONS = {
    dump: f"{path.relative_to(ROOT)}:{name}"
    for path in PY_FILES
    if path.parts[len(ROOT.parts)] == "lmbook"
    for dump, name in _definitions(ast.parse(path.read_text(encoding="utf-8"))).items()
}


def pasted_copies(cells: list[str]) -> list[str]:
    """Functions and classes in ``cells`` that repeat one of the package's (``docs/notebooks.md``:
    a chapter shows package code with ``show_source``, it never pastes it)."""
    transform = TransformerManager().transform_cell
    copies = []
    for source in cells:
        for dump, name in _definitions(ast.parse(transform(source))).items():
            if dump in PACKAGE_DEFINITIONS:
                copies.append(f"{name} repeats {PACKAGE_DEFINITIONS[dump]}")
    return copies


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[str(p.relative_to(ROOT)) for p in NOTEBOOKS])
def test_notebooks_paste_no_package_code(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    copies = pasted_copies([c.source for c in nb.cells if c.cell_type == "code"])
    assert not copies, "use lmbook.show_source instead of a copy:\n" + "\n".join(copies)


def test_the_copy_check_catches_a_pasted_function() -> None:
    from lmbook.text import information

    pasted = inspect.getsource(information.entropy).replace('"""', '"""Pasted. ', 1)
    assert pasted_copies(["import numpy as np", pasted]) == [
        "entropy repeats lmbook/text/information.py:entropy"
    ]
    own = "def entropy(p):\n    return -(p * np.log2(p)).sum()\n"
    assert pasted_copies([own]) == []
