"""The attention widget in a real JupyterLab server: run a cell, interact, screenshot."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import nbformat
import pytest
from widget_checks import ARTIFACTS, check_click_changes_pixels, jupyterlab_server

CELL = """import numpy as np
from lmbook.viz import AttentionWidget
rng = np.random.default_rng(1)
w = np.tril(rng.random((2, 3, 10, 10)) ** 6)
w /= w.sum(-1, keepdims=True)
widget = AttentionWidget.from_arrays(w, list("大语言模型与轻量级微"), view="heatmap")
widget"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A JupyterLab server on a free localhost port, serving a folder with one notebook."""
    root = tmp_path_factory.mktemp("lab")
    cells = [nbformat.v4.new_code_cell(c) for c in (CELL, 'print("head", widget.head)')]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, root / "widget.ipynb")
    with jupyterlab_server(root) as (url, token, _):
        yield url, token


def test_widget_runs_and_responds_in_jupyterlab(page: Any, lab: tuple[str, str]) -> None:
    url, token = lab
    page.set_default_timeout(90_000)
    page.goto(f"{url}/lab/tree/widget.ipynb?token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell .cm-content")
    page.wait_for_function(  # the kernel is connected and idle (the status bar says so)
        "() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]"
        ".some(e => e.textContent.includes('| Idle'))"
    )
    page.click(".jp-Notebook .jp-Cell .cm-content")
    page.keyboard.press("Shift+Enter")
    changed = check_click_changes_pixels(
        page, None, shot="jupyterlab-attention", timeout_ms=120_000
    )
    assert changed > 0.01
    page.locator(".jp-Notebook .jp-Cell .cm-content").nth(1).click()
    page.keyboard.press("Shift+Enter")  # the kernel's widget saw the click
    page.wait_for_selector(".jp-OutputArea-output pre:has-text('head 1')")
    page.click(".lmb-attn button[data-view='lines']")
    page.wait_for_selector(".lmb-attn[data-view='lines']")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "jupyterlab.png"))
    assert page.errors == [], page.errors
