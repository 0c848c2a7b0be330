"""lmbook.viz attention capture and AttentionWidget on small GPT, BERT, BART and LoRA models."""

from __future__ import annotations

import base64

import numpy as np
import pytest
import torch
import traitlets
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import (
    BartConfig,
    BartForConditionalGeneration,
    BertConfig,
    BertForMaskedLM,
    GPT2Config,
    GPT2LMHeadModel,
    PreTrainedTokenizerFast,
)

from lmbook.viz import AttentionWidget, capture_attention
from lmbook.viz.payload import quantisation_error_bound, unpack_matrices

torch.set_num_threads(1)
TEXT = "今天天气很好，我们去公园散步。"


@pytest.fixture(scope="module")
def tokenizer() -> PreTrainedTokenizerFast:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=300,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=["<s>", "</s>", "<pad>", "<mask>"],
        show_progress=False,
    )
    tok.train_from_iterator([TEXT, "人民日报发表社论。", "大语言模型"] * 5, trainer)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 1)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        mask_token="<mask>",
    )


def _gpt(attn: str = "eager") -> GPT2LMHeadModel:
    torch.manual_seed(0)
    config = GPT2Config(
        n_layer=2,
        n_head=3,
        n_embd=24,
        vocab_size=300,
        n_positions=64,
        bos_token_id=0,
        eos_token_id=1,
        attn_implementation=attn,
    )
    return GPT2LMHeadModel(config).eval()


def test_gpt_attention_is_causal_with_rollout(tokenizer: PreTrainedTokenizerFast) -> None:
    model = _gpt()
    data = capture_attention(model, tokenizer, TEXT, merge_bytes=False)
    (block,) = data.blocks
    ids = tokenizer(TEXT, return_tensors="pt")["input_ids"]
    with torch.no_grad():
        direct = torch.stack(model(ids, output_attentions=True).attentions)[:, 0].numpy()
    np.testing.assert_array_equal(block.weights, direct)
    assert block.causal and block.name == "self"
    assert block.rollout.shape == (2, ids.shape[1], ids.shape[1])
    np.testing.assert_allclose(block.rollout.sum(-1), 1.0, atol=1e-5)


def test_merged_characters_keep_rows_normalised(tokenizer: PreTrainedTokenizerFast) -> None:
    data = capture_attention(_gpt(), tokenizer, TEXT)
    texts = [t.text for t in data.sequences["text"]]
    assert "".join(texts) == "<s>" + TEXT + "</s>"
    assert len(texts) < len(tokenizer(TEXT)["input_ids"])  # split characters were merged
    np.testing.assert_allclose(data.blocks[0].weights.sum(-1), 1.0, atol=1e-5)
    assert data.blocks[0].causal


def test_sdpa_model_is_switched_to_eager_and_back(tokenizer: PreTrainedTokenizerFast) -> None:
    model = _gpt("sdpa")
    data = capture_attention(model, tokenizer, TEXT)
    assert data.blocks[0].weights.shape[:2] == (2, 3)
    assert model.config._attn_implementation == "sdpa"


def test_bert_attention_is_not_causal(tokenizer: PreTrainedTokenizerFast) -> None:
    config = BertConfig(
        vocab_size=300,
        hidden_size=24,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=48,
        max_position_embeddings=64,
        attn_implementation="eager",
    )
    data = capture_attention(BertForMaskedLM(config), tokenizer, TEXT)
    assert not data.blocks[0].causal


def test_encoder_decoder_has_three_blocks(tokenizer: PreTrainedTokenizerFast) -> None:
    config = BartConfig(
        vocab_size=300,
        d_model=24,
        encoder_layers=2,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=3,
        encoder_ffn_dim=48,
        decoder_ffn_dim=48,
        max_position_embeddings=64,
        pad_token_id=2,
        bos_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=1,
        attn_implementation="eager",
    )
    model = BartForConditionalGeneration(config)
    data = capture_attention(model, tokenizer, TEXT, target="公园散步")
    enc, dec, cross = (data.block(n) for n in ("encoder", "decoder", "cross"))
    n_src, n_tgt = len(data.sequences["source"]), len(data.sequences["target"])
    assert enc.weights.shape == (2, 2, n_src, n_src) and not enc.causal
    assert dec.weights.shape == (1, 3, n_tgt, n_tgt) and dec.causal
    assert cross.weights.shape == (1, 3, n_tgt, n_src) and cross.rollout is None
    assert data.sequences["target"][0].ids == (1,)  # decoder starts with its start token
    with pytest.raises(ValueError, match="target="):
        capture_attention(model, tokenizer, TEXT)
    widget = AttentionWidget(data, block="cross", head="mean")
    assert [b["name"] for b in widget.meta["blocks"]] == ["encoder", "decoder", "cross"]
    with pytest.raises(traitlets.TraitError, match="rollout"):
        widget.head = "rollout"


def test_lora_model_compared_with_its_base(tokenizer: PreTrainedTokenizerFast) -> None:
    from peft import LoraConfig, get_peft_model

    base = _gpt()
    before = capture_attention(base, tokenizer, TEXT)
    lora = get_peft_model(
        _gpt(),
        LoraConfig(r=2, target_modules=["c_attn"], fan_in_fan_out=True, init_lora_weights=False),
    )
    widget = AttentionWidget.from_model(
        lora, tokenizer, TEXT, compare=base, names=("LoRA", "base"), source="diff", view="grid"
    )
    assert widget.meta["models"] == ["LoRA", "base"]
    out = unpack_matrices(widget.payload, widget.meta["payload"])
    np.testing.assert_allclose(
        out["1:self:attn"],
        before.blocks[0].weights,
        atol=float(quantisation_error_bound(before.blocks[0].weights).max()) + 1e-7,
    )
    assert np.abs(out["0:self:attn"] - out["1:self:attn"]).max() > 0.01  # LoRA changed attention


def test_widget_bundle_carries_a_png_and_validates(tokenizer: PreTrainedTokenizerFast) -> None:
    widget = AttentionWidget.from_model(_gpt(), tokenizer, TEXT, view="heatmap", head="rollout")
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
        capture_attention(_gpt(), tokenizer, TEXT, max_tokens=4)
    with pytest.raises(ValueError, match="same layers"):
        AttentionWidget.from_arrays(
            np.ones((1, 1, 2, 2)) / 2, ["a", "b"], compare=np.ones((2, 1, 2, 2)) / 2
        )
