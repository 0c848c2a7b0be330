"""A mixture-of-experts feed-forward layer from scratch (section 8.1).

A router (one linear map, no bias) scores each token against ``n_experts`` experts; the token
goes to its ``top_k`` highest-probability experts and the output is the sum of those experts'
outputs weighted by their router probabilities, not renormalised over the chosen ``top_k``
(as in the Switch Transformer, Fedus et al. 2022, which uses ``top_k = 1``; GShard, Lepikhin
et al. 2021, uses two and renormalises their gates to sum to one). Each expert is a
two-layer GELU MLP, so a token costs ``top_k`` experts' FLOPs whatever ``n_experts`` is.

:func:`load_balancing_loss` is the Switch auxiliary loss ``n_experts * sum_i f_i P_i``:
``f_i`` is the share of routing assignments that go to expert ``i`` (not differentiable),
``P_i`` the mean router probability of expert ``i`` (differentiable); it equals 1 when both are
uniform and grows as routing concentrates.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

__all__ = ["MoELayer", "MoEOutput", "load_balancing_loss"]


def load_balancing_loss(
    probs: torch.Tensor, expert_index: torch.Tensor, n_experts: int
) -> torch.Tensor:
    """Switch Transformer auxiliary loss from router ``probs`` (tokens x experts) and the chosen
    ``expert_index`` (tokens x top_k)."""
    counts = torch.bincount(expert_index.flatten(), minlength=n_experts).to(probs.dtype)
    f = counts / counts.sum()
    p = probs.mean(dim=0)
    return n_experts * (f * p).sum()


class MoEOutput(NamedTuple):
    """The layer's output, its load-balancing loss and the experts each token went to
    (tokens x top_k)."""

    output: torch.Tensor
    aux_loss: torch.Tensor
    expert_index: torch.Tensor


class MoELayer(nn.Module):
    """Top-k routed mixture of ``n_experts`` MLPs (``d_model -> d_hidden -> d_model``)."""

    def __init__(self, d_model: int, d_hidden: int, n_experts: int, top_k: int = 1) -> None:
        super().__init__()
        if not 1 <= top_k <= n_experts:
            raise ValueError("need 1 <= top_k <= n_experts")
        self.n_experts, self.top_k = n_experts, top_k
        self.router = nn.Linear(d_model, n_experts, bias=False)
        self.experts = nn.ModuleList(
            nn.Sequential(nn.Linear(d_model, d_hidden), nn.GELU(), nn.Linear(d_hidden, d_model))
            for _ in range(n_experts)
        )

    def route(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Router probabilities (tokens x experts), the top-k gates and expert indices."""
        probs = torch.softmax(self.router(x), dim=-1)
        gates, index = probs.topk(self.top_k, dim=-1)
        return probs, gates, index

    def forward(self, x: torch.Tensor) -> MoEOutput:
        shape = x.shape
        x = x.reshape(-1, shape[-1])
        probs, gates, index = self.route(x)
        out = torch.zeros_like(x)
        for e, expert in enumerate(self.experts):
            token, slot = torch.nonzero(index == e, as_tuple=True)
            if token.numel():  # only the tokens routed here are computed
                out.index_add_(0, token, gates[token, slot, None] * expert(x[token]))
        aux = load_balancing_loss(probs, index, self.n_experts)
        return MoEOutput(out.reshape(shape), aux, index)

    def parameter_counts(self) -> tuple[int, int]:
        """``(total, active per token)``: all parameters, and those one token uses (router plus
        ``top_k`` experts)."""
        per_expert = sum(p.numel() for p in self.experts[0].parameters())
        router = self.router.weight.numel()
        return router + self.n_experts * per_expert, router + self.top_k * per_expert
