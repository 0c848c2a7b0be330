"""lmbook.nn.losses against PyTorch and transformers (section 4.2)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from lmbook.nn import cross_entropy_loss, focal_loss, lm_loss, log_softmax


def test_log_softmax_is_stable_and_equals_torch() -> None:
    z = torch.tensor([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]])
    torch.testing.assert_close(log_softmax(z), torch.log_softmax(z, dim=-1))
    assert torch.isfinite(log_softmax(z)).all()


@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_equals_torch(smoothing: float, weighted: bool) -> None:
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(20, 5, generator=g, dtype=torch.float64) * 3
    target = torch.randint(0, 5, (20,), generator=g)
    target[[3, 7]] = -100
    weight = torch.rand(5, generator=g, dtype=torch.float64) + 0.1 if weighted else None
    ours = cross_entropy_loss(logits, target, weight=weight, label_smoothing=smoothing)
    ref = F.cross_entropy(logits, target, weight=weight, label_smoothing=smoothing)
    torch.testing.assert_close(ours, ref)


def test_focal_loss_reduces_to_cross_entropy_and_matches_the_binary_form() -> None:
    g = torch.Generator().manual_seed(1)
    logits = torch.randn(30, 4, generator=g, dtype=torch.float64)
    target = torch.randint(0, 4, (30,), generator=g)
    weight = torch.tensor([0.2, 1.0, 2.0, 3.0], dtype=torch.float64)
    torch.testing.assert_close(
        focal_loss(logits, target, gamma=0.0, weight=weight),
        F.cross_entropy(logits, target, weight=weight),
    )
    z = torch.randn(30, generator=g, dtype=torch.float64)
    y = torch.randint(0, 2, (30,), generator=g)
    bce = F.binary_cross_entropy_with_logits(z, y.double(), reduction="none")
    binary = (bce * (1 - torch.exp(-bce)) ** 2).mean()  # torchvision's sigmoid_focal_loss, α off
    two_class = torch.stack([torch.zeros_like(z), z], dim=1)
    torch.testing.assert_close(focal_loss(two_class, y, gamma=2.0), binary)


def test_lm_loss_equals_transformers() -> None:
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    model = GPT2LMHeadModel(
        GPT2Config(vocab_size=50, n_positions=16, n_embd=16, n_layer=1, n_head=2)
    )
    ids = torch.randint(1, 50, (3, 10))
    mask = torch.ones_like(ids)
    mask[0, 6:] = 0
    mask[2, 3:] = 0
    labels = ids.masked_fill(mask == 0, -100)
    out = model(input_ids=ids, attention_mask=mask, labels=labels)
    torch.testing.assert_close(lm_loss(out.logits, labels), out.loss)
