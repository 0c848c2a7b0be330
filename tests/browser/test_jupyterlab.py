"""The attention widget in a real JupyterLab server: run a cell, interact, screenshot."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import nbformat
import pytest
from widget_checks import ARTIFACTS, check_click_changes_pixels

CELL = """import numpy as np
from lmbook.viz import AttentionWidget
rng = np.random.default_rng(1)
w = np.tril(rng.random((2, 3, 10, 10)) ** 6)
w /= w.sum(-1, keepdims=True)
widget = AttentionWidget.from_arrays(w, list("大语言模型与轻量级微"), view="heatmap")
widget"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(root / ".config"),
        "JUPYTER_RUNTIME_DIR": str(root / ".runtime"),
        "JUPYTERLAB_WORKSPACES_DIR": str(root / ".workspaces"),
    }
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
        "--ServerApp.ip=127.0.0.1", "--allow-root", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]  # fmt: skip
    log = (root / "server.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as r:
                json.load(r)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.terminate()
                pytest.fail(
                    f"JupyterLab did not start: {(root / 'server.log').read_text()[-2000:]}"
                )
            time.sleep(0.5)
    yield url, token
    server.terminate()
    server.wait(timeout=30)
    log.close()


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
