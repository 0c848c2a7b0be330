"""Memorisation and preference probes on the shipped GPT (lmbook.zoo.probes)."""

import numpy as np
import pytest
import torch

from lmbook.zoo import continuation_probe, label_logprobs, load, pair_preference


@pytest.fixture(scope="module")
def gpt():
    return load("gpt-zh-tiny")


def test_greedy_continuation_equals_step_by_step_argmax(gpt):
    model, tok = gpt
    texts = ["国务院总理李鹏今天在人民大会堂会见了来访的外国客人，双方就两国关系交换了意见。"] * 2
    texts[1] = "中国共产党第十五次全国代表大会在北京胜利召开，大会选举产生了新的中央委员会。"
    probe = continuation_probe(model, tok, texts, prefix=10, length=6)
    for i, text in enumerate(texts):
        run = torch.tensor(
            [[tok.cls_token_id, *tok(text, add_special_tokens=False)["input_ids"][:10]]]
        )
        with torch.no_grad():
            for _ in range(6):
                run = torch.cat(
                    [run, model(input_ids=run).logits[:, -1].argmax(-1, keepdim=True)], 1
                )
        assert probe.greedy[i].tolist() == run[0, 11:].tolist()
    assert probe.logprob.shape == (2,) and (probe.logprob < 0).all()
    assert ((probe.matched >= 0) & (probe.matched <= 6)).all()
    assert (probe.exact == (probe.matched == 6)).all()


def test_a_text_that_is_its_own_greedy_continuation_is_extracted(gpt):
    model, tok = gpt
    head = "人民日报北京一月一日电"
    probe = continuation_probe(model, tok, [head + "的的的的的的的的"], prefix=len(head), length=8)
    ids = [tok.cls_token_id, *tok(head, add_special_tokens=False)["input_ids"], *probe.greedy[0]]
    again = continuation_probe(model, tok, [tok.decode(ids[1:]).replace(" ", "")], len(head), 8)
    assert again.exact[0] and again.matched[0] == 8
    with pytest.raises(ValueError):
        continuation_probe(model, tok, ["太短"], prefix=4, length=4)


def test_pair_preference_is_a_log_probability_difference(gpt):
    model, tok = gpt
    items = [("中国的首都是", "北京", "上海"), ("这位医生说，", "他", "她")]
    pref = pair_preference(model, tok, items)
    for (prompt, a, b), value in zip(items, pref, strict=True):
        s = label_logprobs(model, tok, [prompt], [a, b])[0]
        assert value == pytest.approx(float(s[0] - s[1]), abs=1e-5)
    flipped = pair_preference(model, tok, [(p, b, a) for p, a, b in items])
    np.testing.assert_allclose(flipped, -pref, atol=1e-5)
