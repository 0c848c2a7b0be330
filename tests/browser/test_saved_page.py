"""Real models' attention in a page saved by ``lmbook.viz.export.save_html`` (same embedding as
the book): byte-level Chinese tokens, encoder-decoder blocks and a two-model difference."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import (
    BartConfig,
    BartForConditionalGeneration,
    GPT2Config,
    GPT2LMHeadModel,
    PreTrainedTokenizerFast,
)
from widget_checks import ARTIFACTS, check_click_changes_pixels, wait_for_widget

from lmbook.viz import AttentionWidget
from lmbook.viz.export import save_html

TEXT = "今天天气很好，我们去公园散步。"


@pytest.fixture(scope="module")
def saved_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.set_num_threads(1)
    torch.manual_seed(0)
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=280, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False
    )
    tok.train_from_iterator([TEXT, "大语言模型与轻量级微调"] * 3, trainer)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=tok)
    gpt = dict(n_layer=2, n_head=4, n_embd=32, vocab_size=280, n_positions=64)
    base = GPT2LMHeadModel(GPT2Config(**gpt, attn_implementation="eager"))
    tuned = GPT2LMHeadModel(GPT2Config(**gpt, attn_implementation="eager"))
    bart = BartForConditionalGeneration(
        BartConfig(
            vocab_size=280, d_model=32, encoder_layers=2, decoder_layers=2,
            encoder_attention_heads=4, decoder_attention_heads=4, encoder_ffn_dim=64,
            decoder_ffn_dim=64, max_position_embeddings=64, decoder_start_token_id=0,
            attn_implementation="eager",
        )
    )  # fmt: skip
    widgets = [
        AttentionWidget.from_model(base, tokenizer, TEXT, compare=tuned, names=("base", "LoRA")),
        AttentionWidget.from_model(bart, tokenizer, TEXT, target="公园散步", view="heatmap"),
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
