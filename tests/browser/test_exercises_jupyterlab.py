"""Exercises in a real JupyterLab (the one the project installs, with jupyterlab-myst).

The synthetic section of tests/exercise_book.py, in the book's exercise format, opened in
JupyterLab and looked at in headless Chromium: exercises render as exercises, no raw directive
syntax is visible, and each solution (prose, code, output) stays hidden until it is clicked.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from widget_checks import ARTIFACTS

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the synthetic book
from exercise_book import section

RAW = re.compile(r"\{(?:exercise|solution-start|solution-end|solution)\}|:label:|:class:|```")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """JupyterLab on a free localhost port serving the synthetic section (as in test_jupyterlab)."""
    root = tmp_path_factory.mktemp("exlab")
    nbformat.write(section(), root / "9-1-demo.ipynb")
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
    assert "jupyterlab_myst" in (root / "server.log").read_text(), (
        "jupyterlab-myst is not installed"
    )


def _visible(page: Any) -> str:
    return page.inner_text(".jp-Notebook")


def test_exercises_render_and_solutions_stay_collapsed(page: Any, lab: tuple[str, str]) -> None:
    url, token = lab
    page.set_default_timeout(90_000)
    page.goto(f"{url}/lab/workspaces/exercises/tree/9-1-demo.ipynb?reset&token={token}")
    page.wait_for_selector(".jp-Notebook .myst-exercise")
    page.wait_for_function(
        "() => document.querySelectorAll('.jp-Notebook .myst-exercise').length >= 6"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "jupyterlab-exercises.png"), full_page=True)
    text = _visible(page)
    assert not RAW.search(text), f"raw directive text visible: {RAW.search(text)}"
    assert text.count("Exercise") >= 3 and "熵。" in text, "the exercises render as exercises"
    for hidden in ("zqxsolprose911canary", "zqxsolcodes1canary", "zqxsolstreams1canary", "Jensen"):
        assert hidden not in text, f"{hidden} is visible before a click"
    assert "# 解答" in text, "a collapsed solution cell shows its first line only"

    page.locator(".myst-exercise-header", has_text="Solution to").first.click()
    page.wait_for_function(
        "() => document.querySelector('.jp-Notebook').innerText.includes('zqxsolprose911canary')"
    )
    text = _visible(page)
    assert "zqxsolcodes1canary" not in text and "zqxsolprose912canary" not in text, "one at a time"
    page.locator(".jp-InputPlaceholder").first.click()
    page.locator(".jp-OutputPlaceholder").first.click()
    page.wait_for_function(
        "() => document.querySelector('.jp-Notebook').innerText.includes('zqxsolstreams1canary')"
    )
    text = _visible(page)
    assert "zqxsolcodes1canary" in text and not RAW.search(text)
    page.screenshot(path=str(ARTIFACTS / "jupyterlab-exercises-open.png"), full_page=True)
    assert page.errors == [], page.errors
