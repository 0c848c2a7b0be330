"""lmbook.viz attention capture and AttentionWidget on small GPT, BERT, BART and LoRA models."""

from __future__ import annotations

import base64
from collections.abc import Callable

import numpy as np
import pytest
import torch
import traitlets
from transformers import GPT2LMHeadModel, PreTrainedTokenizerFast

from lmbook.viz import AttentionWidget, capture_attention
from lmbook.viz.payload import quantisation_error_bound, unpack_matrices

torch.set_num_threads(1)
TEXT = "今天天气很好，我们去公园散步。"


@pytest.fixture
def gpt(tiny_gpt: Callable[..., GPT2LMHeadModel]) -> Callable[..., GPT2LMHeadModel]:
    """``gpt(attn="eager")``: the GPT of these tests, 2 layers x 3 heads, in eval mode."""

    def build(attn: str = "eager") -> GPT2LMHeadModel:
        config = {"n_head": 3, "n_embd": 24, "vocab_size": 300, "n_positions": 64}
        return tiny_gpt(**config, attn_implementation=attn).eval()

    return build


def test_gpt_attention_is_causal_with_rollout(byte_tokenizer: PreTrainedTokenizerFast, gpt) -> None:
    model = gpt()
    data = capture_attention(model, byte_tokenizer, TEXT, merge_bytes=False)
    (block,) = data.blocks
    ids = byte_tokenizer(TEXT, return_tensors="pt")["input_ids"]
    with torch.no_grad():
        direct = torch.stack(model(ids, output_attentions=True).attentions)[:, 0].numpy()
    np.testing.assert_array_equal(block.weights, direct)
    assert block.causal and block.name == "self"
    assert block.rollout.shape == (2, ids.shape[1], ids.shape[1])
    np.testing.assert_allclose(block.rollout.sum(-1), 1.0, atol=1e-5)


def test_merged_characters_keep_rows_normalised(
    byte_tokenizer: PreTrainedTokenizerFast, gpt
) -> None:
    data = capture_attention(gpt(), byte_tokenizer, TEXT)
    texts = [t.text for t in data.sequences["text"]]
    assert "".join(texts) == "<s>" + TEXT + "</s>"
    assert len(texts) < len(byte_tokenizer(TEXT)["input_ids"])  # split characters were merged
    np.testing.assert_allclose(data.blocks[0].weights.sum(-1), 1.0, atol=1e-5)
    assert data.blocks[0].causal


def test_sdpa_model_is_switched_to_eager_and_back(
    byte_tokenizer: PreTrainedTokenizerFast, gpt
) -> None:
    model = gpt("sdpa")
    data = capture_attention(model, byte_tokenizer, TEXT)
    assert data.blocks[0].weights.shape[:2] == (2, 3)
    assert model.config._attn_implementation == "sdpa"


def test_bert_attention_is_not_causal(byte_tokenizer: PreTrainedTokenizerFast, tiny_bert) -> None:
    bert = tiny_bert(vocab_size=300, max_position_embeddings=64)
    data = capture_attention(bert, byte_tokenizer, TEXT)
    assert not data.blocks[0].causal


def test_encoder_decoder_has_three_blocks(
    byte_tokenizer: PreTrainedTokenizerFast, tiny_bart
) -> None:
    model = tiny_bart()  # 2 encoder layers x 2 heads, 1 decoder layer x 3 heads
    data = capture_attention(model, byte_tokenizer, TEXT, target="公园散步")
    enc, dec, cross = (data.block(n) for n in ("encoder", "decoder", "cross"))
    n_src, n_tgt = len(data.sequences["source"]), len(data.sequences["target"])
    assert enc.weights.shape == (2, 2, n_src, n_src) and not enc.causal
    assert dec.weights.shape == (1, 3, n_tgt, n_tgt) and dec.causal
    assert cross.weights.shape == (1, 3, n_tgt, n_src) and cross.rollout is None
    assert data.sequences["target"][0].ids == (1,)  # decoder starts with its start token
    with pytest.raises(ValueError, match="target="):
        capture_attention(model, byte_tokenizer, TEXT)
    widget = AttentionWidget(data, block="cross", head="mean")
    assert [b["name"] for b in widget.meta["blocks"]] == ["encoder", "decoder", "cross"]
    with pytest.raises(traitlets.TraitError, match="rollout"):
        widget.head = "rollout"


def test_lora_model_compared_with_its_base(byte_tokenizer: PreTrainedTokenizerFast, gpt) -> None:
    from peft import LoraConfig, get_peft_model

    base = gpt()
    before = capture_attention(base, byte_tokenizer, TEXT)
    lora = get_peft_model(
        gpt(),
        LoraConfig(r=2, target_modules=["c_attn"], fan_in_fan_out=True, init_lora_weights=False),
    )
    widget = AttentionWidget.from_model(
        lora, byte_tokenizer, TEXT, compare=base, names=("LoRA", "base"), source="diff", view="grid"
    )
    assert widget.meta["models"] == ["LoRA", "base"]
    out = unpack_matrices(widget.payload, widget.meta["payload"])
    np.testing.assert_allclose(
        out["1:self:attn"],
        before.blocks[0].weights,
        atol=float(quantisation_error_bound(before.blocks[0].weights).max()) + 1e-7,
    )
    assert np.abs(out["0:self:attn"] - out["1:self:attn"]).max() > 0.01  # LoRA changed attention


def test_widget_bundle_carries_a_png_and_validates(
    byte_tokenizer: PreTrainedTokenizerFast, gpt
) -> None:
    widget = AttentionWidget.from_model(gpt(), byte_tokenizer, TEXT, view="heatmap", head="rollout")
    data, _ = widget._repr_mimebundle_()
    assert set(data) == {"text/plain", "application/vnd.jupyter.widget-view+json", "image/png"}
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    n = len(widget.meta["sequences"]["text"])
    assert data["text/plain"] == f"AttentionWidget(A: 2 layers x 3 heads, {n}x{n} tokens, self)"
    with pytest.raises(traitlets.TraitError, match="layer"):
        widget.layer = 2
    with pytest.raises(traitlets.TraitError, match="head"):
        widget.head = "7"
    with pytest.raises(ValueError, match="shorter text"):
        capture_attention(gpt(), byte_tokenizer, TEXT, max_tokens=4)
    with pytest.raises(ValueError, match="same layers"):
        AttentionWidget.from_arrays(
            np.ones((1, 1, 2, 2)) / 2, ["a", "b"], compare=np.ones((2, 1, 2, 2)) / 2
        )
