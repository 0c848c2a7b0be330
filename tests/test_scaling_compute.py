"""lmbook.scaling.compute: 6ND, the compute-optimal allocation, KV cache and attention memory."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lmbook.scaling import (
    CHINCHILLA_FIT,
    CHINCHILLA_TABLE3,
    attention_scores_bytes,
    attention_training_flops,
    chinchilla_loss,
    chinchilla_optimal,
    kv_cache_bytes,
    rule_of_thumb_optimal,
    training_flops,
)


def test_training_flops_matches_flop_counter_on_a_linear_layer():
    from torch.utils.flop_counter import FlopCounterMode

    layer = torch.nn.Linear(48, 32, bias=False)
    x = torch.randn(10, 48, requires_grad=True)
    with FlopCounterMode(display=False) as counter:
        layer(x).sum().backward()
    assert counter.get_total_flops() == training_flops(48 * 32, 10)
    assert attention_training_flops(2, 64, 128, 10) == 12 * 2 * 64 * 128 * 10


def test_chinchilla_optimal_is_the_constrained_minimum():
    for c in (1e18, 1e22, 5.76e23):
        n, d = chinchilla_optimal(c)
        assert training_flops(n, d) == pytest.approx(c)
        for factor in (0.8, 1.25):  # moving along 6ND = C raises the loss
            assert chinchilla_loss(n * factor, d / factor) > chinchilla_loss(n, d)
    n, _ = chinchilla_optimal(5.76e23)
    assert n == pytest.approx(3.22e10, rel=0.01)  # the published rounded constants
    # the exponent a = beta / (alpha + beta)
    n1, _ = chinchilla_optimal(1e20)
    n2, _ = chinchilla_optimal(1e24)
    a = np.log10(n2 / n1) / 4
    p = CHINCHILLA_FIT
    assert a == pytest.approx(p.beta / (p.alpha + p.beta))


def test_rule_of_thumb_and_table3():
    n, d = rule_of_thumb_optimal(5.76e23)
    assert d == pytest.approx(20 * n) and training_flops(n, d) == pytest.approx(5.76e23)
    assert n == pytest.approx(69.3e9, rel=0.01)
    tab = np.array(CHINCHILLA_TABLE3)
    assert tab.shape == (9, 3)
    np.testing.assert_allclose(training_flops(tab[:, 0], tab[:, 2]), tab[:, 1], rtol=0.06)


def test_kv_cache_bytes_matches_transformers_cache():
    from transformers import GPT2Config, GPT2LMHeadModel

    cfg = GPT2Config(
        vocab_size=50,
        n_positions=64,
        n_embd=32,
        n_layer=3,
        n_head=4,
        bos_token_id=0,
        eos_token_id=0,
    )
    model = GPT2LMHeadModel(cfg).eval()
    with torch.no_grad():
        cache = model(torch.randint(0, 50, (2, 17)), use_cache=True).cache
    measured = sum(layer.keys.nbytes + layer.values.nbytes for layer in cache.layers)
    assert measured == kv_cache_bytes(3, 4, 8, 17, 2, bytes_per_value=4)
    assert kv_cache_bytes(80, 8, 128, 4096) == 2 * 80 * 8 * 128 * 4096 * 2


def test_attention_scores_bytes():
    scores = torch.empty(2, 4, 33, 33)
    assert attention_scores_bytes(4, 33, 2) == scores.nbytes
