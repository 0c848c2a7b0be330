"""Small pretrained Chinese models that ship inside ``lmbook``, and a loader for hub models.

    from lmbook.zoo import load
    model, tokenizer = load("gpt-zh-tiny")                        # GPT-2, causal LM
    model, tokenizer = load("bert-zh-tiny", "sequence-classification", num_labels=2)
    model = get_peft_model(model, lora_config(model, "sequence-classification"))  # peft

``python -m lmbook.zoo`` lists the shipped models with their size and held-out quality;
``python -m lmbook.zoo.pretrain --model gpt|bert|mt`` rebuilds them (``mt``: the Chinese-English
translation model ``mt-zh-en-tiny``, :mod:`lmbook.zoo.translation`); ``python -m
lmbook.zoo.evaluate`` measures what pretraining buys downstream. Importing this package is
cheap: ``transformers`` loads on the first call to :func:`load`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "adapters": ["lora_config"],
        "fewshot": ["few_shot_prompt", "few_shot_run", "sample_demos"],
        "likelihood": ["text_logprobs"],
        "loader": ["HubUnreachableError", "TASKS", "load"],
        "online": ["hub_online"],
        "probes": ["ContinuationProbe", "continuation_probe", "pair_preference"],
        "registry": ["MODELS_DIR", "SHIPPED", "model_dir", "model_meta", "shipped_names"],
        "retrieval": [
            "BM25",
            "char_f1",
            "char_tokens",
            "dense_rank",
            "embed_texts",
            "exact_match",
            "recall_at_k",
            "reciprocal_rank_fusion",
        ],
        "scoring": ["label_logprobs", "zero_shot_predict"],
        "toolcall": ["calculate", "run_call", "tool_use_run"],
        "translation": [
            "MT_EVAL_SUBSET",
            "copy_baseline",
            "length_buckets",
            "mt_config",
            "mt_examples",
            "nearest_neighbour_baseline",
            "pad_seq2seq",
            "translate",
        ],
    },
)

if TYPE_CHECKING:  # pragma: no cover
    from lmbook.zoo.adapters import lora_config
    from lmbook.zoo.fewshot import few_shot_prompt, few_shot_run, sample_demos
    from lmbook.zoo.likelihood import text_logprobs
    from lmbook.zoo.loader import TASKS, HubUnreachableError, load
    from lmbook.zoo.online import hub_online
    from lmbook.zoo.probes import ContinuationProbe, continuation_probe, pair_preference
    from lmbook.zoo.registry import MODELS_DIR, SHIPPED, model_dir, model_meta, shipped_names
    from lmbook.zoo.retrieval import (
        BM25,
        char_f1,
        char_tokens,
        dense_rank,
        embed_texts,
        exact_match,
        recall_at_k,
        reciprocal_rank_fusion,
    )
    from lmbook.zoo.scoring import label_logprobs, zero_shot_predict
    from lmbook.zoo.toolcall import calculate, run_call, tool_use_run
    from lmbook.zoo.translation import (
        MT_EVAL_SUBSET,
        copy_baseline,
        length_buckets,
        mt_config,
        mt_examples,
        nearest_neighbour_baseline,
        pad_seq2seq,
        translate,
    )
