"""The widgets in a static HTML page built the way the book is: nbclient stores the widget state,
myst-nb (Sphinx) embeds it, ``booktools.sphinx_offline`` serves the scripts; no kernel, no CDN."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient
from widget_checks import ARTIFACTS, check_click_changes_pixels, wait_for_widget

CELLS = [
    """import numpy as np
from lmbook.viz import AttentionWidget, GradientFlowWidget, SaliencyWidget
rng = np.random.default_rng(0)
weights = np.tril(rng.random((2, 4, 12, 12)) ** 6)
weights /= weights.sum(-1, keepdims=True)
tokens = list("今天天气很好我们去公园散步")[:12]""",
    'AttentionWidget.from_arrays(weights, tokens, view="heatmap")',
    """steps = list(range(0, 40, 2))
norms = np.exp(rng.normal(size=(4, 20)))
GradientFlowWidget(["embedding", "L0 attention", "L0 mlp", "head"], steps, norms,
                   update_ratios=norms * 1e-3, clipped=[s % 10 == 0 for s in steps])""",
    'SaliencyWidget.from_scores(tokens, {"grad_x_input": rng.normal(size=12), '
    '"integrated_gradients": rng.normal(size=12)})',
]
STATE = "application/vnd.jupyter.widget-state+json"
ROOT = Path(__file__).resolve().parents[2]  # python -m sphinx there finds booktools


@pytest.fixture(scope="module")
def built_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Execute a notebook with nbclient, check what it stored, build it with Sphinx + myst-nb."""
    src = tmp_path_factory.mktemp("book")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = [cell.outputs[0]["data"] for cell in nb.cells[1:]]
    assert all("image/png" in data for data in outputs)  # static fallback in each bundle
    state = nb.metadata["widgets"][STATE]["state"]
    buffers = [b for model in state.values() for b in model.get("buffers", [])]
    assert {b["encoding"] for b in buffers} == {"base64"} and len(buffers) == 2
    nbformat.write(nb, src / "widgets.ipynb")
    (src / "index.md").write_text("# 测试\n\n```{toctree}\nwidgets\n```\n", encoding="utf-8")
    (src / "conf.py").write_text(
        'extensions = ["myst_nb", "booktools.sphinx_offline"]\n'
        'nb_execution_mode = "off"\nhtml_theme = "basic"\nlanguage = "zh_CN"\n',
        encoding="utf-8",
    )
    out = src / "_build"
    subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(src), str(out)],
        check=True,
        cwd=ROOT,
    )
    return out / "widgets.html"


def test_page_embeds_state_with_local_scripts(built_page: Path) -> None:
    html = built_page.read_text(encoding="utf-8")
    assert f'<script type="{STATE}">' in html and '"encoding": "base64"' in html
    assert "_static/lmbook-widgets/embed-amd.js" in html and "cdn.jsdelivr" not in html
    assert (built_page.parent / "_static" / "lmbook-widgets" / "anywidget.js").is_file()


def test_attention_switches_head_without_kernel(page: Any, built_page: Path) -> None:
    changed = check_click_changes_pixels(page, built_page, shot="static-attention")
    assert page.blocked == [] and page.errors == []
    assert changed > 0.01
    for view in ("lines", "grid"):
        draws = int(page.locator(".lmb-attn").get_attribute("data-draws"))
        page.click(f".lmb-attn button[data-view='{view}']")
        page.wait_for_function(f"document.querySelector('.lmb-attn').dataset.draws > {draws}")
        page.locator(".lmb-attn").screenshot(path=str(ARTIFACTS / f"static-attention-{view}.png"))
    page.screenshot(path=str(ARTIFACTS / "static-page.png"), full_page=True)


def test_gradient_and_saliency_widgets_respond(page: Any, built_page: Path) -> None:
    page.goto(built_page.resolve().as_uri())
    wait_for_widget(page, ".lmb-grad")
    check_click_changes_pixels(
        page, None, ".lmb-grad", "button[data-metric='update_ratio']", shot="static-gradient"
    )
    check_click_changes_pixels(
        page, None, ".lmb-saliency", "button[data-method='grad_x_input']", shot="static-saliency"
    )
    assert page.errors == []


def test_hover_shows_raw_pieces(page: Any, built_page: Path) -> None:
    page.goto(built_page.resolve().as_uri())
    widget = wait_for_widget(page)
    box = widget.locator("canvas").bounding_box()
    page.mouse.move(box["x"] + box["width"] - 20, box["y"] + box["height"] - 20)
    tip = widget.locator(".lmb-tip")
    assert "←" in tip.inner_text() and json.dumps("散", ensure_ascii=False) in tip.inner_text()
