"""lmbook.train guards: NaN/Inf stop and skip with a clear message; early stopping."""

from __future__ import annotations

import pytest
import torch
from nan_bomb import Bomb
from torch import nn

from lmbook.train import EarlyStopping, NonFiniteError, TrainConfig, latest_checkpoint, train


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.bomb = Bomb()
        self.fc2 = nn.Linear(8, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.bomb(torch.relu(self.fc1(x))))


def data(n: int = 32) -> list[tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(0)
    return list(zip(torch.randn(n, 4, generator=g), torch.randn(n, 1, generator=g), strict=True))


def arm(model: Net, at: int, mode: str, until: int | None = None):
    def callback(info) -> None:
        if info.step == at:
            model.bomb.armed = mode
        if until is not None and info.step == until:
            model.bomb.armed = ""

    return callback


def quiet(**kw) -> TrainConfig:
    return TrainConfig(
        **{"batch_size": 8, "max_steps": 8, "progress": False, "verbose": False, **kw}
    )


def test_nan_loss_stops_naming_step_and_module_and_keeps_the_checkpoint(tmp_path):
    torch.manual_seed(0)
    model = Net()
    cfg = quiet(out_dir=str(tmp_path), checkpoint_every=2)
    with pytest.raises(NonFiniteError) as err:
        train(model, cfg, data(), callbacks=[arm(model, 3, "forward")])
    e = err.value
    assert e.step == 4 and e.module == "bomb"
    msg = str(e)
    assert msg.startswith("step 4: the loss is nan; the first non-finite output came from 'bomb'")
    assert "checkpoint-00000002 is intact" in msg and "on_nonfinite='skip'" in msg
    assert e.history.step == [1, 2, 3, 4] and e.history.stop_reason == "non-finite at step 4"
    assert latest_checkpoint(tmp_path).name == "checkpoint-00000002"
    fresh = Net()
    model.bomb.armed = ""
    history = train(fresh, quiet(out_dir=str(tmp_path), checkpoint_every=2), data(), resume=True)
    assert history.step[-1] == 8 and all(torch.isfinite(p).all() for p in fresh.parameters())


def test_nan_gradient_names_the_module_nearest_the_loss():
    torch.manual_seed(0)
    model = Net()
    with pytest.raises(NonFiniteError, match=r"step 2: a gradient is non-finite") as err:
        train(model, quiet(), data(), callbacks=[arm(model, 1, "backward")])
    assert err.value.module == "fc1"
    assert "nearest the loss is in module 'fc1'" in str(err.value)
    assert err.value.checkpoint is None and "no checkpoint was written" in str(err.value)


def test_skip_mode_skips_the_bad_step_and_goes_on():
    torch.manual_seed(0)
    model = Net()
    seen: dict[int, list[torch.Tensor]] = {}

    def snapshot(info) -> None:
        seen[info.step] = [p.detach().clone() for p in model.parameters()]

    with pytest.warns(RuntimeWarning, match=r"step 4: the loss is nan.*'bomb'.*skipped"):
        h = train(
            model,
            quiet(on_nonfinite="skip"),
            data(),
            callbacks=[arm(model, 3, "forward", until=4), snapshot],
        )
    assert h.skipped == [4] and h.step == list(range(1, 9))
    assert all(torch.equal(a, b) for a, b in zip(seen[3], seen[4], strict=True))  # untouched
    assert all(torch.isfinite(p).all() for p in model.parameters())
    assert torch.isnan(torch.tensor(h.loss[3])) and all(x == x for x in h.loss[4:])
    assert h.stop_reason == "finished 8 steps"


def test_early_stopping_on_a_validation_metric():
    scores = iter([0.5, 0.6, 0.55, 0.52, 0.9, 0.9])
    h = train(
        Net(),
        quiet(
            max_steps=20,
            eval_every=2,
            early_stop_patience=2,
            early_stop_metric="score",
            early_stop_mode="max",
        ),
        data(),
        data(8),
        metrics=lambda model: {"score": next(scores)},
    )
    assert h.val_step == [2, 4, 6, 8] and h.val_metrics["score"] == [0.5, 0.6, 0.55, 0.52]
    assert h.step[-1] == 8 and h.stop_reason.startswith("early stop at step 8: val score")
    assert "best 0.6 at step 4" in h.stop_reason
    with pytest.raises(Exception, match=r"early_stop_metric='acc' is not among.*\['loss'"):
        train(
            Net(),
            quiet(eval_every=2, early_stop_patience=2, early_stop_metric="acc"),
            data(),
            data(8),
        )


def test_early_stopping_counts_min_delta():
    es = EarlyStopping(patience=2, mode="min", min_delta=0.1)
    assert [es.update(v, s) for s, v in enumerate([1.0, 0.95, 0.5, 0.45, 0.44])] == [
        False,
        False,
        False,
        False,
        True,
    ]
    assert (es.best, es.best_step) == (0.5, 2)
