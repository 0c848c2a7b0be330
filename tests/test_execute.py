"""Smoke test of ``python -m booktools.execute``, the only way stored outputs are made."""

from __future__ import annotations

import nbformat

from booktools.execute import execute
from booktools.notebook import INSTALL_CELL


def test_execute_stores_outputs_and_names_the_release(tmp_path):
    path = tmp_path / "demo.ipynb"
    old_install = "# an old install cell\n%pip install 'lmbook[peft] @ git+https://example.org/x'"
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 演示"),
        nbformat.v4.new_code_cell(old_install),
        nbformat.v4.new_code_cell("print(6 * 7)"),
    ]
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", text="stale\n")]
    nbformat.write(nb, path)
    seconds = execute(path)
    out = nbformat.read(path, as_version=4)
    assert out.cells[1].source == INSTALL_CELL  # the release these outputs come from
    assert [o["text"] for o in out.cells[2].outputs] == ["42\n"]  # stale output replaced
    assert out.cells[2].execution_count == 2
    assert "widgets" not in out.metadata  # no empty widget state stored
    assert 0 < seconds < 120
