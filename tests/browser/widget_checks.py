"""Reusable browser checks for lmbook widgets (also for the built book's pages and benchmarks).

``check_click_changes_pixels(page, target, click=...)`` opens a URL or HTML file (or uses the page
as it is when ``target`` is None), waits until an lmbook widget has drawn, clicks a control inside
it (by default a different attention head) and asserts that the widget's pixels changed.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

__all__ = [
    "ARTIFACTS",
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "check_click_changes_pixels",
    "jupyterlab_server",
    "launch_chromium",
    "pixels",
    "url_of",
    "wait_for_widget",
]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).parent / "artifacts"


def launch_chromium(playwright: Any) -> Any:
    """Headless ``CHROMIUM`` with ``CHROMIUM_ARGS`` from a started ``sync_playwright()``."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def url_of(target: str | Path) -> str:
    """A URL for a page: http(s)/file URLs as they are, paths as file:// URLs."""
    text = str(target)
    if text.startswith(("http://", "https://", "file://")):
        return text
    return Path(text).resolve().as_uri()


def wait_for_widget(page: Any, selector: str = ".lmb-attn", timeout_ms: int = 30_000) -> Any:
    """Wait until the first widget matching ``selector`` has drawn; return its element handle."""
    page.wait_for_selector(f"{selector}[data-ready='1']", timeout=timeout_ms)
    return page.locator(selector).first


def pixels(element: Any) -> np.ndarray:
    """RGB pixels of an element's screenshot."""
    return np.asarray(Image.open(io.BytesIO(element.screenshot())).convert("RGB"), dtype=np.int16)


def check_click_changes_pixels(
    page: Any,
    target: str | Path | None,
    selector: str = ".lmb-attn",
    click: str = "button[data-head='1']",
    shot: str | None = None,
    timeout_ms: int = 30_000,
) -> float:
    """Open ``target``, click ``click`` inside the widget, assert its drawing changed.

    Returns the fraction of pixels that changed; saves before/after screenshots as
    ``artifacts/<shot>-before.png`` / ``-after.png`` when ``shot`` is given.
    """
    if target is not None:
        page.goto(url_of(target))
    widget = wait_for_widget(page, selector, timeout_ms)
    canvas = widget.locator("canvas, .lmb-tokens").first
    draws = int(widget.get_attribute("data-draws") or 0)
    before = pixels(canvas)
    if shot:
        ARTIFACTS.mkdir(exist_ok=True)
        widget.screenshot(path=str(ARTIFACTS / f"{shot}-before.png"))
    widget.locator(click).first.click()
    page.wait_for_function(
        "([el, n]) => Number(el.dataset.draws) > n", arg=[widget.element_handle(), draws]
    )
    after = pixels(canvas)
    if shot:
        widget.screenshot(path=str(ARTIFACTS / f"{shot}-after.png"))
    if before.shape != after.shape:
        return 1.0
    changed = float(np.any(before != after, axis=-1).mean())
    assert changed > 0.001, f"clicking {click!r} did not change the widget's pixels"
    return changed


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def jupyterlab_server(root: Path) -> Iterator[tuple[str, str, Path]]:
    """A real JupyterLab (the project's) on a free localhost port serving ``root``, with its own
    config folders; yields (url, token, server log). Raises RuntimeError if it does not start."""
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
    log_path = root / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        try:
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as r:
                        json.load(r)
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        tail = log_path.read_text()[-2000:]
                        raise RuntimeError(f"JupyterLab did not start: {tail}") from None
                    time.sleep(0.5)
            yield url, token, log_path
        finally:
            server.terminate()
            server.wait(timeout=30)
