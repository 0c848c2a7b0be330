"""lmbook.train schedules: closed form, and agreement with transformers' and torch's schedulers."""

from __future__ import annotations

import math

import pytest
import torch

from lmbook.train import WarmupSchedule, make_scheduler


def lrs(scheduler: torch.optim.lr_scheduler.LRScheduler, steps: int) -> list[float]:
    out = []
    for _ in range(steps):
        out.append(scheduler.get_last_lr()[0])
        scheduler.optimizer.step()
        scheduler.step()
    return out


def optimizer(lr: float = 0.1) -> torch.optim.Optimizer:
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)


def test_closed_form_values():
    cos = WarmupSchedule("cosine", warmup=4, total=20, min_ratio=0.1)
    assert [cos(s) for s in range(5)] == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert cos(12) == pytest.approx(0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * 0.5)))
    assert cos(20) == pytest.approx(0.1) and cos(25) == pytest.approx(0.1)
    lin = WarmupSchedule("linear", warmup=0, total=10)
    assert [lin(s) for s in (0, 5, 10, 11)] == [1.0, 0.5, 0.0, 0.0]
    const = WarmupSchedule("constant", warmup=2, total=10)
    assert [const(s) for s in (0, 1, 2, 9)] == [0.0, 0.5, 1.0, 1.0]


@pytest.mark.parametrize(("kind", "warmup"), [("cosine", 0), ("cosine", 7), ("linear", 5)])
def test_matches_transformers(kind, warmup):
    from transformers import get_cosine_schedule_with_warmup, get_linear_schedule_with_warmup

    make_hf = {"cosine": get_cosine_schedule_with_warmup, "linear": get_linear_schedule_with_warmup}
    ours = lrs(make_scheduler(optimizer(), kind, warmup, 40), 45)
    theirs = lrs(make_hf[kind](optimizer(), warmup, 40), 41)
    assert ours[:41] == theirs  # bit for bit up to the last step
    assert ours[41:] == [0.0] * 4  # past the end it stays at the floor


def test_matches_torch_schedulers():
    ours = lrs(make_scheduler(optimizer(), "cosine", 0, 30, min_ratio=0.2), 30)
    opt = optimizer()
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=30, eta_min=0.02)
    assert ours == pytest.approx(lrs(cosine, 30), rel=1e-9, abs=1e-12)
    ours = lrs(make_scheduler(optimizer(), "linear", 0, 30, min_ratio=0.2), 30)
    opt = optimizer()
    linear = torch.optim.lr_scheduler.LinearLR(opt, 1.0, 0.2, total_iters=30)
    assert ours == pytest.approx(lrs(linear, 30), rel=1e-9)


def test_bad_schedule_arguments():
    with pytest.raises(ValueError, match="not one of"):
        WarmupSchedule("step", 0, 10)
    with pytest.raises(ValueError, match="warmup"):
        WarmupSchedule("cosine", 11, 10)
