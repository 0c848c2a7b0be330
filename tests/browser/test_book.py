"""Build the HTML book the way `make book` does and check what a reader gets.

The build runs once (module fixture) into a temporary folder with warnings as errors; the
checks then read the generated pages (Chinese search, offline assets, launch links, exercises)
and open them in headless Chromium: the saved widgets work without a kernel or a network.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from widget_checks import check_click_changes_pixels, wait_for_widget

from booktools.notebook import REPOSITORY_URL

ROOT = Path(__file__).resolve().parents[2]
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")
HUB = "https://hub.example.edu"  # what an instructor passes as make book JUPYTERHUB_URL=...


@pytest.fixture(scope="module")
def html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("book")
    config = out / "_config.yml"
    write = [sys.executable, "-m", "booktools.book_config", HUB, str(config)]
    subprocess.run(write, cwd=ROOT, check=True)
    build = ["build", "-W", "-n", "--keep-going", "--config", str(config), "--path-output"]
    proc = subprocess.run(
        [str(JUPYTER_BOOK), *build, str(out), "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    yield out / "_build" / "html"
    shutil.rmtree(out, ignore_errors=True)


def _pages(html: Path) -> list[Path]:
    return sorted(p for p in html.rglob("*.html") if "_static" not in p.parts)


def test_chinese_full_text_search(html: Path) -> None:
    """Every Han character and adjacent pair is indexed (booktools.search); test_search.py
    searches the built book for every term, heading and bold phrase in a browser."""
    raw = (html / "searchindex.js").read_text(encoding="utf-8")
    terms = json.loads(raw[raw.index("(") + 1 : raw.rindex(")")])["terms"]
    for word in ("熵", "秩", "困惑", "惑度", "贝叶", "叶斯", "奇异", "异值"):
        assert word in terms, f"{word} is not in the search index (is booktools.search on?)"


def test_interface_is_chinese(html: Path) -> None:
    page = (html / "book" / "intro.html").read_text(encoding="utf-8")
    assert 'lang="zh-CN"' in page or 'lang="zh_CN"' in page
    assert "搜索" in page
    assert "用代码检查自己的每一个结论" in page, "a wrapped Chinese line left a space (sphinx_cjk)"
    tour = (html / "book" / "tour.html").read_text(encoding="utf-8")
    assert "适配器时，模型的输出" in tour, "a line break in a notebook paragraph with math"


def test_no_asset_comes_from_a_cdn(html: Path) -> None:
    for page in _pages(html):
        text = page.read_text(encoding="utf-8")
        remote = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', text)
        assert not remote, f"{page.name} loads {remote[0]} from the network"


def test_notebook_pages_have_launch_links_and_exercises(html: Path) -> None:
    repo = REPOSITORY_URL.removeprefix("https://github.com/")
    notebooks = sorted((ROOT / "book").rglob("*.ipynb"))
    assert notebooks
    for nb in notebooks:
        rel = nb.relative_to(ROOT)
        page = (html / rel.with_suffix(".html")).read_text(encoding="utf-8")
        assert (
            f"colab.research.google.com/github/{repo}/blob/main/colab/{rel}" in page
        )  # make colab
        assert f"mybinder.org/v2/gh/{repo}/main?urlpath=lab/tree/{rel}" in page
        query = urlencode(
            {"repo": REPOSITORY_URL, "urlpath": f"lab/tree/lmbook/{rel}", "branch": "main"},
            safe="/",
        )
        assert f"{HUB}/hub/user-redirect/git-pull?{query}" in page
        assert re.search(r"练习 \d+", page) and "解答" in page, f"{rel}: exercises did not render"
        assert "dropdown" in page


def test_saved_widgets_work_in_the_built_book(html: Path, page: Any) -> None:
    tour = html / "book" / "tour.html"
    changed = check_click_changes_pixels(page, tour, shot="book-tour")  # clicks head 1
    assert changed > 0.001
    for selector in (".lmb-grad", ".lmb-saliency"):
        assert wait_for_widget(page, selector).is_visible(), f"{selector} did not render"
    assert not page.blocked, f"the page tried to load {page.blocked[:3]}"
    # sphinx-thebe (always loaded by Jupyter Book 1, unused here) declares THEBE_JS_URL twice on
    # every page; that error is the theme's, not the widgets'
    errors = [e for e in page.errors if "THEBE_JS_URL" not in e]
    assert not errors, errors[:3]
