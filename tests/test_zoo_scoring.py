"""Tests of lmbook.zoo.scoring: label log-likelihoods equal the chain rule computed by hand, do
not depend on batching, equal peft's own loss through every kind of adapter (virtual tokens
included), and the prediction is their argmax (calibration shifts it); the label-word classifier
of lmbook.zoo.tasks is the same computation."""

from __future__ import annotations

import pytest
import torch

from lmbook.zoo import label_logprobs, load, zero_shot_predict


@pytest.fixture(scope="module")
def gpt():
    torch.set_num_threads(1)
    return load("gpt-zh-tiny")


def _by_hand(model, tok, prompt: str, label: str) -> float:
    head = [tok.cls_token_id] + tok(prompt, add_special_tokens=False)["input_ids"]
    tail = tok(label, add_special_tokens=False)["input_ids"]
    ids = torch.tensor([head + tail])
    with torch.no_grad():
        logp = model(input_ids=ids).logits[0].log_softmax(-1)
    return sum(float(logp[len(head) + i - 1, t]) for i, t in enumerate(tail))


def test_scores_are_the_chain_rule(gpt):
    model, tok = gpt
    prompts = ["这家店的菜很好吃。评价:", "太差了。评价:", "一般。评价:"]
    labels = ["正面", "负面", "好"]
    scores = label_logprobs(model, tok, prompts, labels)
    assert scores.shape == (3, 3)
    for i, p in enumerate(prompts):
        for k, w in enumerate(labels):
            assert scores[i, k].item() == pytest.approx(_by_hand(model, tok, p, w), abs=1e-4)
    mean = label_logprobs(model, tok, prompts, labels, reduce="mean")
    torch.testing.assert_close(mean[:, 2], scores[:, 2])  # one-character label
    torch.testing.assert_close(mean[:, :2], scores[:, :2] / 2)


def test_batching_does_not_matter(gpt):
    model, tok = gpt
    prompts = ["好。评价:", "这个手机用了一个月就坏了，再也不买了。评价:", "还行。评价:"]
    whole = label_logprobs(model, tok, prompts, ["正面", "负面"])
    one_by_one = label_logprobs(model, tok, prompts, ["正面", "负面"], batch_size=1)
    torch.testing.assert_close(whole, one_by_one, atol=1e-4, rtol=0)
    ids = [[tok.cls_token_id] + tok(p, add_special_tokens=False)["input_ids"] for p in prompts]
    torch.testing.assert_close(label_logprobs(model, tok, ids, ["正面", "负面"]), whole)


def test_predict_is_argmax_and_calibration_subtracts(gpt):
    model, tok = gpt
    prompts = ["好。评价:", "很差。评价:", "非常满意。评价:", "失望。评价:"]
    labels = ["负面", "正面"]
    scores = label_logprobs(model, tok, prompts, labels)
    assert zero_shot_predict(model, tok, prompts, labels) == scores.argmax(-1).tolist()
    free = label_logprobs(model, tok, ["。评价:"], labels)
    expected = (scores - free).argmax(-1).tolist()
    assert zero_shot_predict(model, tok, prompts, labels, calibrate="。评价:") == expected


def test_model_mode_is_restored_and_bad_arguments_fail(gpt):
    model, tok = gpt
    model.train()
    label_logprobs(model, tok, ["好"], ["正面"])
    assert model.training
    model.eval()
    with pytest.raises(ValueError, match="reduce"):
        label_logprobs(model, tok, ["好"], ["正面"], reduce="max")
    with pytest.raises(ValueError, match="at least one token"):
        label_logprobs(model, tok, ["好"], [""])


@pytest.mark.parametrize("method", ["lora", "ia3", "prefix", "prompt", "ptuning"])
def test_peft_wrapped_models_score_like_their_own_loss(method):
    """Prompt and p-tuning prepend virtual tokens to the logits and ignore position_ids: the
    score must still be the label's log-likelihood that peft's loss computes."""
    import peft

    from lmbook.adapters.methods import peft_config

    model, tok = load("gpt-zh-tiny")
    torch.manual_seed(0)
    wrapped = peft.get_peft_model(model, peft_config(method, model)).eval()
    with torch.no_grad():  # move the adapter away from its no-op initialisation
        for p in wrapped.parameters():
            if p.requires_grad:
                p.add_(0.05 * torch.randn_like(p))
    prompts = ["这个手机很好用。评价:", "太差了，再也不买了。评价:"]
    scores = label_logprobs(wrapped, tok, prompts, ["正面"])[:, 0]
    for i, prompt in enumerate(prompts):
        head = [tok.cls_token_id] + tok(prompt, add_special_tokens=False)["input_ids"]
        tail = tok("正面", add_special_tokens=False)["input_ids"]
        with torch.no_grad():
            loss = wrapped(
                input_ids=torch.tensor([head + tail]),
                labels=torch.tensor([[-100] * len(head) + tail]),
            ).loss
        assert scores[i].item() == pytest.approx(-loss.item() * len(tail), abs=1e-4)


def test_label_word_predict_is_label_logprobs(gpt):
    from lmbook.zoo import tasks

    model, tok = gpt
    texts = ["这家店的菜很好吃", "太差了", "还行吧，下次不来了"]
    ids = tasks._prompt_ids(tok, texts, 64)
    label_ids = [tok(w, add_special_tokens=False)["input_ids"] for w in tasks.LABEL_WORDS]
    scores = label_logprobs(model, tok, ids, label_ids)
    torch.testing.assert_close(scores, label_logprobs(model, tok, ids, list(tasks.LABEL_WORDS)))
    assert tasks.label_word_predict(model, tok, texts) == scores.argmax(-1).tolist()
