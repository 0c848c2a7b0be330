"""The from-scratch optimisers of ``lmbook.nn.optim`` equal ``torch.optim`` step for step."""

from __future__ import annotations

import pytest
import torch

from lmbook.nn import SGD, Adam, AdamW, RMSProp

CASES = [
    (SGD, torch.optim.SGD, {"lr": 0.05}),
    (SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01}),
    (SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    (RMSProp, torch.optim.RMSprop, {"lr": 0.01, "alpha": 0.9, "eps": 1e-6}),
    (Adam, torch.optim.Adam, {"lr": 0.01}),
    (Adam, torch.optim.Adam, {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1}),
    (AdamW, torch.optim.AdamW, {"lr": 0.01, "weight_decay": 0.1}),
]


def _run(opt_cls: type, kwargs: dict, steps: int = 30) -> list[torch.Tensor]:
    """Train a small two-layer net on fixed data; return its parameters after every step."""
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    x, y = torch.randn(32, 5), torch.randn(32, 1)
    opt = opt_cls(net.parameters(), **kwargs)
    trace = []
    for _ in range(steps):
        opt.zero_grad()
        torch.nn.functional.mse_loss(net(x), y).backward()
        opt.step()
        trace.append(torch.cat([p.detach().flatten() for p in net.parameters()]))
    return trace


@pytest.mark.parametrize(("ours", "theirs", "kwargs"), CASES)
def test_equals_torch_step_for_step(ours: type, theirs: type, kwargs: dict) -> None:
    extra = {"foreach": False}  # the single-tensor implementation, the one written out
    for a, b in zip(_run(ours, kwargs), _run(theirs, kwargs | extra), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-7)


def test_adam_first_step_is_lr_per_coordinate() -> None:
    """With bias correction the first Adam step moves every coordinate by ``lr`` (eps -> 0)."""
    for correct, size in ((True, 0.1), (False, 0.1 * 0.1 / 0.001**0.5)):
        p = torch.nn.Parameter(torch.zeros(4))
        opt = Adam([p], lr=0.1, eps=1e-12, bias_correction=correct)
        p.grad = torch.tensor([1e-3, -1.0, 2.0, 50.0])
        opt.step()
        torch.testing.assert_close(p.detach().abs(), torch.full((4,), size))


def test_adam_l2_differs_from_adamw() -> None:
    """With no loss gradient, Adam's L2 step does not depend on the decay's size; AdamW's does."""
    finals = {}
    for cls in (Adam, AdamW):
        for wd in (0.01, 0.1):
            p = torch.nn.Parameter(torch.ones(1))
            opt = cls([p], lr=0.01, weight_decay=wd)
            for _ in range(10):
                p.grad = torch.zeros(1)
                opt.step()
            finals[cls.__name__, wd] = p.item()
    assert finals["Adam", 0.01] == pytest.approx(finals["Adam", 0.1], abs=1e-6)
    assert finals["AdamW", 0.1] == pytest.approx((1 - 0.01 * 0.1) ** 10)
    assert finals["AdamW", 0.01] != pytest.approx(finals["AdamW", 0.1])


def test_nesterov_needs_momentum() -> None:
    with pytest.raises(ValueError, match="momentum"):
        SGD([torch.nn.Parameter(torch.zeros(1))], nesterov=True)
