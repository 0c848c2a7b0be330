"""Shared fixtures: seeded tiny transformers models and a byte-level BPE tokenizer, built in ms.

The model fixtures are builders: every call returns a fresh model, so a test may train or wrap it
freely; keyword arguments override the default config sizes. ``torch``, ``tokenizers`` and
``transformers`` are imported inside the fixtures: test files that do not use them stay fast.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Give each pytest worker's notebook kernels their own IPython directory.

    nbval starts a kernel per notebook in each of the two workers; kernels that start at the same
    moment otherwise share one IPython profile and history database in the home folder.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is not None:  # the controller's value is inherited: each worker sets its own
        os.environ["IPYTHONDIR"] = str(Path(tempfile.gettempdir()) / f"lmbook-ipython-{worker}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/browser is a ``browser`` test (``make unit`` leaves them out)."""
    for item in items:
        if "browser" in item.path.parts:
            item.add_marker(pytest.mark.browser)


if TYPE_CHECKING:  # pragma: no cover
    from tokenizers import Tokenizer
    from transformers import PreTrainedModel, PreTrainedTokenizerFast

SENTENCES = ["今天天气很好，我们去公园散步。", "人民日报发表社论。", "大语言模型与轻量级微调"]
BYTE_SPECIALS = ["<s>", "</s>", "<pad>", "<mask>"]  # ids 0-3 of the byte-level BPE
TINY_GPT = {
    "n_layer": 2,
    "n_head": 2,
    "n_embd": 16,
    "vocab_size": 40,
    "n_positions": 16,
    "bos_token_id": 0,
    "eos_token_id": 1,
}
TINY_BERT = {
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "hidden_size": 16,
    "intermediate_size": 32,
    "vocab_size": 32,
    "max_position_embeddings": 32,
}
TINY_BART = {
    "encoder_layers": 2,
    "decoder_layers": 1,
    "encoder_attention_heads": 2,
    "decoder_attention_heads": 3,
    "d_model": 24,
    "encoder_ffn_dim": 48,
    "decoder_ffn_dim": 48,
    "vocab_size": 300,
    "max_position_embeddings": 64,
    "pad_token_id": 2,
    "bos_token_id": 0,
    "eos_token_id": 1,
    "decoder_start_token_id": 1,
    "attn_implementation": "eager",
}


def _builder(
    model_class: type, config_class: type, defaults: dict
) -> Callable[..., PreTrainedModel]:
    """``build(seed=0, **config)``: a fresh ``model_class`` over ``defaults`` + ``config``."""
    import torch

    def build(seed: int = 0, **config: Any) -> PreTrainedModel:
        torch.manual_seed(seed)
        return model_class(config_class(**{**defaults, **config}))

    return build


@pytest.fixture(scope="session")
def tiny_gpt() -> Callable[..., PreTrainedModel]:
    """``tiny_gpt(seed=0, **config)``: a GPT-2 LM (train mode) over ``TINY_GPT`` + ``config``."""
    from transformers import GPT2Config, GPT2LMHeadModel

    return _builder(GPT2LMHeadModel, GPT2Config, TINY_GPT)


@pytest.fixture(scope="session")
def tiny_bert() -> Callable[..., PreTrainedModel]:
    """``tiny_bert(seed=0, **config)``: a BERT masked LM over ``TINY_BERT`` + ``config``."""
    from transformers import BertConfig, BertForMaskedLM

    return _builder(BertForMaskedLM, BertConfig, TINY_BERT)


@pytest.fixture(scope="session")
def tiny_bert_classifier() -> Callable[..., PreTrainedModel]:
    """``tiny_bert_classifier(seed=0, **config)``: ``tiny_bert`` with a two-class head."""
    from transformers import BertConfig, BertForSequenceClassification

    return _builder(BertForSequenceClassification, BertConfig, {**TINY_BERT, "num_labels": 2})


@pytest.fixture(scope="session")
def tiny_bart() -> Callable[..., PreTrainedModel]:
    """``tiny_bart(seed=0, **config)``: an encoder-decoder BART for the byte-level tokenizer."""
    from transformers import BartConfig, BartForConditionalGeneration

    return _builder(BartForConditionalGeneration, BartConfig, TINY_BART)


@pytest.fixture(scope="module")
def byte_bpe() -> Tokenizer:
    """Byte-level BPE, 300 tokens (``BYTE_SPECIALS`` first), on ``SENTENCES``; no post-processor."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=300,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=BYTE_SPECIALS,
        show_progress=False,
    )
    tok.train_from_iterator(SENTENCES * 5, trainer)
    return tok


@pytest.fixture(scope="module")
def byte_tokenizer(byte_bpe: Tokenizer) -> PreTrainedTokenizerFast:
    """``byte_bpe`` as a ``transformers`` tokenizer that wraps every text in ``<s> … </s>``."""
    from tokenizers import Tokenizer, processors
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer.from_str(byte_bpe.to_str())  # a copy: byte_bpe keeps no post-processor
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
