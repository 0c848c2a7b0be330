"""lmbook.nn.moe: top-k routing against a dense reference, the load-balancing loss, counts."""

from __future__ import annotations

import pytest
import torch

from lmbook.nn import MoELayer, load_balancing_loss


def _dense(layer: MoELayer, x: torch.Tensor) -> torch.Tensor:
    probs = torch.softmax(layer.router(x), dim=-1)
    gates, index = probs.topk(layer.top_k, dim=-1)
    weights = torch.zeros_like(probs).scatter(1, index, gates)
    outs = torch.stack([expert(x) for expert in layer.experts], dim=1)  # tokens x E x d
    return (weights[..., None] * outs).sum(1)


@pytest.mark.parametrize("top_k", [1, 2, 4])
def test_sparse_routing_equals_dense_reference(top_k):
    torch.manual_seed(0)
    layer = MoELayer(16, 24, n_experts=4, top_k=top_k)
    x = torch.randn(3, 10, 16)
    out = layer(x)
    assert out.output.shape == x.shape and out.expert_index.shape == (30, top_k)
    torch.testing.assert_close(out.output.reshape(-1, 16), _dense(layer, x.reshape(-1, 16)))


def test_gradients_reach_router_and_only_used_experts():
    torch.manual_seed(0)
    layer = MoELayer(8, 8, n_experts=4, top_k=1)
    x = torch.randn(5, 8)
    out = layer(x)
    (out.output.sum() + out.aux_loss).backward()
    assert layer.router.weight.grad.abs().sum() > 0
    used = set(out.expert_index.flatten().tolist())
    for e, expert in enumerate(layer.experts):
        has_grad = expert[0].weight.grad is not None and expert[0].weight.grad.abs().sum() > 0
        assert has_grad == (e in used)


def test_load_balancing_loss_endpoints():
    n = 4
    uniform = torch.full((8, n), 1 / n)
    balanced = torch.arange(8).remainder(n)[:, None]
    assert load_balancing_loss(uniform, balanced, n).item() == pytest.approx(1.0)
    collapsed = torch.zeros(8, n)
    collapsed[:, 2] = 1
    idx = torch.full((8, 1), 2)
    assert load_balancing_loss(collapsed, idx, n).item() == pytest.approx(n)


def test_parameter_counts_and_validation():
    layer = MoELayer(8, 16, n_experts=6, top_k=2)
    total, active = layer.parameter_counts()
    per_expert = 8 * 16 + 16 + 16 * 8 + 8
    assert total == sum(p.numel() for p in layer.parameters()) == 6 * per_expert + 48
    assert active == 2 * per_expert + 48
    with pytest.raises(ValueError):
        MoELayer(8, 16, n_experts=2, top_k=3)
