"""Exercises in a real JupyterLab (the one the project installs, with jupyterlab-myst).

The synthetic section of tests/exercise_book.py, in the book's exercise format, opened in
JupyterLab and looked at in headless Chromium: exercises render as exercises, no raw directive
syntax is visible, and each solution (prose, code, output) stays hidden until it is clicked.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from widget_checks import ARTIFACTS, jupyterlab_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the synthetic book
from exercise_book import section

RAW = re.compile(r"\{(?:exercise|solution-start|solution-end|solution)\}|:label:|:class:|```")


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """JupyterLab on a free localhost port serving the synthetic section."""
    root = tmp_path_factory.mktemp("exlab")
    nbformat.write(section(), root / "9-1-demo.ipynb")
    with jupyterlab_server(root) as (url, token, log):
        yield url, token
    assert "jupyterlab_myst" in log.read_text(), "jupyterlab-myst is not installed"


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
    # markdown cells render one by one (slowly on a loaded machine): wait for the last; if raw
    # text is still there after 30 s, the assert below shows it
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(
            "re => !new RegExp(re).test(document.querySelector('.jp-Notebook').innerText)",
            arg=RAW.pattern,
            timeout=30_000,
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
