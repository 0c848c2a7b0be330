"""Fixtures for real-browser tests: headless Chromium via Playwright, offline.

Without /usr/bin/chromium (or Playwright) the tests skip with one line; with CI=true that is a
failure instead, so the browser tests never silently stop running.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from widget_checks import CHROMIUM, launch_chromium


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests need {reason} (CI=true: not skipping)")
    pytest.skip(f"browser tests need {reason}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package")
    with sync_playwright() as pw:
        chromium = launch_chromium(pw)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page that refuses every http(s) request outside localhost and records page errors."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.blocked = []
    page.errors = []

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(("http://127.0.0.1", "http://localhost", "ws://")):
            r.continue_()
        else:
            page.blocked.append(url)
            r.abort()

    page.route("http*://**", route)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()
