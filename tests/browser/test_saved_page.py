"""Real models' attention in a page saved by ``booktools.export.save_html`` (same embedding as
the book): byte-level Chinese tokens, encoder-decoder blocks and a two-model difference."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch
from transformers import PreTrainedModel, PreTrainedTokenizerFast
from widget_checks import ARTIFACTS, check_click_changes_pixels, wait_for_widget

from booktools.export import save_html
from lmbook.viz import AttentionWidget

TEXT = "今天天气很好，我们去公园散步。"


@pytest.fixture(scope="module")
def saved_page(
    tmp_path_factory: pytest.TempPathFactory,
    byte_tokenizer: PreTrainedTokenizerFast,
    tiny_gpt: Callable[..., PreTrainedModel],
    tiny_bart: Callable[..., PreTrainedModel],
) -> Path:
    torch.set_num_threads(1)
    gpt = {"n_head": 4, "n_embd": 32, "vocab_size": 300, "n_positions": 64}
    base = tiny_gpt(seed=0, **gpt, attn_implementation="eager")
    tuned = tiny_gpt(seed=1, **gpt, attn_implementation="eager")
    heads = {"encoder_attention_heads": 4, "decoder_attention_heads": 4}
    bart = tiny_bart(d_model=32, decoder_layers=2, encoder_ffn_dim=64, decoder_ffn_dim=64, **heads)
    widgets = [
        AttentionWidget.from_model(
            base, byte_tokenizer, TEXT, compare=tuned, names=("base", "LoRA")
        ),
        AttentionWidget.from_model(bart, byte_tokenizer, TEXT, target="公园散步", view="heatmap"),
    ]
    return save_html(widgets, tmp_path_factory.mktemp("saved"))


def test_byte_level_tokens_show_characters_and_raw_pieces(page: Any, saved_page: Path) -> None:
    page.goto(saved_page.resolve().as_uri())
    widget = wait_for_widget(page)
    box = widget.locator("canvas").bounding_box()
    page.mouse.move(box["x"] + 10, box["y"] + 4 + 20 * 1.5)  # second query token, left column
    tip = widget.locator(".lmb-tip").inner_text()
    text, pieces = tip.split(" ← ")
    assert text.strip('"') in TEXT  # displayed: whole characters
    assert all(ord(ch) < 0x2E80 for p in pieces.split(" id")[0] for ch in p)  # raw: byte pieces
    widget.screenshot(path=str(ARTIFACTS / "saved-lines-hover.png"))
    check_click_changes_pixels(page, None, click="button[data-source='diff']", shot="saved-diff")


def test_encoder_decoder_blocks_switch(page: Any, saved_page: Path) -> None:
    page.goto(saved_page.resolve().as_uri())
    wait_for_widget(page)
    page.wait_for_selector(".lmb-attn >> nth=1")
    page.evaluate("document.querySelectorAll('.lmb-attn')[0].remove()")
    check_click_changes_pixels(page, None, click="button[data-block='cross']", shot="saved-cross")
    assert page.errors == []
