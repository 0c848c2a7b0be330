"""A loop of your own (two models stepping in turn, as a GAN) built from lmbook.train's pieces."""

from __future__ import annotations

from functools import partial

import pytest
import torch
from nan_bomb import Bomb
from torch import nn

from lmbook.seeding import seed_everything
from lmbook.train import History, NonFiniteError, WarmupSchedule, make_scheduler, plot_history
from lmbook.train.guards import check_finite

STEPS, WARMUP, LR = 12, 3, 0.01
BCE = nn.functional.binary_cross_entropy_with_logits


class Generator(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(2, 2)
        self.bomb = Bomb()

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.bomb(self.fc(z))


def d_loss(gen: nn.Module, disc: nn.Module, real: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """The discriminator's loss: real samples are 1, generated ones (detached) are 0."""
    n = len(real)
    fake = gen(z).detach()
    return BCE(disc(real), torch.ones(n, 1)) + BCE(disc(fake), torch.zeros(n, 1))


def g_loss(gen: nn.Module, disc: nn.Module, real: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """The generator's loss: its samples should pass for real."""
    return BCE(disc(gen(z)), torch.ones(len(z), 1))


def gan_loop(arm_at: int | None = None, mode: str = "forward", on_nonfinite: str = "stop"):
    """The chapter-7 shape: a discriminator step, then a generator step, every iteration."""
    seed_everything(0)
    gen, disc = Generator(), nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    gan = nn.ModuleDict({"generator": gen, "discriminator": disc})  # one name space for the guard
    opt_g = torch.optim.Adam(gen.parameters(), lr=LR, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(disc.parameters(), lr=LR, betas=(0.5, 0.999))
    sched_g = make_scheduler(opt_g, "cosine", WARMUP, STEPS)
    sched_d = make_scheduler(opt_d, "cosine", WARMUP, STEPS)
    hist_g, hist_d, skipped = History(), History(), []
    for step in range(1, STEPS + 1):
        if step == arm_at:
            gen.bomb.armed = mode
        real = torch.randn(16, 2) * 0.5 + 2.0
        z = torch.randn(16, 2)
        for phase, opt, sched, hist in (
            (d_loss, opt_d, sched_d, hist_d),
            (g_loss, opt_g, sched_g, hist_g),
        ):
            gan.zero_grad(set_to_none=True)  # both models: no stale gradient from the other phase
            loss_fn = partial(phase, gen, disc, real, z)
            loss = loss_fn()
            loss.backward()
            if check_finite(gan, loss, step=step, rerun=loss_fn, on_nonfinite=on_nonfinite):
                opt.step()
            else:
                skipped.append((step, phase.__name__))
            hist.step.append(step)
            hist.loss.append(loss.item())
            hist.lr.append(sched.get_last_lr()[0])
            sched.step()
        gen.bomb.armed = ""
    return gen, disc, hist_g, hist_d, skipped


def test_two_models_in_turn_reuse_seeding_schedules_and_history():
    gen, _, hist_g, hist_d, skipped = gan_loop()
    again = gan_loop()
    assert hist_g.loss == again[2].loss and hist_d.loss == again[3].loss  # seed_everything
    expected = [LR * WarmupSchedule("cosine", WARMUP, STEPS)(s) for s in range(STEPS)]
    assert hist_g.lr == pytest.approx(expected) and hist_d.lr == hist_g.lr
    assert hist_g.step == list(range(1, STEPS + 1)) and not skipped
    assert all(torch.isfinite(p).all() for p in gen.parameters())
    assert plot_history(hist_d).get_xlabel() == "优化步数"


def test_the_guard_names_the_generator_module_that_went_nan():
    with pytest.raises(NonFiniteError) as err:
        gan_loop(arm_at=5)
    e = err.value
    assert e.step == 5 and e.module == "generator.bomb"
    assert str(e).startswith(
        "step 5: the loss is nan; the first non-finite output came from 'generator.bomb' (Bomb)"
    )


def test_a_nan_gradient_is_caught_and_skip_leaves_the_weights_alone():
    with pytest.raises(NonFiniteError, match=r"step 4: a gradient is non-finite") as err:
        gan_loop(arm_at=4, mode="backward")
    assert err.value.module == "generator.fc"  # nearest the loss among the NaN gradients
    with pytest.warns(RuntimeWarning, match=r"step 4: a gradient .*skipped"):
        gen, _, hist_g, _, skipped = gan_loop(arm_at=4, mode="backward", on_nonfinite="skip")
    assert skipped == [(4, "g_loss")]  # only the generator's step: the discriminator's was finite
    assert all(torch.isfinite(p).all() for p in gen.parameters())
    assert hist_g.step == list(range(1, STEPS + 1))


def test_check_finite_is_true_on_healthy_gradients_and_checks_its_argument():
    model = nn.Linear(3, 1)
    loss = model(torch.ones(2, 3)).sum()
    loss.backward()
    assert check_finite(model, loss, step=1)
    with pytest.raises(ValueError, match="on_nonfinite='ignore' is not one of"):
        check_finite(model, loss, step=1, on_nonfinite="ignore")
