"""Tests of the zoo's data pieces: packing, whole-word masking, task examples, quality metrics."""

from __future__ import annotations

import math

import pytest
import torch

from lmbook.data import NER_LABELS, load_peoples_daily
from lmbook.tokenization import load_tokenizer
from lmbook.zoo import corpus, quality, tasks


@pytest.fixture(scope="module")
def tok():
    return load_tokenizer("char")


@pytest.fixture(scope="module")
def tiny_gpt(tok):
    from transformers import GPT2LMHeadModel

    from lmbook.zoo.architectures import gpt_config

    torch.manual_seed(0)
    return GPT2LMHeadModel(gpt_config(tok, n_layer=1, n_embd=32, n_head=2)).eval()


def test_pack_stream_frames_every_text(tok):
    rows = corpus.pack_stream(tok, ["你好", "世界和平"], block=4)
    stream = tok("你好")["input_ids"] + tok("世界和平")["input_ids"]  # [CLS] … [SEP] each
    assert len(stream) == 10 and rows.shape == (2, 4)
    assert rows.flatten().tolist() == stream[:8]  # the incomplete last row is dropped


def test_pack_words_keeps_every_token_and_word(tok):
    sentences = [["人民", "日报"], ["江", "泽民", "说"], list("长" * 10)]
    packed = corpus.pack_words(tok, sentences, block=8)
    assert all(len(ids) <= 8 for ids, _ in packed)
    inner = [t for ids, _ in packed for t in ids[1:-1]]
    flat = tok([list(s) for s in sentences], is_split_into_words=True, add_special_tokens=False)
    assert inner == [t for row in flat["input_ids"] for t in row]
    words = [w for _, wid in packed for w in wid[1:-1]]
    assert words[:5] == [0, 0, 1, 1, 2] and words[5:8] == [3, 3, 4]
    assert all(ids[0] == tok.cls_token_id and ids[-1] == tok.sep_token_id for ids, _ in packed)


def test_whole_word_masking_masks_words_together(tok):
    torch.manual_seed(0)
    words = [list(w) for w in load_peoples_daily()["train"]["words"][:200]]
    packed = corpus.pack_words(tok, words)
    batch = corpus.MaskingCollator(tok, rate=0.15)(packed)
    chosen = batch["labels"] != -100
    assert 0.12 < chosen.sum() / batch["attention_mask"].sum() < 0.18
    for row, (_, wid) in enumerate(packed):
        wid_t = torch.tensor(wid)
        for w in wid_t[chosen[row, : len(wid)]].unique():
            assert chosen[row, : len(wid)][wid_t == w].all()  # a chosen word is chosen whole
    masked = batch["input_ids"][chosen] == tok.mask_token_id
    assert 0.7 < masked.float().mean() < 0.9


def test_masked_lm_loss_matches_the_model(tok):
    from transformers import BertForMaskedLM

    from lmbook.zoo.architectures import bert_config

    torch.manual_seed(0)
    model = BertForMaskedLM(bert_config(tok, num_hidden_layers=1, hidden_size=32)).eval()
    packed = corpus.pack_words(tok, [list("今天天气很好"), list("我们去公园")])
    batch = corpus.MaskingCollator(tok, rate=0.5, whole_word=False)(packed)
    assert corpus.masked_lm_loss(model, batch).item() == pytest.approx(model(**batch).loss.item())


def test_bits_per_character_matches_the_model_loss(tok, tiny_gpt):
    texts = ["今天天气很好。", "人民日报"]
    nats = 0.0
    for text in texts:
        ids = tok(text, return_tensors="pt")["input_ids"]
        nats += tiny_gpt(ids, labels=ids).loss.item() * (ids.shape[1] - 1)
    expected = nats / sum(len(t) + 1 for t in texts) / math.log(2)
    assert quality.bits_per_character(tiny_gpt, tok, texts) == pytest.approx(expected, rel=1e-5)


def test_bits_per_character_windows_long_text(tok, tiny_gpt):
    long = "中国人民" * 100  # 400 characters, more than n_positions=128
    bpc = quality.bits_per_character(tiny_gpt, tok, [long])
    assert math.isfinite(bpc) and bpc > 0
    # a random model is about uniform: log2(vocab) bits per character
    assert abs(bpc - math.log2(len(tok))) < 1.0


def test_masked_positions_and_unigram_baseline(tok):
    texts = ["的的的人", "人人的"]
    cases = quality.masked_positions(tok, texts, rate=0.5, seed=0)
    assert [len(p) for _, p in cases] == [2, 2]
    assert all(1 <= p <= len(ids) - 2 for ids, picks in cases for p in picks)
    acc = quality.unigram_mask_accuracy(tok, ["的的的人"], texts, rate=0.5, seed=0)
    best = tok.convert_tokens_to_ids("的")
    hits = sum(ids[p] == best for ids, picks in cases for p in picks)
    assert acc == hits / 4


def test_task_examples_are_aligned(tok):
    ner = tasks.ner_examples(tok, "train", 50)
    data = load_peoples_daily()["train"].select(range(50))
    for row, tags in zip(ner, data["ner"], strict=True):
        assert len(row["input_ids"]) == len(row["labels"])
        assert row["labels"][0] == row["labels"][-1] == -100
        assert [NER_LABELS[i] for i in row["labels"][1:-1]] == tags[:126]
    words = tasks.label_word_examples(tok, "train", 20, max_len=64)
    for row in words:
        assert len(row["input_ids"]) <= 64
        scored = [t for t in row["labels"] if t != -100]
        assert tok.decode(scored[:-1]).replace(" ", "") in tasks.LABEL_WORDS
    batch = tasks.pad_collate(tok)(tasks.sentiment_examples(tok, "train", 4))
    assert batch["labels"].shape == (4,) and batch["input_ids"].shape[1] <= 64
    rows = ner[:4]
    batch = tasks.pad_collate(tok)(rows)
    lengths = [len(r["input_ids"]) for r in rows]
    assert batch["attention_mask"].sum(1).tolist() == lengths  # right padding
    pad = batch["attention_mask"] == 0
    assert (batch["input_ids"][pad] == tok.pad_token_id).all()
    assert (batch["labels"][pad] == -100).all()
    assert batch["labels"][0, : lengths[0]].tolist() == rows[0]["labels"]
