"""Probes of what a causal language model has memorised and prefers (section 8.2).

- :func:`continuation_probe`: give the model the first ``prefix`` tokens of each text and compare
  its greedy continuation with the true next ``length`` tokens (the extraction test of Carlini et
  al., 2021), and the mean log-probability it gives the true continuation (teacher forcing).
  Run it on training and on held-out texts: the gap is what the model memorised.
- :func:`pair_preference`: ``log P(a | prompt) - log P(b | prompt)`` for items
  ``(prompt, a, b)``: a bias probe (``a``, ``b`` = 他 / 她 after an occupation) or a truth probe
  (``a`` true, ``b`` false continuation).

    probe = continuation_probe(model, tok, texts, prefix=32, length=8)
    probe.exact.mean(), probe.logprob.mean()
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from lmbook.zoo.scoring import label_logprobs

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

__all__ = ["ContinuationProbe", "continuation_probe", "pair_preference"]


class ContinuationProbe(NamedTuple):
    """Per text: ``exact`` (greedy continuation = truth), ``matched`` (leading tokens that agree),
    ``logprob`` (mean log-probability per token of the true continuation) and ``greedy`` ids."""

    exact: np.ndarray
    matched: np.ndarray
    logprob: np.ndarray
    greedy: np.ndarray


def continuation_probe(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    texts: Sequence[str],
    prefix: int = 32,
    length: int = 8,
    batch_size: int = 128,
) -> ContinuationProbe:
    """Greedy continuation and true-continuation likelihood after the first ``prefix`` tokens.

    Each text is read as the model was trained, ``[BOS] tokens ...`` ([CLS] for the shipped GPT);
    the prefix counts the tokens after it. Texts shorter than ``prefix + length`` tokens raise
    an error: select them first. Decoding is greedy (the most likely token each step).
    """
    import numpy as np
    import torch

    bos = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.cls_token_id
    ids = tokenizer(list(texts), add_special_tokens=False)["input_ids"]
    short = [i for i, row in enumerate(ids) if len(row) < prefix + length]
    if short:
        raise ValueError(f"{len(short)} texts have fewer than {prefix + length} tokens")
    rows = torch.tensor([[bos, *row[: prefix + length]] for row in ids])
    greedy, logprob = [], []
    was_training = model.training
    model.eval()
    with torch.no_grad():
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            mask = torch.ones_like(batch)
            logits = model(input_ids=batch, attention_mask=mask).logits[:, prefix:-1]
            lp = torch.log_softmax(logits.float(), -1)
            truth = batch[:, prefix + 1 :]
            logprob.append(lp.gather(-1, truth.unsqueeze(-1)).squeeze(-1).mean(-1))
            out = model(input_ids=batch[:, : prefix + 1], attention_mask=mask[:, : prefix + 1])
            steps = []
            for k in range(length):  # greedy decoding with the key/value cache
                steps.append(out.logits[:, -1].argmax(-1, keepdim=True))
                seen = mask[:, : prefix + k + 2]
                out = model(input_ids=steps[-1], attention_mask=seen, cache=out.cache)
            greedy.append(torch.cat(steps, 1))
    model.train(was_training)
    decoded = torch.cat(greedy).numpy()
    agree = decoded == rows[:, prefix + 1 :].numpy()
    matched = np.where(agree.all(1), length, np.argmin(agree, 1))
    return ContinuationProbe(agree.all(1), matched, torch.cat(logprob).numpy(), decoded)


def pair_preference(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    items: Sequence[tuple[str, str, str]],
    reduce: str = "sum",
) -> np.ndarray:
    """``log P(a | prompt) - log P(b | prompt)`` for each item ``(prompt, a, b)`` (natural log).

    Positive: the model prefers ``a``. Uses :func:`lmbook.zoo.label_logprobs`; with ``reduce``
    "mean" continuations of different lengths are compared per token.
    """
    import numpy as np

    scores = [
        label_logprobs(model, tokenizer, [prompt], [a, b], reduce=reduce)[0]
        for prompt, a, b in items
    ]
    return np.array([float(s[0] - s[1]) for s in scores])
