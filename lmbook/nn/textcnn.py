"""TextCNN (Kim 2014) over characters: embeddings, parallel convolutions of widths 1..n,
max-over-time pooling, dropout and a linear classifier (section 3.2; reused in 6.2).

:class:`CharVocab` maps characters to ids (0 = padding, 1 = unknown) and pads batches;
:meth:`TextCNN.ngram_activations` gives each filter's activation at every position, to see which
character n-grams make a filter fire.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import torch
from torch import nn

__all__ = ["CharVocab", "TextCNN"]

Tensor = torch.Tensor


class CharVocab:
    """Characters seen at least ``min_count`` times in ``texts``; id 0 pads, id 1 is unknown."""

    def __init__(self, texts: Sequence[str], min_count: int = 2) -> None:
        counts = Counter("".join(texts))
        chars = sorted(
            (c for c, n in counts.items() if n >= min_count), key=lambda c: (-counts[c], c)
        )
        self.itos = ["<pad>", "<unk>", *chars]
        self.stoi = {c: i for i, c in enumerate(self.itos)}

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, texts: Sequence[str], max_len: int, min_len: int = 1) -> Tensor:
        """``[len(texts), L]`` ids, cut at ``max_len``, padded with 0 to the longest row
        (at least ``min_len``, so that the widest filter fits)."""
        rows = [[self.stoi.get(c, 1) for c in t[:max_len]] for t in texts]
        width = max(min_len, max(len(r) for r in rows))
        out = torch.zeros(len(rows), width, dtype=torch.long)
        for i, r in enumerate(rows):
            out[i, : len(r)] = torch.tensor(r, dtype=torch.long)
        return out


class TextCNN(nn.Module):
    """Kim (2014): for each width w, ``num_filters`` filters over w consecutive characters,
    ReLU, max over positions; the pooled features are concatenated and classified."""

    def __init__(
        self,
        vocab_size: int,
        num_classes: int = 2,
        embed_dim: int = 32,
        widths: Sequence[int] = (1, 2, 3),
        num_filters: int = 32,
        dropout: float = 0.5,
    ) -> None:
        super().__init__()
        self.widths = tuple(widths)
        self.embed = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.convs = nn.ModuleList(nn.Conv1d(embed_dim, num_filters, w) for w in self.widths)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(num_filters * len(self.widths), num_classes)

    def ngram_activations(self, ids: Tensor) -> list[Tensor]:
        """Per width, ReLU activations ``[B, num_filters, L - w + 1]``; position i covers the
        characters i .. i + w - 1. Padding positions are set to 0 (they never win the max)."""
        emb = self.embed(ids).transpose(1, 2)  # [B, E, L]
        real = (ids != 0).float()
        acts = []
        for w, conv in zip(self.widths, self.convs, strict=True):
            a = torch.relu(conv(emb))
            inside = real.unfold(1, w, 1).min(dim=-1).values  # the whole window is text
            acts.append(a * inside[:, None, :])
        return acts

    def forward(self, ids: Tensor) -> Tensor:
        pooled = [a.max(dim=-1).values for a in self.ngram_activations(ids)]
        return self.out(self.dropout(torch.cat(pooled, dim=1)))
