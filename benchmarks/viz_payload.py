"""Attention widget payload vs bertviz-style JSON for a 12 x 12-head model at 128 and 512 tokens.

    python benchmarks/viz_payload.py            # sizes and ratios
    python benchmarks/viz_payload.py --browser  # also time drawing in headless Chromium at 512

The models are GPT-2 (causal) and BERT (bidirectional) built from config with random weights, in
eager attention; random init gives near-uniform attention, the hardest case for compression
(trained models attend sparsely and compress better). bertviz sends ``json.dumps`` of the
attention as nested lists of floats; its size is summed layer by layer (exact, less memory).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from lmbook.viz import AttentionWidget

LAYERS = HEADS = 12
ROOT = Path(__file__).resolve().parents[1]
BROWSER_CHECKS = ROOT / "tests" / "browser"


def attention(kind: str, n_tokens: int) -> np.ndarray:
    """``[12, 12, T, T]`` attention of a randomly initialised GPT-2 or BERT on random tokens."""
    from transformers import BertConfig, BertModel, GPT2Config, GPT2Model

    torch.manual_seed(0)
    if kind == "gpt":
        config = GPT2Config(
            n_layer=LAYERS, n_head=HEADS, n_embd=192, vocab_size=1000, n_positions=512,
            attn_implementation="eager",
        )  # fmt: skip
        model = GPT2Model(config)
    else:
        config = BertConfig(
            num_hidden_layers=LAYERS, num_attention_heads=HEADS, hidden_size=192,
            intermediate_size=384, vocab_size=1000, max_position_embeddings=512,
            attn_implementation="eager",
        )  # fmt: skip
        model = BertModel(config)
    ids = torch.randint(0, 1000, (1, n_tokens), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        out = model.eval()(ids, output_attentions=True)
    return torch.stack(out.attentions)[:, 0].numpy()


def bertviz_json_bytes(weights: np.ndarray, tokens: list[str]) -> tuple[int, float]:
    """Size of bertviz's ``json.dumps([{"attn": ..., "left_text": ..., "right_text": ...}])``."""
    start = time.perf_counter()
    layers = sum(len(json.dumps(layer.tolist())) for layer in weights) + 2 * (len(weights) - 1) + 2
    text = len(json.dumps(tokens, ensure_ascii=False).encode("utf-8"))
    wrapper = len('[{"name": null, "attn": , "left_text": , "right_text": }]')
    return layers + 2 * text + wrapper, time.perf_counter() - start


def measure(kinds: list[str], sizes: list[int]) -> dict[tuple[str, int], AttentionWidget]:
    """Print one row per model kind and token count; return the widgets."""
    widgets = {}
    print(f"{'model':5} {'tokens':>6} {'bertviz JSON':>14} {'ours':>11} {'ours b64':>11} "
          f"{'ratio':>6} {'ratio b64':>9} {'build':>7} {'json':>7}")  # fmt: skip
    for kind in kinds:
        for n in sizes:
            weights = attention(kind, n)
            tokens = [chr(0x4E00 + i) for i in range(n)]
            start = time.perf_counter()
            widget = AttentionWidget.from_arrays(weights, tokens, view="heatmap")
            build = time.perf_counter() - start
            ours = len(widget.payload)
            b64 = 4 * -(-ours // 3)
            size, json_s = bertviz_json_bytes(weights, tokens)
            mb = f"{size / 1e6:>11.1f} MB {ours / 1e6:>8.2f} MB {b64 / 1e6:>8.2f} MB"
            ratios = f"{size / ours:>5.1f}x {size / b64:>8.1f}x"
            print(f"{kind:5} {n:>6} {mb} {ratios} {build:>6.2f}s {json_s:>6.1f}s")
            widgets[(kind, n)] = widget
    return widgets


def browser_timings(widget: AttentionWidget) -> None:
    """Open the widget as a static page in headless Chromium and time loading and view changes."""
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(BROWSER_CHECKS))  # the browser tests' launcher: one Chromium setup
    sys.path.insert(0, str(ROOT))  # booktools: the book's tooling, not installed with lmbook
    from widget_checks import launch_chromium

    from booktools.export import save_html

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        page_path = save_html([widget], tmp)
        browser = launch_chromium(pw)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        start = time.perf_counter()
        page.goto(Path(page_path).as_uri())
        page.wait_for_selector(".lmb-attn[data-ready='1']", timeout=120_000)
        print(f"page load to first heatmap: {time.perf_counter() - start:.2f} s (incl. inflate)")
        steps = [
            ("head 3 (heatmap)", "button[data-head='3']"),
            ("head mean", "button[data-head='mean']"),
            ("head max", "button[data-head='max']"),
            ("rollout", "button[data-head='rollout']"),
            ("layer 11", "button[data-layer='11']"),
            ("lines view", "button[data-view='lines']"),
            ("head 5 (lines)", "button[data-head='5']"),
            ("grid view (144 heads)", "button[data-view='grid']"),
            ("hide sink (grid)", "input[type='checkbox']"),
            ("heatmap view", "button[data-view='heatmap']"),
        ]
        for label, selector in steps:
            draws = int(page.get_attribute(".lmb-attn", "data-draws"))
            start = time.perf_counter()
            page.click(f".lmb-attn {selector}")
            page.wait_for_function(
                f"Number(document.querySelector('.lmb-attn').dataset.draws) > {draws}"
            )
            wall = time.perf_counter() - start
            draw = page.get_attribute(".lmb-attn", "data-draw-ms")
            print(f"  {label:24} draw {draw:>7} ms   click-to-drawn {wall * 1000:7.0f} ms")
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, nargs="+", default=[128, 512])
    parser.add_argument("--models", nargs="+", default=["gpt", "bert"], choices=["gpt", "bert"])
    parser.add_argument("--browser", action="store_true", help="time drawing in headless Chromium")
    args = parser.parse_args()
    torch.set_num_threads(1)
    widgets = measure(args.models, args.tokens)
    if args.browser:
        kind, n = args.models[-1], max(args.tokens)
        print(f"\nbrowser, {kind} {LAYERS}x{HEADS} at {n} tokens:")
        browser_timings(widgets[(kind, n)])


if __name__ == "__main__":
    main()
