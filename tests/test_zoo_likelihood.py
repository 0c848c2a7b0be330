"""Tests of lmbook.zoo.likelihood and lmbook.zoo.fewshot: whole-text log-likelihoods equal the
chain rule computed one text at a time, whatever the batch; few-shot prompts have the documented
layout, the draws are reproducible, and the shipped record is reproduced live."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lmbook.zoo import label_logprobs, load, text_logprobs
from lmbook.zoo.fewshot import (
    SETUP,
    few_shot_prompt,
    few_shot_run,
    load_record,
    sample_demos,
)
from lmbook.zoo.fewshot import test_indices as shuffled_test_rows


@pytest.fixture(scope="module")
def gpt():
    torch.set_num_threads(1)
    return load("gpt-zh-tiny")


def test_text_logprobs_is_the_chain_rule(gpt):
    model, tok = gpt
    texts = ["今天天气很好。", "一", "中国人民银行今天发布公告,下调存款准备金率。"]
    lps = text_logprobs(model, tok, texts, batch_size=2)
    for text, lp in zip(texts, lps, strict=True):
        ids = [
            tok.cls_token_id,
            *tok(text, add_special_tokens=False)["input_ids"],
            tok.sep_token_id,
        ]
        assert lp.shape == (len(ids) - 1,) and lp.dtype == np.float64
        with torch.no_grad():
            logp = model(input_ids=torch.tensor([ids])).logits[0].log_softmax(-1)
        np.testing.assert_allclose(
            lp, [float(logp[t - 1, ids[t]]) for t in range(1, len(ids))], atol=1e-5
        )
        whole = label_logprobs(model, tok, [[tok.cls_token_id]], [ids[1:]])[0, 0]
        assert float(whole) == pytest.approx(lp.sum(), abs=1e-3)
    assert all(lp.max() < 0 for lp in lps)


def test_text_logprobs_does_not_depend_on_the_batch(gpt):
    model, tok = gpt
    texts = ["好", "这本书写得很好,值得一读。", "质量太差"]
    together = text_logprobs(model, tok, texts)
    for text, lp in zip(texts, together, strict=True):
        np.testing.assert_allclose(text_logprobs(model, tok, [text])[0], lp, atol=1e-5)


def test_text_logprobs_rejects_texts_longer_than_the_context(gpt):
    model, tok = gpt
    with pytest.raises(ValueError, match="exceed the context"):
        text_logprobs(model, tok, ["字" * 200])


def test_few_shot_prompt_layout(gpt):
    _, tok = gpt
    enc = lambda s: tok(s, add_special_tokens=False)["input_ids"]  # noqa: E731
    long = "这家店的东西真的很不错,下次还会再来买的,推荐大家购买。"
    assert few_shot_prompt(tok, [], long) == [
        tok.cls_token_id,
        *enc(long)[: SETUP["query_tokens"]],
        *enc("。评价:"),
    ]
    demos = [("质量太差了,不推荐", 0), (long, 1)]
    ids = few_shot_prompt(tok, demos, "还行")
    expected = [tok.cls_token_id]
    expected += [*enc("质量太差了,不推荐"), *enc("。评价:负面"), tok.sep_token_id]
    expected += [*enc(long)[: SETUP["demo_tokens"]], *enc("。评价:正面"), tok.sep_token_id]
    assert ids == [*expected, *enc("还行"), *enc("。评价:")]


def test_draws_are_reproducible():
    order = shuffled_test_rows()
    assert sorted(order) == list(range(len(order)))  # a permutation of the test split
    assert shuffled_test_rows(10) == order[:10] and order[:10] != list(range(10))
    assert sample_demos(4, 0) == sample_demos(4, 0) != sample_demos(4, 1)
    assert len({t for t, _ in sample_demos(8, 3)}) == 8


def test_record_is_reproduced_live(gpt):
    model, tok = gpt
    record = load_record()
    assert record["config"] == SETUP
    runs = {(r["k"], r["seed"]): r for r in record["runs"]}
    assert set(runs) == {(0, 0)} | {(k, s) for k in SETUP["shots"][1:] for s in SETUP["seeds"]}
    assert all(len(r["raw"]) == SETUP["n_test"] for r in record["runs"])
    live = few_shot_run(model, tok, k=2, seed=1, n_test=20)
    assert live["raw"] == runs[2, 1]["raw"][:20]
    assert live["calibrated"] == runs[2, 1]["calibrated"][:20]
    assert live["demo_labels"] == runs[2, 1]["demo_labels"]
