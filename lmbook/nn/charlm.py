"""A character-level recurrent language model scored like chapter 2's n-gram models (3.3-3.5).

:class:`CharLM` takes its vocabulary from a fitted :class:`lmbook.text.NGramLM` (``lm.vocab``:
``</s>``, ``<unk>``, then the training characters), so both models predict exactly the same
symbols. Each sentence is read as ``<s> c_1 ... c_n`` and predicts ``c_1 ... c_n </s>``;
:func:`bits_per_character` divides the summed negative log-likelihood by ``n + 1`` per sentence,
the convention of ``NGramLM.cross_entropy`` and ``lmbook.zoo.quality.bits_per_character`` (the
end of the sentence counts as a character).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from lmbook.nn import recurrent

__all__ = ["CharLM", "bits_per_character", "sentence_batches"]

Tensor = torch.Tensor

_TORCH = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}
_OURS = {"rnn": recurrent.RNN, "gru": recurrent.GRU, "lstm": recurrent.LSTM}


class CharLM(nn.Module):
    """Embedding -> RNN / GRU / LSTM -> linear layer over ``vocab``.

    ``vocab[0]`` must be ``"</s>"`` and ``vocab[1]`` ``"<unk>"`` (as in ``NGramLM.vocab``); the
    start symbol ``<s>`` gets the extra input id ``len(vocab)`` and is never predicted.
    ``from_scratch=True`` uses :mod:`lmbook.nn.recurrent` instead of ``torch.nn`` (same maths,
    slower).
    """

    def __init__(
        self,
        vocab: Sequence[str],
        kind: str = "lstm",
        embed_dim: int = 64,
        hidden_size: int = 128,
        num_layers: int = 1,
        from_scratch: bool = False,
    ) -> None:
        super().__init__()
        if kind not in _TORCH:
            raise ValueError(f"kind must be one of {sorted(_TORCH)}, got {kind!r}")
        if list(vocab[:2]) != ["</s>", "<unk>"]:
            raise ValueError(
                "vocab must start with '</s>', '<unk>' (pass a fitted NGramLM's vocab)"
            )
        self.vocab = list(vocab)
        self.kind = kind
        self.bos = len(self.vocab)
        self._index = {c: i for i, c in enumerate(self.vocab)}
        self.embed = nn.Embedding(len(self.vocab) + 1, embed_dim)
        layer = (_OURS if from_scratch else _TORCH)[kind]
        self.rnn = layer(embed_dim, hidden_size, num_layers=num_layers, batch_first=True)
        self.head = nn.Linear(hidden_size, len(self.vocab))

    def encode(self, text: str) -> list[int]:
        """Ids of the characters of ``text``; characters outside the vocabulary become <unk>."""
        return [self._index.get(c, 1) for c in text]

    def forward(self, x: Tensor) -> Tensor:
        """Logits ``[B, T, V]`` for input ids ``[B, T]`` (each row starts with ``<s>``)."""
        out, _ = self.rnn(self.embed(x))
        return self.head(out)


def sentence_batches(
    model: CharLM,
    texts: Sequence[str],
    batch_size: int,
    max_len: int | None = None,
    sort: bool = True,
) -> list[tuple[Tensor, Tensor]]:
    """``(x, y)`` batches: x = ``<s>`` + ids, y = ids + ``</s>``, padded (x with ``</s>``, which
    the model never reads as a start; y with -100, which cross-entropy ignores).

    ``max_len`` keeps the first ``max_len`` characters of each sentence (for training only; the
    truncated sentence then ends with ``</s>`` where it was cut, so only score full sentences).
    ``sort`` groups sentences of similar length to waste little padding.
    """
    rows = [model.encode(t if max_len is None else t[:max_len]) for t in texts]
    order = sorted(range(len(rows)), key=lambda i: len(rows[i])) if sort else range(len(rows))
    order = list(order)
    batches = []
    for start in range(0, len(order), batch_size):
        chunk = [rows[i] for i in order[start : start + batch_size]]
        width = max(len(r) for r in chunk) + 1
        x = torch.zeros(len(chunk), width, dtype=torch.long)
        y = torch.full((len(chunk), width), -100, dtype=torch.long)
        for b, ids in enumerate(chunk):
            n = len(ids)
            x[b, 0] = model.bos
            x[b, 1 : n + 1] = torch.tensor(ids, dtype=torch.long)
            y[b, :n] = torch.tensor(ids, dtype=torch.long)
            y[b, n] = 0  # </s>
        batches.append((x, y))
    return batches


def bits_per_character(model: CharLM, texts: Sequence[str], batch_size: int = 64) -> float:
    """Held-out bits per character, the end of each sentence counted as a character."""
    nats, chars = 0.0, 0
    was_training = model.training
    model.eval()
    with torch.no_grad():
        for x, y in sentence_batches(model, texts, batch_size):
            logits = model(x)
            nats += torch.nn.functional.cross_entropy(
                logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum"
            ).item()
            chars += int((y != -100).sum())
    model.train(was_training)
    assert chars == sum(len(t) + 1 for t in texts)
    return nats / chars / math.log(2)
