"""Show the package's own source in a chapter, so the book never drifts from the code it teaches.

A notebook that explains a mechanism implemented in ``lmbook`` does not paste a copy of it: it
calls ``show_source(NGramLM.prob)``, which displays the code that actually runs (read with
:func:`inspect.getsource`) as highlighted Python, in JupyterLab, Colab and the static HTML book
(a Markdown code block in the saved output), and the next cell checks that code against the
reference library. ``docs/notebooks.md`` states the rule.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["SourceListing", "show_source"]


@dataclass(frozen=True)
class SourceListing:
    """The source of one function, class or module, and where it lives (``lmbook/text/ngram.py``).

    Jupyter shows it as a Markdown code block (highlighted, also in the static book); ``str()``
    is the plain code.
    """

    name: str
    path: str
    code: str

    @classmethod
    def of(cls, obj: Any) -> SourceListing:
        """Read the source of ``obj`` (dedented, so a method reads like a function)."""
        obj = inspect.unwrap(obj)
        try:
            code = inspect.getsource(obj)
            file = inspect.getsourcefile(obj)
        except (OSError, TypeError) as err:
            raise TypeError(
                f"show_source needs a function, class, method or module defined in a .py file; "
                f"got {obj!r}, whose source Python cannot find."
            ) from err
        module = obj if inspect.ismodule(obj) else inspect.getmodule(obj)
        module_name = getattr(module, "__name__", "")
        qualname = getattr(obj, "__qualname__", None)
        name = module_name if inspect.ismodule(obj) else f"{module_name}.{qualname}".lstrip(".")
        return cls(name=name, path=_package_path(file or "", module_name), code=_clean(code))

    def __str__(self) -> str:
        return self.code

    def _repr_markdown_(self) -> str:
        runs = [len(run) for run in re.findall(r"`{3,}", self.code)]
        fence = "`" * max([3, *(n + 1 for n in runs)])
        return f"`{self.name}`（`{self.path}`）\n\n{fence}python\n{self.code}\n{fence}\n"

    def __repr__(self) -> str:
        return f"# {self.name} ({self.path})\n{self.code}"


def show_source(obj: Any) -> None:
    """Display the source of ``obj`` (a function, class, method or module) as highlighted code.

    In a notebook the output is a Markdown code block that the static book renders too; outside
    IPython it is printed.
    """
    listing = SourceListing.of(obj)
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - ipywidgets depends on IPython
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(listing)
    else:
        print(repr(listing))


def _clean(code: str) -> str:
    return textwrap.dedent(code).rstrip()


def _package_path(file: str, module_name: str) -> str:
    """``lmbook/text/ngram.py`` for ``lmbook.text.ngram``: the path inside the package tree."""
    path = Path(file)
    depth = module_name.count(".") + (path.name == "__init__.py")
    parts = path.parts[-(depth + 1) :] if depth < len(path.parts) else path.parts
    return "/".join(parts)
