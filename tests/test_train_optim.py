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
