"""Zero-shot classification by label likelihood with a causal language model.

Each candidate label is appended to the prompt; its score is the log-probability the model gives
to the label's tokens after the prompt, ``log P(label | prompt) = sum_t log P(y_t | prompt, y_<t)``.
The predicted class is the label with the highest score: no training, only the pretrained model
(the GPT-2 and GPT-3 papers evaluate tasks this way). Labels of different lengths can be compared
by the mean over their tokens instead of the sum (``reduce="mean"``). A tiny model often
prefers one label whatever the text; ``calibrate`` subtracts the scores the labels get after a
content-free prompt (the contextual calibration of Zhao et al., 2021).

    scores = label_logprobs(model, tok, ["这家店很好。评价:"], ["正面", "负面"])
    pred = zero_shot_predict(model, tok, prompts, ["正面", "负面"], calibrate="。评价:")
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import torch
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

__all__ = ["label_logprobs", "zero_shot_predict"]


def _encode(tokenizer: PreTrainedTokenizerBase, prompt: str | Sequence[int]) -> list[int]:
    """Prompt ids: a string gets the beginning-of-text token ([CLS] for the shipped GPT)."""
    if not isinstance(prompt, str):
        return list(prompt)
    bos = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.cls_token_id
    ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    return ([bos] if bos is not None else []) + ids


def label_logprobs(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompts: Sequence[str | Sequence[int]],
    labels: Sequence[str | Sequence[int]],
    reduce: str = "sum",
    batch_size: int = 64,
) -> torch.Tensor:
    """``(len(prompts), len(labels))`` log-probabilities of each label's tokens after each prompt.

    A prompt is a string (tokenised, with the beginning-of-text token in front) or a list of
    token ids used as they are; a label is a string (tokenised without special tokens) or a list
    of ids. ``reduce``: ``"sum"`` (the label's log-likelihood) or ``"mean"`` (per token). Rows of
    equal length are batched together, so nothing is padded: every row sees exactly the
    positions and attention it would see alone, also through a ``peft`` wrapper that prepends
    virtual tokens (prompt and prefix tuning ignore ``position_ids``). Only the label's logits
    are computed (``logits_to_keep``, which every ``transformers`` causal LM takes).
    """
    import torch

    if reduce not in ("sum", "mean"):
        raise ValueError(f"reduce={reduce!r}: use 'sum' or 'mean'.")
    heads = [_encode(tokenizer, p) for p in prompts]
    tails = [
        tokenizer(w, add_special_tokens=False)["input_ids"] if isinstance(w, str) else list(w)
        for w in labels
    ]
    if any(not t for t in tails):
        raise ValueError("every label must have at least one token.")
    by_length: dict[int, list[int]] = {}
    for i, head in enumerate(heads):
        by_length.setdefault(len(head), []).append(i)
    scores = torch.zeros(len(heads), len(tails))
    was_training = model.training
    model.eval()
    with torch.no_grad():
        for k, tail in enumerate(tails):
            n = len(tail)
            target = torch.tensor(tail)
            for rows in by_length.values():
                for start in range(0, len(rows), batch_size):
                    chunk = rows[start : start + batch_size]
                    ids = torch.tensor([heads[i] + tail for i in chunk])
                    # position t predicts token t + 1: the last n + 1 logits cover the label
                    logits = model(input_ids=ids, logits_to_keep=n + 1).logits[:, :-1]
                    picked = logits.log_softmax(-1)[:, torch.arange(n), target]
                    total = picked.sum(-1)
                    scores[chunk, k] = total / n if reduce == "mean" else total
    model.train(was_training)
    return scores


def zero_shot_predict(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompts: Sequence[str | Sequence[int]],
    labels: Sequence[str | Sequence[int]],
    reduce: str = "sum",
    calibrate: str | Sequence[int] | None = None,
) -> list[int]:
    """Index of the most likely label for each prompt (:func:`label_logprobs`).

    ``calibrate``: a content-free prompt (e.g. the template without the text); the scores the
    labels get after it are subtracted first, so a label the model favours regardless of the
    text loses that head start.
    """
    scores = label_logprobs(model, tokenizer, prompts, labels, reduce)
    if calibrate is not None:
        scores = scores - label_logprobs(model, tokenizer, [calibrate], labels, reduce)
    return scores.argmax(-1).tolist()
