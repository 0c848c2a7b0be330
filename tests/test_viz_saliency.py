"""lmbook.viz.saliency: gradient x input and integrated gradients checked against captum."""

from __future__ import annotations

import base64
from collections.abc import Callable

import numpy as np
import pytest
import torch
from captum.attr import InputXGradient, IntegratedGradients, LayerIntegratedGradients
from transformers import BertForSequenceClassification, PreTrainedTokenizerFast

from lmbook.tokenization import train_tokenizer
from lmbook.viz import SaliencyWidget, gradient_x_input, integrated_gradients, token_saliency

torch.set_num_threads(1)
CHARS = "今天天气很好我们去公园散步不错差"
TEXT = "今天天气很好"


@pytest.fixture(scope="module")
def tokenizer() -> PreTrainedTokenizerFast:
    """The book's character tokenizer (``[CLS] … [SEP]``), trained on ``CHARS``."""
    return train_tokenizer([CHARS], "char", vocab_size=32, min_frequency=1)


@pytest.fixture(scope="module")
def classifier(tiny_bert_classifier) -> BertForSequenceClassification:
    return tiny_bert_classifier().eval()


def _score(model: torch.nn.Module, mask: torch.Tensor, label: int) -> Callable:
    def score(embeds: torch.Tensor) -> torch.Tensor:
        logits = model(inputs_embeds=embeds, attention_mask=mask.expand(embeds.shape[0], -1)).logits
        return logits.log_softmax(-1)[:, label]

    return score


def test_methods_match_captum(classifier, tokenizer) -> None:
    enc = tokenizer(TEXT, return_tensors="pt")
    x = classifier.get_input_embeddings()(enc["input_ids"]).detach()
    score = _score(classifier, enc["attention_mask"], 1)
    ours = gradient_x_input(score, x)
    theirs = InputXGradient(score).attribute(x.clone().requires_grad_(True))
    torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-7)
    ours_ig = integrated_gradients(score, x, steps=20, batch_size=7)
    theirs_ig = IntegratedGradients(score).attribute(
        x, baselines=torch.zeros_like(x), n_steps=20, method="gausslegendre"
    )
    torch.testing.assert_close(ours_ig, theirs_ig, rtol=1e-4, atol=1e-6)


def test_token_saliency_matches_captum_on_the_embedding_layer(classifier, tokenizer) -> None:
    result = token_saliency(classifier, tokenizer, TEXT, target=1, steps=24, baseline="pad")
    enc = tokenizer(TEXT, return_tensors="pt")

    def forward(ids: torch.Tensor) -> torch.Tensor:
        mask = enc["attention_mask"].expand(ids.shape[0], -1)
        return classifier(input_ids=ids, attention_mask=mask).logits.log_softmax(-1)[:, 1]

    lig = LayerIntegratedGradients(forward, classifier.get_input_embeddings())
    attr, delta = lig.attribute(
        enc["input_ids"],
        baselines=torch.zeros_like(enc["input_ids"]),
        n_steps=24,
        method="gausslegendre",
        return_convergence_delta=True,
    )
    np.testing.assert_allclose(
        result.scores["integrated_gradients"], attr[0].sum(-1).numpy(), rtol=1e-4, atol=1e-6
    )
    assert result.delta == pytest.approx(float(delta), abs=1e-5)
    assert [t.text for t in result.tokens] == ["[CLS]", *TEXT, "[SEP]"]
    assert result.target.startswith("类别 1")


def test_lm_saliency_explains_the_next_or_masked_token(tokenizer, tiny_gpt) -> None:
    lm = tiny_gpt(n_layer=1, vocab_size=32, n_positions=32, bos_token_id=2, eos_token_id=3)
    result = token_saliency(lm, tokenizer, TEXT, target="好", methods=["grad_x_input"])
    assert "位置 6" in result.target  # after the last ordinary token, before [SEP]
    assert set(result.scores) == {"grad_x_input"}
    assert np.all(result.scores["grad_x_input"][-1:] == 0)  # causal: [SEP] comes later
    masked = token_saliency(lm, tokenizer, "今天[MASK]气", methods=["grad_x_input"])
    assert "位置 3" in masked.target
    with pytest.raises(ValueError, match="one token"):
        token_saliency(lm, tokenizer, TEXT, target="很好")


def test_saliency_widget_shows_both_methods(classifier, tokenizer) -> None:
    widget = SaliencyWidget.from_model(classifier, tokenizer, TEXT, steps=8)
    assert widget.method == "integrated_gradients"
    assert set(widget.meta["scores"]) == {"grad_x_input", "integrated_gradients"}
    data, _ = widget._repr_mimebundle_()
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    plain = SaliencyWidget.from_scores(list("好差"), {"grad_x_input": [0.5, -0.2]})
    assert plain.meta["value"] is None
    with pytest.raises(ValueError, match="2 tokens"):
        SaliencyWidget.from_scores(list("好差"), {"grad_x_input": [0.5]})
