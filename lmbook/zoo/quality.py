"""Held-out quality of the shipped models, measured the same way as the book's baselines.

- :func:`bits_per_character` scores each sentence as ``[CLS] text`` -> ``text [SEP]`` and divides
  by ``len(text) + 1``, the convention of :meth:`lmbook.text.NGramLM.cross_entropy` (the end of
  the sentence counts as a character), so the GPT and the n-gram models are directly comparable.
- :func:`mask_accuracy` masks a seeded random 15% of the characters of each sentence at once and
  counts how often the top-1 prediction is the hidden character; :func:`unigram_mask_accuracy`
  is the baseline that always guesses the most frequent training character.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import torch
    from transformers import PreTrainedModel, PreTrainedTokenizerFast

    from lmbook.text import NGramLM

__all__ = [
    "GENERATION_PROMPTS",
    "TEMPERATURE",
    "bits_per_character",
    "generate_samples",
    "mask_accuracy",
    "masked_positions",
    "measure_quality",
    "ngram_baseline",
    "ngram_samples",
    "unigram_mask_accuracy",
]


def bits_per_character(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerFast,
    texts: Sequence[str],
    batch_size: int = 32,
) -> float:
    """Bits per character of a causal LM on ``texts`` (end of sentence counted as a character).

    Sentences longer than the model's context are scored in windows that overlap by half, each
    token predicted once with at least half a window of history.
    """
    import torch

    window = model.config.n_positions
    pieces: list[tuple[list[int], int]] = []  # (input ids, number of leading ids not scored)
    for ids in tokenizer(list(texts), add_special_tokens=True)["input_ids"]:
        if len(ids) <= window:
            pieces.append((ids, 0))
            continue
        start, scored_to = 0, 0
        while scored_to < len(ids) - 1:
            chunk = ids[start : start + window]
            pieces.append((chunk, scored_to - start))
            scored_to = start + len(chunk) - 1
            start += window // 2
    nats = 0.0
    model.eval()
    with torch.no_grad():
        for i in range(0, len(pieces), batch_size):
            nats += _batch_nats(model, pieces[i : i + batch_size], tokenizer.pad_token_id)
    chars = sum(len(t) + 1 for t in texts)
    return nats / chars / math.log(2)


def _batch_nats(model: PreTrainedModel, pieces: list[tuple[list[int], int]], pad: int) -> float:
    import torch
    import torch.nn.functional as F

    width = max(len(ids) for ids, _ in pieces)
    ids = torch.full((len(pieces), width), pad, dtype=torch.long)
    target = torch.full((len(pieces), width), -100, dtype=torch.long)
    for row, (x, skip) in enumerate(pieces):
        ids[row, : len(x)] = torch.tensor(x)
        target[row, skip + 1 : len(x)] = torch.tensor(x[skip + 1 :])
    logits = model(input_ids=ids, attention_mask=(ids != pad).long()).logits
    return float(
        F.cross_entropy(
            logits[:, :-1].reshape(-1, logits.shape[-1]).float(),
            target[:, 1:].reshape(-1),
            ignore_index=-100,
            reduction="sum",
        )
    )


def masked_positions(
    tokenizer: PreTrainedTokenizerFast,
    texts: Sequence[str],
    rate: float = 0.15,
    seed: int = 0,
    max_len: int = 128,
) -> list[tuple[list[int], list[int]]]:
    """For each text: its ``[CLS] … [SEP]`` ids (truncated to ``max_len``) and the positions to
    mask, a seeded choice of ``rate`` of the characters (at least one)."""
    import torch

    gen = torch.Generator().manual_seed(seed)
    out = []
    for ids in tokenizer(list(texts), truncation=True, max_length=max_len)["input_ids"]:
        n = len(ids) - 2
        k = max(1, round(rate * n))
        picks = (torch.randperm(n, generator=gen)[:k] + 1).sort().values.tolist()
        out.append((ids, picks))
    return out


def mask_accuracy(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerFast,
    texts: Sequence[str],
    rate: float = 0.15,
    seed: int = 0,
    batch_size: int = 32,
) -> float:
    """Top-1 accuracy of a masked LM on held-out characters masked as :func:`masked_positions`."""
    import torch

    cases = masked_positions(tokenizer, texts, rate, seed, model.config.max_position_embeddings)
    hits = total = 0
    model.eval()
    with torch.no_grad():
        for i in range(0, len(cases), batch_size):
            part = cases[i : i + batch_size]
            ids, attention, truth = _masked_batch(part, tokenizer)
            pred = model(input_ids=ids, attention_mask=attention).logits.argmax(-1)
            keep = truth != -100
            hits += int((pred[keep] == truth[keep]).sum())
            total += int(keep.sum())
    return hits / total


def _masked_batch(
    part: list[tuple[list[int], list[int]]], tokenizer: PreTrainedTokenizerFast
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    import torch

    width = max(len(ids) for ids, _ in part)
    ids = torch.full((len(part), width), tokenizer.pad_token_id, dtype=torch.long)
    truth = torch.full((len(part), width), -100, dtype=torch.long)
    for row, (x, picks) in enumerate(part):
        ids[row, : len(x)] = torch.tensor(x)
        truth[row, picks] = ids[row, picks]
        ids[row, picks] = tokenizer.mask_token_id
    return ids, (ids != tokenizer.pad_token_id).long(), truth


def unigram_mask_accuracy(
    tokenizer: PreTrainedTokenizerFast,
    train_texts: Sequence[str],
    texts: Sequence[str],
    rate: float = 0.15,
    seed: int = 0,
    max_len: int = 128,
) -> float:
    """Accuracy of always guessing the most frequent training token at the same masked places."""
    counts = Counter(
        t
        for ids in tokenizer(list(train_texts), add_special_tokens=False)["input_ids"]
        for t in ids
    )
    best = counts.most_common(1)[0][0]
    cases = masked_positions(tokenizer, texts, rate, seed, max_len)
    hits = sum(ids[p] == best for ids, picks in cases for p in picks)
    return hits / sum(len(picks) for _, picks in cases)


GENERATION_PROMPTS = ("中国", "今天", "我们要", "经济")
TEMPERATURE = 0.8  # the GPT and the n-gram are sampled alike: plain sampling at this temperature


def generate_samples(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerFast,
    prompts: Sequence[str] = GENERATION_PROMPTS,
    per_prompt: int = 1,
    seed: int = 0,
    max_new_tokens: int = 40,
    temperature: float = TEMPERATURE,
) -> list[str]:
    """Sampled continuations (plain sampling at ``temperature``, seeded) of each prompt,
    [CLS] prepended, up to [SEP]: ``per_prompt`` samples per prompt, prompt by prompt."""
    import torch

    torch.manual_seed(seed)
    out = []
    for prompt in prompts:
        ids = tokenizer(prompt, return_tensors="pt")["input_ids"][:, :-1]  # drop the final [SEP]
        gen = model.generate(
            ids.repeat(per_prompt, 1),
            attention_mask=torch.ones_like(ids).repeat(per_prompt, 1),
            do_sample=True,
            top_k=0,
            temperature=temperature,
            max_new_tokens=max_new_tokens,
            pad_token_id=tokenizer.pad_token_id,
            eos_token_id=tokenizer.eos_token_id,
        )
        out += [t.replace(" ", "") for t in tokenizer.batch_decode(gen, skip_special_tokens=True)]
    return out


def ngram_samples(
    lm: NGramLM,
    prompts: Sequence[str] = GENERATION_PROMPTS,
    per_prompt: int = 1,
    seed: int = 0,
    max_new_tokens: int = 40,
    temperature: float = TEMPERATURE,
) -> list[str]:
    """The n-gram's samples for the same prompts, length and temperature as the GPT's."""
    import numpy as np

    rng = np.random.default_rng(seed)
    return [
        lm.sample(rng, max_len=max_new_tokens, temperature=temperature, prefix=p)
        for p in prompts
        for _ in range(per_prompt)
    ]


def ngram_baseline(pretraining_texts: Sequence[str]) -> tuple[NGramLM, str]:
    """The strongest count baseline for the news test split: Kneser-Ney (orders 2-5, discount
    tuned on validation) trained on the GPT's pretraining text or on the news training split
    alone, whichever scores better on validation. Returns the model and what it was trained on."""
    from lmbook.data import load_lm_text
    from lmbook.text import best_kneser_ney

    lm_text = load_lm_text()
    news = list(lm_text["train"]["text"])
    val = list(lm_text["validation"]["text"])
    candidates = {"People's Daily train": news}
    if sorted(pretraining_texts) != sorted(news):
        candidates["the GPT's pretraining text"] = list(pretraining_texts)
    fitted = {name: best_kneser_ney(texts, val) for name, texts in candidates.items()}
    name = min(fitted, key=lambda k: fitted[k].cross_entropy(val))
    return fitted[name], name


def measure_quality(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerFast,
    subset: int,
    pretraining_texts: Sequence[str],
) -> dict[str, object]:
    """Held-out quality on ``load_lm_text()["test"]`` (all of it and its first ``subset``
    sentences) next to the strongest simple baseline: for a GPT the best Kneser-Ney n-gram
    (:func:`ngram_baseline`) in bits/char, and both models' samples with their dictionary-word
    share (:func:`lmbook.text.dictionary_word_share`); for a masked LM the unigram top-1."""
    from lmbook.data import load_lm_text

    test = list(load_lm_text()["test"]["text"])
    result: dict[str, object] = {"test_sentences": len(test), "subset_sentences": subset}
    if model.config.model_type == "gpt2":
        from lmbook.text import dictionary_word_share

        lm, trained_on = ngram_baseline(pretraining_texts)
        result["ngram"] = {"order": lm.order, "discount": lm.discount, "trained_on": trained_on}
        for key, texts in (("test", test), ("subset", test[:subset])):
            result[f"{key}_bpc"] = round(bits_per_character(model, tokenizer, texts), 4)
            result[f"{key}_ngram_bpc"] = round(lm.cross_entropy(texts), 4)
        gpt = generate_samples(model, tokenizer, per_prompt=5)
        counts = ngram_samples(lm, per_prompt=5)
        result["samples"] = gpt[::5]
        result["ngram_samples"] = counts[::5]
        result["dictionary_word_share"] = {
            "gpt": round(dictionary_word_share(gpt), 4),
            "ngram": round(dictionary_word_share(counts), 4),
            "test_text": round(dictionary_word_share(test), 4),
        }
    else:
        for key, texts in (("test", test), ("subset", test[:subset])):
            result[f"{key}_mask_top1"] = round(mask_accuracy(model, tokenizer, texts), 4)
            result[f"{key}_unigram_top1"] = round(
                unigram_mask_accuracy(tokenizer, pretraining_texts, texts), 4
            )
    return result
