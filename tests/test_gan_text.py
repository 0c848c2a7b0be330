"""Gumbel-softmax, the straight-through estimator and REINFORCE (lmbook.gan.text)."""

import pytest
import torch
import torch.nn.functional as F
from scipy.stats import chisquare

from lmbook.gan import MovingBaseline, gumbel_softmax, reinforce_loss


@pytest.mark.parametrize("hard", [False, True])
def test_gumbel_softmax_matches_torch_under_one_seed(hard):
    logits = torch.randn(5, 7, requires_grad=True)
    w = torch.randn(5, 7)
    torch.manual_seed(3)
    ours = gumbel_softmax(logits, tau=0.5, hard=hard)
    (g_ours,) = torch.autograd.grad((ours * w).sum(), logits)
    torch.manual_seed(3)
    ref = F.gumbel_softmax(logits, tau=0.5, hard=hard)
    (g_ref,) = torch.autograd.grad((ref * w).sum(), logits)
    torch.testing.assert_close(ours, ref)
    torch.testing.assert_close(g_ours, g_ref)


def test_straight_through_forward_is_one_hot_backward_is_soft():
    logits = torch.randn(4, 6, requires_grad=True)
    torch.manual_seed(0)
    hard = gumbel_softmax(logits, tau=2.0, hard=True)
    torch.manual_seed(0)
    soft = gumbel_softmax(logits, tau=2.0, hard=False)
    assert torch.equal(hard.detach().sum(-1), torch.ones(4))
    assert set(hard.detach().unique().tolist()) == {0.0, 1.0}
    w = torch.randn(4, 6)
    (g_hard,) = torch.autograd.grad((hard * w).sum(), logits)
    (g_soft,) = torch.autograd.grad((soft * w).sum(), logits)
    torch.testing.assert_close(g_hard, g_soft)


def test_gumbel_max_samples_the_categorical():
    torch.manual_seed(0)
    logits = torch.tensor([1.0, 0.0, -1.0, 2.0])
    draws = gumbel_softmax(logits.expand(40000, 4), hard=True).argmax(-1)
    counts = torch.bincount(draws, minlength=4).double().numpy()
    probs = logits.double().softmax(-1).numpy()
    assert chisquare(counts, probs / probs.sum() * counts.sum()).pvalue > 1e-3
    with pytest.raises(ValueError):
        gumbel_softmax(logits, tau=0.0)


def test_reinforce_is_unbiased_and_the_baseline_cuts_variance():
    torch.manual_seed(0)
    theta = torch.tensor([0.5, -0.2, 0.1], requires_grad=True)
    reward = torch.tensor([1.0, 3.0, 2.0])
    exact = torch.autograd.grad((theta.softmax(0) * reward).sum(), theta)[0]
    grads = {0.0: [], 2.0: []}
    for b in grads:
        for _ in range(2000):
            a = torch.multinomial(theta.softmax(0).detach(), 8, replacement=True)
            loss = reinforce_loss(theta.log_softmax(0)[a], reward[a], b)
            grads[b].append(-torch.autograd.grad(loss, theta)[0])
    for g in grads.values():
        torch.testing.assert_close(torch.stack(g).mean(0), exact, atol=0.03, rtol=0)
    assert torch.stack(grads[2.0]).var(0).sum() < 0.5 * torch.stack(grads[0.0]).var(0).sum()


def test_moving_baseline():
    base = MovingBaseline(decay=0.5)
    assert base.update(torch.tensor([2.0])) == 2.0
    assert base.update(torch.tensor([4.0])) == 2.0
    assert base.value == 3.0
    with pytest.raises(ValueError):
        MovingBaseline(decay=1.0)
