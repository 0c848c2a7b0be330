"""Attention from scratch: scaled dot-product, multi-head, and a GPT-2 transformer block (3.6).

- :func:`scaled_dot_product_attention`: softmax(Q K^T / sqrt(d_k) + mask) V (Vaswani et al.
  2017), equal to ``torch.nn.functional.scaled_dot_product_attention``; also returns the weights.
- :class:`MultiHeadAttention`: the parameters of ``torch.nn.MultiheadAttention`` under the same
  names (``in_proj_weight``, ``in_proj_bias``, ``out_proj``), so its ``state_dict`` loads as is.
- :class:`TransformerBlock`: one pre-LayerNorm GPT-2 block (attention and MLP, each with a
  residual connection); :meth:`TransformerBlock.from_gpt2` copies a ``transformers`` GPT-2 block.
  It has 12 d^2 + 13 d parameters.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

__all__ = [
    "MultiHeadAttention",
    "TransformerBlock",
    "causal_mask",
    "padding_mask",
    "scaled_dot_product_attention",
]

Tensor = torch.Tensor


def causal_mask(n: int, dtype: torch.dtype = torch.float32) -> Tensor:
    """Additive ``[n, n]`` mask: 0 where key j <= query i, -inf above the diagonal."""
    return torch.full((n, n), float("-inf"), dtype=dtype).triu(1)


def padding_mask(lengths: Tensor, n: int, dtype: torch.dtype = torch.float32) -> Tensor:
    """Additive ``[B, 1, 1, n]`` mask that hides the keys past each sequence's length."""
    keep = torch.arange(n)[None, :] < lengths[:, None]
    return torch.zeros(keep.shape, dtype=dtype).masked_fill(~keep, float("-inf"))[:, None, None]


def scaled_dot_product_attention(
    q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None = None, is_causal: bool = False
) -> tuple[Tensor, Tensor]:
    """Attention over the last two axes: ``q`` ``[..., n, d_k]``, ``k`` ``[..., m, d_k]``,
    ``v`` ``[..., m, d_v]``. ``mask`` is additive (``-inf`` hides a key) or boolean (``True``
    keeps it, as in torch). Returns the output ``[..., n, d_v]`` and the weights ``[..., n, m]``.
    """
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # the variance of q.k is d_k
    if is_causal:
        scores = scores + causal_mask(q.shape[-2], scores.dtype)[: q.shape[-2], : k.shape[-2]]
    if mask is not None:
        if mask.dtype == torch.bool:
            mask = torch.zeros(mask.shape, dtype=scores.dtype).masked_fill(~mask, float("-inf"))
        scores = scores + mask
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights


class MultiHeadAttention(nn.Module):
    """h heads of width d/h: project, attend per head, concatenate, project back.

    ``forward(query, key, value)`` takes ``[B, n, d]`` (batch first) and returns the output and
    the weights averaged over heads, like ``nn.MultiheadAttention(..., batch_first=True)``.
    """

    def __init__(self, embed_dim: int, num_heads: int, bias: bool = True) -> None:
        super().__init__()
        if embed_dim % num_heads:
            raise ValueError(f"embed_dim={embed_dim} must be divisible by num_heads={num_heads}")
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.in_proj_weight = nn.Parameter(torch.empty(3 * embed_dim, embed_dim))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * embed_dim)) if bias else None
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=bias)
        nn.init.xavier_uniform_(self.in_proj_weight)

    def _heads(self, x: Tensor) -> Tensor:
        b, n, _ = x.shape
        return x.view(b, n, self.num_heads, -1).transpose(1, 2)  # [B, h, n, d/h]

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Tensor | None = None,
        attn_mask: Tensor | None = None,
    ) -> tuple[Tensor, Tensor]:
        """``key_padding_mask`` ``[B, m]``: ``True`` marks padding (as in torch);
        ``attn_mask`` ``[n, m]``: additive, or boolean with ``True`` = not allowed (as in torch)."""
        w_q, w_k, w_v = self.in_proj_weight.chunk(3)
        b_q, b_k, b_v = (
            (None, None, None) if self.in_proj_bias is None else self.in_proj_bias.chunk(3)
        )
        q = self._heads(nn.functional.linear(query, w_q, b_q))
        k = self._heads(nn.functional.linear(key, w_k, b_k))
        v = self._heads(nn.functional.linear(value, w_v, b_v))
        mask = torch.zeros(q.shape[-2], k.shape[-2], dtype=q.dtype)
        if attn_mask is not None:
            mask = (
                mask.masked_fill(attn_mask, float("-inf"))
                if attn_mask.dtype == torch.bool
                else mask + attn_mask
            )
        mask = mask.expand(query.shape[0], 1, *mask.shape)
        if key_padding_mask is not None:
            mask = mask.masked_fill(key_padding_mask[:, None, None, :], float("-inf"))
        out, weights = scaled_dot_product_attention(q, k, v, mask)
        out = out.transpose(1, 2).reshape(query.shape[0], query.shape[1], self.embed_dim)
        return self.out_proj(out), weights.mean(dim=1)


def _gelu_tanh(x: Tensor) -> Tensor:
    """GPT-2's GELU ("gelu_new"): the tanh approximation of x * Phi(x)."""
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)))


class TransformerBlock(nn.Module):
    """One GPT-2 block: x + Attn(LN(x)), then x + MLP(LN(x)), causal self-attention.

    Parameters: attention 4 d^2 + 4 d (Q, K, V and output projections with biases), MLP
    8 d^2 + 5 d (d -> 4d -> d), two LayerNorms 4 d: 12 d^2 + 13 d in all.
    """

    def __init__(self, d: int, num_heads: int, eps: float = 1e-5, inner: int | None = None) -> None:
        super().__init__()
        inner = inner or 4 * d
        self.num_heads = num_heads
        self.ln_1, self.ln_2 = nn.LayerNorm(d, eps=eps), nn.LayerNorm(d, eps=eps)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.fc = nn.Linear(d, inner)
        self.fc_out = nn.Linear(inner, d)

    def attention(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """Causal multi-head self-attention of a ``[B, n, d]`` input; output and weights."""
        b, n, d = x.shape
        q, k, v = self.qkv(x).split(d, dim=-1)
        q, k, v = (t.view(b, n, self.num_heads, -1).transpose(1, 2) for t in (q, k, v))
        out, weights = scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(out.transpose(1, 2).reshape(b, n, d)), weights

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.attention(self.ln_1(x))[0]
        return x + self.fc_out(_gelu_tanh(self.fc(self.ln_2(x))))

    @classmethod
    def from_gpt2(cls, block: Any, num_heads: int) -> TransformerBlock:
        """Copy of a ``transformers`` ``GPT2Block``. GPT-2 stores its projections as ``Conv1D``
        (``y = x W + b``, W is ``[in, out]``): the transpose of ``nn.Linear``'s weight."""
        d = block.ln_1.weight.shape[0]
        ours = cls(d, num_heads, block.ln_1.eps, block.mlp.c_fc.weight.shape[1])
        pairs = {
            ours.qkv: block.attn.c_attn,
            ours.proj: block.attn.c_proj,
            ours.fc: block.mlp.c_fc,
            ours.fc_out: block.mlp.c_proj,
        }
        with torch.no_grad():
            for linear, conv in pairs.items():
                linear.weight.copy_(conv.weight.T)
                linear.bias.copy_(conv.bias)
            ours.ln_1.load_state_dict(block.ln_1.state_dict())
            ours.ln_2.load_state_dict(block.ln_2.state_dict())
        return ours
