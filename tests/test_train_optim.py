"""lmbook.train optimizer groups: weight decay on matrices only, never on norms or biases."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from lmbook.train import TrainConfig, param_groups
from lmbook.train.optim import make_optimizer


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.emb = nn.Embedding(10, 4)
        self.fc = nn.Linear(4, 4)
        self.ln = nn.LayerNorm(4)
        self.bn = nn.BatchNorm1d(4)
        self.head = nn.Linear(4, 2, bias=False)
        self.frozen = nn.Linear(4, 4).requires_grad_(False)


class RMSNormLike(nn.Module):  # how transformers writes its own norms (LlamaRMSNorm, ...)
    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(4, 4))


def test_no_decay_on_norms_and_biases_and_nothing_frozen():
    groups = param_groups(Net(), weight_decay=0.1)
    assert [g["weight_decay"] for g in groups] == [0.1, 0.0]
    assert groups[0]["names"] == ["emb.weight", "fc.weight", "head.weight"]
    assert groups[1]["names"] == ["fc.bias", "ln.weight", "ln.bias", "bn.weight", "bn.bias"]


def test_norm_recognised_by_class_name_even_with_2d_weight():
    model = nn.Sequential(nn.Linear(4, 4), RMSNormLike())
    groups = param_groups(model, 0.1)
    assert groups[1]["names"] == ["0.bias", "1.weight"]


def test_gpt2_groups(tiny_gpt):
    model = tiny_gpt()
    decay, no_decay = param_groups(model, 0.01)
    assert all(n.endswith("bias") or ".ln_" in n for n in no_decay["names"])
    assert "transformer.h.0.ln_1.weight" in no_decay["names"]
    assert "transformer.h.0.attn.c_attn.weight" in decay["names"]
    n_params = sum(p.numel() for p in model.parameters())  # the tied head counts once
    assert sum(p.numel() for g in (decay, no_decay) for p in g["params"]) == n_params


def test_make_optimizer_follows_the_config():
    model = Net()
    adamw = make_optimizer(model, TrainConfig(lr=0.01, betas=(0.8, 0.9)), "cpu")
    assert isinstance(adamw, torch.optim.AdamW) and adamw.defaults["betas"] == (0.8, 0.9)
    sgd = make_optimizer(model, TrainConfig(optimizer="sgd", momentum=0.9), "cpu")
    assert isinstance(sgd, torch.optim.SGD) and sgd.defaults["momentum"] == 0.9
    with pytest.raises(ValueError, match="no trainable parameters"):
        param_groups(nn.Linear(2, 2).requires_grad_(False), 0.1)


def regression(n: int = 32) -> list[tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, 4, generator=g)
    return list(zip(x, x.sum(dim=1, keepdim=True), strict=True))


def quiet(**kw) -> TrainConfig:
    return TrainConfig(
        **{"batch_size": 8, "max_steps": 4, "progress": False, "verbose": False, **kw}
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lr": 0.05}, r"TrainConfig\(lr=0.05\) contradicts .* \(AdamW: lr 0.001\)"),
        (
            {"optimizer": "sgd"},
            r"TrainConfig\(optimizer='sgd'\) .* \(AdamW: i\.e\. 'adamw'\)",
        ),
        ({"betas": (0.8, 0.9)}, r"betas=\(0.8, 0.9\).*\(AdamW: betas \(0.9, 0.95\)\)"),
        ({"weight_decay": 0.5}, r"weight_decay=0.5.*\(AdamW: weight_decay 0.1 or 0.0\)"),
        ({"momentum": 0.9}, r"momentum=0.9.*\(AdamW: no momentum\)"),
    ],
)
def test_a_config_that_contradicts_the_users_optimizer_is_refused(kwargs, message):
    from lmbook.train import ConfigError, train

    model = nn.Linear(4, 1)
    opt = torch.optim.AdamW(param_groups(model, 0.1), lr=1e-3, betas=(0.9, 0.95))
    with pytest.raises(ConfigError, match=message) as err:
        train(model, quiet(**kwargs), regression(), optimizer=opt)
    assert "leave" in str(err.value) and str(err.value).endswith("optimizer's value.")


def test_the_users_optimizer_settings_are_the_ones_used():
    from lmbook.train import train

    model = nn.Linear(4, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.5)
    h = train(model, quiet(schedule="constant"), regression(), optimizer=opt)  # config lr: default
    assert h.lr == [0.05] * 4 and opt.param_groups[0]["momentum"] == 0.5
    same = quiet(schedule="constant", optimizer="sgd", lr=0.05, momentum=0.5, weight_decay=0.0)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.5)
    assert train(model, same, regression(), optimizer=opt).lr == [0.05] * 4


def test_resume_compares_the_users_optimizer_settings(tmp_path):
    from lmbook.train import ConfigError, train

    def run(lr: float, resume: bool = False, steps: int = 4, out: str = "run"):
        torch.manual_seed(0)
        model = nn.Linear(4, 1)
        opt = torch.optim.AdamW(model.parameters(), lr=lr)
        cfg = quiet(max_steps=8, out_dir=str(tmp_path / out), checkpoint_every=steps)
        stop = [lambda info: setattr(info, "stop", info.step == steps)] if not resume else []
        return train(model, cfg, regression(), optimizer=opt, callbacks=stop, resume=resume)

    run(1e-3)
    with pytest.raises(ConfigError, match=r"optimizer with other settings \(group 0: lr=0.001 "):
        run(1e-2, resume=True)
    resumed = run(1e-3, resume=True)
    reference = run(1e-3, steps=8, out="ref")
    assert resumed.step == list(range(1, 9)) and resumed.loss == reference.loss
