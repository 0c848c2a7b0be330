"""Downstream tasks on the book's corpora, shaped for the shipped models (and any HF model):
review sentiment (sequence classification, or label words for a GPT) and People's Daily NER.

Each ``*_examples`` function returns a list of dicts ready for :func:`lmbook.train.train` with
:func:`pad_collate`; the matching ``*_score`` function measures a model on a held-out split.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import torch
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

__all__ = [
    "LABEL_WORDS",
    "PROMPT",
    "label_word_examples",
    "label_word_predict",
    "label_word_score",
    "ner_examples",
    "ner_score",
    "pad_collate",
    "sentiment_examples",
    "sentiment_score",
]

LABEL_WORDS = ("负面", "正面")  # label 0, label 1 (as lmbook.data.REVIEW_LABELS)
PROMPT = "{text}。评价:"


def pad_collate(tokenizer: PreTrainedTokenizerBase) -> Any:
    """A collate function for the rows of this module: ``transformers``' padding collators, which
    pad ``input_ids`` with the tokenizer's pad token (on its ``padding_side``) and per-token
    ``labels`` with -100; a row's single int label passes through."""
    from transformers import DataCollatorForTokenClassification, DataCollatorWithPadding

    per_sequence = DataCollatorWithPadding(tokenizer, return_tensors="pt")
    per_token = DataCollatorForTokenClassification(tokenizer, return_tensors="pt")

    def collate(rows: Sequence[dict[str, Any]]) -> dict[str, torch.Tensor]:
        return dict((per_sequence if isinstance(rows[0]["labels"], int) else per_token)(rows))

    return collate


def _first(data: Any, n: int | None) -> Any:
    """The first ``n`` rows of a ``datasets.Dataset`` (all of them when ``n`` is None)."""
    return data.select(range(min(n, len(data)))) if n else data


def sentiment_examples(
    tokenizer: PreTrainedTokenizerBase,
    split: str = "train",
    n: int | None = None,
    max_len: int = 64,
) -> list[dict[str, Any]]:
    """Reviews as ``[CLS] text [SEP]`` (truncated to ``max_len``) with their 0/1 label."""
    from lmbook.data import load_reviews

    data = _first(load_reviews()[split], n)
    enc = tokenizer(list(data["text"]), truncation=True, max_length=max_len)
    return [
        {"input_ids": ids, "labels": int(y)}
        for ids, y in zip(enc["input_ids"], data["label"], strict=True)
    ]


def _batches(rows: list[dict[str, Any]], tokenizer: PreTrainedTokenizerBase, size: int = 64) -> Any:
    collate = pad_collate(tokenizer)
    for i in range(0, len(rows), size):
        yield collate(rows[i : i + size])


def sentiment_score(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    split: str = "test",
    max_len: int = 64,
) -> float:
    """Accuracy of a sequence classifier on a review split."""
    import torch

    rows = sentiment_examples(tokenizer, split, None, max_len)
    hits = 0
    model.eval()
    with torch.no_grad():
        for batch in _batches(rows, tokenizer):
            labels = batch.pop("labels")
            hits += int((model(**batch).logits.argmax(-1) == labels).sum())
    return hits / len(rows)


def ner_examples(
    tokenizer: PreTrainedTokenizerBase,
    split: str = "train",
    n: int | None = None,
    max_len: int = 128,
) -> list[dict[str, Any]]:
    """People's Daily sentences, one token per character, with BIO label ids (-100 on specials)."""
    from lmbook.data import NER_LABELS, load_peoples_daily

    data = _first(load_peoples_daily()[split], n)
    label_id = {label: i for i, label in enumerate(NER_LABELS)}
    enc = tokenizer(
        [list(c) for c in data["chars"]],
        is_split_into_words=True,
        truncation=True,
        max_length=max_len,
    )
    rows = []
    for i, tags in enumerate(data["ner"]):
        words = enc.word_ids(i)
        labels = [-100 if w is None else label_id[tags[w]] for w in words]
        rows.append({"input_ids": enc["input_ids"][i], "labels": labels})
    return rows


def ner_score(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    split: str = "test",
    n: int | None = None,
    max_len: int = 128,
) -> float:
    """Entity-level F1 (``seqeval``, exact spans and types) on a People's Daily split."""
    import torch
    from seqeval.metrics import f1_score

    from lmbook.data import NER_LABELS

    rows = ner_examples(tokenizer, split, n, max_len)
    truth, pred = [], []
    model.eval()
    with torch.no_grad():
        for batch in _batches(rows, tokenizer):
            labels = batch.pop("labels")
            guess = model(**batch).logits.argmax(-1)
            for y, g in zip(labels, guess, strict=True):
                keep = y != -100
                truth.append([NER_LABELS[i] for i in y[keep].tolist()])
                pred.append([NER_LABELS[i] for i in g[keep].tolist()])
    return float(f1_score(truth, pred))


def _prompt_ids(tokenizer: PreTrainedTokenizerBase, texts: Sequence[str], max_len: int) -> list:
    """``[CLS] review。评价:`` ids, the review cut so that a label word still fits."""
    words = max(len(w) for w in LABEL_WORDS)
    tail = tokenizer(PROMPT.format(text=""), add_special_tokens=False)["input_ids"]
    body = tokenizer(list(texts), add_special_tokens=False)["input_ids"]
    room = max_len - 1 - len(tail) - words - 1
    return [[tokenizer.bos_token_id, *ids[:room], *tail] for ids in body]


def label_word_examples(
    tokenizer: PreTrainedTokenizerBase,
    split: str = "train",
    n: int | None = None,
    max_len: int = 64,
) -> list[dict[str, Any]]:
    """Reviews as ``[CLS] review。评价:负面|正面 [SEP]``; the loss falls on the label word only."""
    from lmbook.data import load_reviews

    data = _first(load_reviews()[split], n)
    answers = [tokenizer(w, add_special_tokens=False)["input_ids"] for w in LABEL_WORDS]
    rows = []
    for prompt, y in zip(_prompt_ids(tokenizer, data["text"], max_len), data["label"], strict=True):
        answer = [*answers[y], tokenizer.eos_token_id]
        rows.append({"input_ids": prompt + answer, "labels": [-100] * len(prompt) + answer})
    return rows


def label_word_predict(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    texts: Sequence[str],
    max_len: int = 64,
) -> list[int]:
    """Predict 0/1 for each text: which label word the causal LM finds more likely after the
    prompt (sum of the log-probabilities of its characters, :func:`lmbook.zoo.label_logprobs`)."""
    from lmbook.zoo.scoring import label_logprobs

    scores = label_logprobs(model, tokenizer, _prompt_ids(tokenizer, texts, max_len), LABEL_WORDS)
    return scores.argmax(-1).tolist()


def label_word_score(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    split: str = "test",
    max_len: int = 64,
) -> float:
    """Accuracy of label-word classification (:func:`label_word_predict`) on a review split."""
    from lmbook.data import load_reviews

    data = load_reviews()[split]
    pred = label_word_predict(model, tokenizer, data["text"], max_len)
    return sum(int(p == y) for p, y in zip(pred, data["label"], strict=True)) / len(pred)
