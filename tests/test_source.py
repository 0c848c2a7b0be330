"""lmbook.show_source: the package's own code, highlighted in Jupyter and in the static book."""

from __future__ import annotations

import inspect
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import nbformat
import pytest

from lmbook.source import SourceListing, show_source
from lmbook.text import NGramLM, information

ROOT = Path(__file__).resolve().parents[1]


def fenced() -> str:
    """A docstring with a code block of its own:

    ```python
    x = 1
    ```
    """
    return "```"


def test_a_function_is_its_source_with_its_home() -> None:
    listing = SourceListing.of(information.entropy)
    assert listing.code == inspect.getsource(information.entropy).rstrip()
    assert listing.name == "lmbook.text.information.entropy"
    assert listing.path == "lmbook/text/information.py"
    assert str(listing) == listing.code
    md = listing._repr_markdown_()
    assert md.startswith("`lmbook.text.information.entropy`（`lmbook/text/information.py`）")
    assert f"```python\n{listing.code}\n```\n" in md


def test_a_method_is_dedented_and_a_class_or_module_is_whole() -> None:
    method = SourceListing.of(NGramLM.prob)
    assert method.code.startswith("def prob(") and method.name == "lmbook.text.ngram.NGramLM.prob"
    assert SourceListing.of(NGramLM).code.lstrip().startswith(("class NGramLM", "@dataclass"))
    module = SourceListing.of(information)
    assert module.name == "lmbook.text.information" and module.code.startswith('"""')
    package = SourceListing.of(sys.modules["lmbook.text"])
    assert package.path == "lmbook/text/__init__.py"


def test_the_fence_is_longer_than_any_fence_inside() -> None:
    md = SourceListing.of(fenced)._repr_markdown_()
    assert "\n````python\n" in md and md.endswith("\n````\n")


def test_objects_without_python_source_fail_clearly() -> None:
    with pytest.raises(TypeError, match="show_source needs a function"):
        SourceListing.of(len)


def test_show_source_displays_in_ipython_and_prints_elsewhere(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import IPython
    import IPython.display

    show_source(information.entropy)  # plain Python: printed
    out = capsys.readouterr().out
    assert out.startswith("# lmbook.text.information.entropy (lmbook/text/information.py)\n")
    assert "def entropy(" in out
    shown: list[Any] = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display", shown.append)
    show_source(information.entropy)
    assert shown == [SourceListing.of(information.entropy)] and capsys.readouterr().out == ""


def test_the_static_book_renders_it_as_highlighted_python(tmp_path: Path) -> None:
    """The saved output (text/markdown + text/plain) becomes a Pygments block in the HTML."""
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(SourceListing.of(information.entropy))
    assert set(data) == {"text/markdown", "text/plain"}
    cell = nbformat.v4.new_code_cell("show_source(entropy)")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data)]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 源码"), cell])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, tmp_path / "page.ipynb")
    (tmp_path / "index.md").write_text("# 测试\n\n```{toctree}\npage\n```\n", encoding="utf-8")
    (tmp_path / "conf.py").write_text(
        textwrap.dedent(
            """\
            extensions = ["myst_nb"]
            nb_execution_mode = "off"
            html_theme = "basic"
            """
        ),
        encoding="utf-8",
    )
    out = tmp_path / "_build"
    cmd = [sys.executable, "-m", "sphinx", "-q", "-W", "-b", "html", str(tmp_path), str(out)]
    subprocess.run(cmd, check=True, cwd=ROOT)
    html = (out / "page.html").read_text(encoding="utf-8")
    output = html[html.index("cell_output") :]
    assert 'class="highlight-python' in output and "entropy" in output
    assert "lmbook/text/information.py" in output
