"""lmbook.nn.attention, positional and cost: equal to torch / transformers, and measured right."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from lmbook.nn import (
    MultiHeadAttention,
    TransformerBlock,
    causal_mask,
    fit_power_law,
    measure_cost,
    padding_mask,
    peak_memory,
    rope,
    scaled_dot_product_attention,
    sinusoidal_encoding,
)


def test_sdpa_equals_torch_with_masks() -> None:
    torch.manual_seed(0)
    q, k, v = torch.randn(2, 3, 6, 8), torch.randn(2, 3, 6, 8), torch.randn(2, 3, 6, 5)
    torch.testing.assert_close(
        scaled_dot_product_attention(q, k, v)[0], F.scaled_dot_product_attention(q, k, v)
    )
    torch.testing.assert_close(
        scaled_dot_product_attention(q, k, v, is_causal=True)[0],
        F.scaled_dot_product_attention(q, k, v, is_causal=True),
    )
    keep = torch.rand(2, 1, 6, 6) > 0.3
    keep[..., 0] = True
    torch.testing.assert_close(
        scaled_dot_product_attention(q, k, v, keep)[0],
        F.scaled_dot_product_attention(q, k, v, attn_mask=keep),
    )
    pad = padding_mask(torch.tensor([4, 6]), 6)
    _, w = scaled_dot_product_attention(q, k, v, pad + causal_mask(6))
    assert torch.all(w[0, :, :, 4:] == 0) and torch.all(w.triu(1) == 0)


def test_multihead_equals_torch() -> None:
    torch.manual_seed(1)
    ref = torch.nn.MultiheadAttention(16, 4, batch_first=True)
    ours = MultiHeadAttention(16, 4)
    ours.load_state_dict(ref.state_dict())
    x = torch.randn(3, 7, 16)
    pad = torch.zeros(3, 7, dtype=torch.bool)
    pad[0, 5:] = True
    cm = torch.ones(7, 7, dtype=torch.bool).triu(1)
    a = ref(x, x, x, key_padding_mask=pad, attn_mask=cm)
    b = ours(x, x, x, key_padding_mask=pad, attn_mask=cm)
    torch.testing.assert_close(b[0], a[0])
    torch.testing.assert_close(b[1], a[1])


def test_block_equals_shipped_gpt() -> None:
    from lmbook.zoo import load

    model, tok = load("gpt-zh-tiny")
    ids = tok("今天的天气很好。", return_tensors="pt")["input_ids"]
    out = model(ids, output_hidden_states=True)
    block = TransformerBlock.from_gpt2(model.transformer.h[0], model.config.n_head)
    torch.testing.assert_close(
        block(out.hidden_states[0]), out.hidden_states[1], rtol=1e-4, atol=1e-5
    )
    d = model.config.n_embd
    assert sum(p.numel() for p in block.parameters()) == 12 * d * d + 13 * d


def test_positional_encodings() -> None:
    pe = sinusoidal_encoding(10, 8)
    assert pe[3, 0].item() == pytest.approx(torch.sin(torch.tensor(3.0)).item())
    assert pe[3, 1].item() == pytest.approx(torch.cos(torch.tensor(3.0)).item())
    torch.manual_seed(2)
    q, k = torch.randn(1, 16), torch.randn(1, 16)

    def dot(m: int, n: int) -> float:
        return (rope(q, torch.tensor([m])) @ rope(k, torch.tensor([n])).T).item()

    assert dot(7, 3) == pytest.approx(dot(104, 100), rel=1e-5)
    x = torch.randn(5, 16)
    torch.testing.assert_close(rope(x, torch.arange(5)).norm(dim=-1), x.norm(dim=-1))


def test_cost_measures_megabytes() -> None:
    n = 512
    peak = peak_memory(lambda: torch.ones(n, n) * 2.0)
    assert peak >= n * n * 4  # at least the result, 1 MiB
    cost = measure_cost(lambda: torch.ones(64, 64).sum(), repeats=2)
    assert cost.seconds > 0
    k, c = fit_power_law([1, 2, 4, 8], [3, 12, 48, 192])
    assert k == pytest.approx(2.0) and c == pytest.approx(3.0)
