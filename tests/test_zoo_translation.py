"""Tests of lmbook.zoo.translation and the shipped translation model ``mt-zh-en-tiny``: the
tokenizer, batching and baselines on small inputs, and the recorded test figures, re-measured on
the first ``MT_EVAL_SUBSET`` test pairs."""

from __future__ import annotations

import pytest
import torch

from lmbook import zoo
from lmbook.data import load_mt
from lmbook.metrics import corpus_scores
from lmbook.zoo import translation as mt
from lmbook.zoo.__main__ import describe

NAME = "mt-zh-en-tiny"


@pytest.fixture(autouse=True)
def _one_thread():
    torch.set_num_threads(1)


@pytest.fixture(scope="module")
def data():
    return load_mt()


@pytest.fixture(scope="module")
def small_tokenizer(data):
    texts = list(data["train"]["zh"][:2000]) + list(data["train"]["en"][:2000])
    return mt.build_mt_tokenizer(texts, 1500)


def test_tokenizer_round_trips_and_ends_with_eos(small_tokenizer):
    tok = small_tokenizer
    text = "Select the text 2024 OLE."
    ids = tok(text)["input_ids"]
    assert ids[-1] == tok.eos_token_id and tok.pad_token_id == 0
    assert tok.decode(ids, skip_special_tokens=True) == text
    assert "2" in tok.convert_ids_to_tokens(tok("2024")["input_ids"])  # single digits
    assert tok.unk_token_id not in tok("选择要在页面上居中的文字。")["input_ids"]


def test_padding_and_buckets(small_tokenizer, data):
    rows = mt.mt_examples(small_tokenizer, data["train"]["zh"][:300], data["train"]["en"][:300], 8)
    assert max(len(r["input_ids"]) for r in rows) == 8  # truncated
    batch = mt.pad_seq2seq(rows[:3], small_tokenizer.pad_token_id)
    assert batch["input_ids"].shape == batch["attention_mask"].shape
    for i, r in enumerate(rows[:3]):
        assert batch["attention_mask"][i].sum() == len(r["input_ids"])
        assert (batch["labels"][i] != -100).sum() == len(r["labels"])
    buckets = mt.length_buckets(rows, 64, seed=0)
    assert sorted(id(r) for b in buckets for r in b) == sorted(id(r) for r in rows)
    for b in buckets:
        longest = max(max(len(r["input_ids"]), len(r["labels"])) for r in b)
        assert longest * len(b) <= 64 or len(b) == 1


def test_a_tiny_marian_trains_and_translates_in_order(small_tokenizer, data):
    from transformers import MarianMTModel

    settings = {**mt.MT_DEFAULTS, "d_model": 32, "ffn": 64, "encoder_layers": 1}
    settings.update(decoder_layers=1, heads=2)
    torch.manual_seed(0)
    model = MarianMTModel(mt.mt_config(small_tokenizer, settings))
    rows = mt.mt_examples(small_tokenizer, data["train"]["zh"][:16], data["train"]["en"][:16], 32)
    batch = mt.pad_seq2seq(rows, small_tokenizer.pad_token_id)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    first = None
    for _ in range(30):
        loss = model(**batch).loss
        first = first if first is not None else loss.item()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < first - 1.0
    texts = ["插入表格", "选择要在页面上居中的文字。", "布局"]
    out = mt.translate(model, small_tokenizer, texts, max_new_tokens=5)
    alone = [mt.translate(model, small_tokenizer, [t], max_new_tokens=5)[0] for t in texts]
    assert out == alone and all(isinstance(t, str) for t in out)


def test_baselines(data):
    zh, en = list(data["train"]["zh"][:500]), list(data["train"]["en"][:500])
    assert mt.nearest_neighbour_baseline(zh, en, zh[:20]) == en[:20]
    assert mt.copy_baseline(["布局"]) == ["布局"]


def test_shipped_model_is_small_and_its_card_is_current():
    folder = zoo.model_dir(NAME)
    meta = zoo.model_meta(NAME)
    assert meta["weights_bytes"] == (folder / "model.safetensors").stat().st_size < 8.5e6
    assert meta["steps"] == meta["train_config"]["max_steps"]
    assert (folder / "README.md").read_text(encoding="utf-8") == mt.render_mt_card(meta)
    card = (folder / "README.md").read_text(encoding="utf-8")
    falling = meta["curve"]["val_loss"][-1] < meta["curve"]["val_loss"][-2]
    assert ("still falling" in card) == falling and ("no longer falling" in card) != falling
    q_ = meta["quality"]
    winner = "baseline" if q_["nearest_neighbour"]["bleu"] > q_["beam4"]["bleu"] else "model"
    assert f"Higher BLEU 较高的 BLEU: {winner}" in card
    assert NAME in describe(NAME) and "BLEU" in describe(NAME)
    q = meta["quality"]
    assert q["greedy"]["bleu"] > q["copy_source"]["bleu"] + 5
    curve = meta["curve"]["validation_bleu"]
    assert curve[-1]["bleu"] > curve[0]["bleu"]  # training helped


def test_shipped_model_reproduces_its_recorded_test_figures(data):
    model, tok = zoo.load(NAME)
    assert type(model).__name__ == "MarianMTModel"
    q = zoo.model_meta(NAME)["quality"]
    n = q["subset_pairs"]
    src, refs = list(data["test"]["zh"][:n]), list(data["test"]["en"][:n])
    hyps = mt.translate(model.float(), tok, src)
    got = corpus_scores(hyps, refs)
    assert got["bleu"] == pytest.approx(q["greedy"]["subset"]["bleu"], abs=0.5)
    assert got["chrf"] == pytest.approx(q["greedy"]["subset"]["chrf"], abs=0.5)
    nn = mt.nearest_neighbour_baseline(list(data["train"]["zh"]), list(data["train"]["en"]), src)
    assert corpus_scores(nn, refs)["bleu"] == q["nearest_neighbour"]["subset"]["bleu"]


def test_shipped_model_returns_cross_attention():
    model, tok = zoo.load(NAME)
    enc = tok("插入表格", return_tensors="pt")
    labels = tok(text_target="Insert Table", return_tensors="pt")["input_ids"]
    out = model(**enc, labels=labels, output_attentions=True)
    assert len(out.cross_attentions) == model.config.decoder_layers
    assert out.cross_attentions[0].shape[-1] == enc["input_ids"].shape[1]
    assert torch.allclose(out.cross_attentions[0].sum(-1), torch.ones(()), atol=1e-3)
