"""lmbook.train gradient recorder: names, kinds, shapes, and values checked by hand."""

from __future__ import annotations

import copy
import json

import pytest
import torch
from torch import nn

from lmbook.train import ConfigError, GradRecorder, TrainConfig, train
from lmbook.train.gradients import (
    clip_by_total_norm,
    group_kind,
    group_name,
    group_params,
    param_norms,
)


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.attn = nn.Linear(3, 3)
        self.mlp = nn.Linear(3, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.mlp(torch.tanh(self.attn(x)))


class Layer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.attn, self.attn_out, self.mlp = nn.Linear(3, 3), nn.Linear(3, 3), nn.Linear(3, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.mlp(torch.tanh(self.attn_out(self.attn(x))))


class Stack(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.blocks = nn.ModuleList([Layer(), Layer()])
        self.head = nn.Linear(3, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.blocks[1](self.blocks[0](x)))


def data(n: int = 8) -> list[tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(n, 3, generator=g), torch.randn(n, 2, generator=g)
    return list(zip(x, y, strict=True))


def test_names_and_kinds_for_transformers_and_peft_parameters():
    lora = "base_model.model.transformer.h.3.attn.c_attn.lora_A.default.weight"
    assert group_name(lora) == "transformer.h.3.attn.c_attn.lora_A"
    assert group_name("base_model.model.score.modules_to_save.default.weight") == "score"
    kinds = {
        "transformer.wte": "embedding",
        "bert.embeddings.word_embeddings": "embedding",
        "bert.embeddings.LayerNorm": "norm",
        "transformer.h.0.ln_1": "norm",
        "model.layers.2.input_layernorm": "norm",
        "transformer.h.0.attn.c_attn": "attention",
        "model.layers.0.self_attn.q_proj": "attention",
        "bert.encoder.layer.1.attention.output.dense": "attention",
        "transformer.h.0.mlp.c_fc": "mlp",
        "bert.encoder.layer.1.intermediate.dense": "mlp",
        "bert.encoder.layer.1.output.dense": "mlp",
        "model.layers.0.mlp.down_proj": "mlp",
        "transformer.h.3.attn.c_attn.lora_A": "lora_A",
        "transformer.h.3.attn.c_attn.lora_B": "lora_B",
        "lm_head": "head",
        "classifier": "head",
        "cls.predictions.transform.dense": "head",
        "encoder": "other",
        "net.0": "other",
        "shared": "embedding",
        "encoder.block.0.layer.0.SelfAttention.q": "attention",
        "decoder.block.0.layer.1.EncDecAttention.o": "attention",
        "encoder.block.0.layer.1.DenseReluDense.wi": "mlp",
        "decoder.final_layer_norm": "norm",
        "model.encoder.layernorm_embedding": "norm",
        "model.decoder.layers.0.encoder_attn_layer_norm": "norm",
        "model.decoder.layers.0.encoder_attn.out_proj": "attention",
        "model.decoder.layers.0.fc2": "mlp",
        "gpt_neox.layers.0.mlp.dense_4h_to_h": "mlp",
    }
    assert {name: group_kind(name) for name in kinds} == kinds
    rec = GradRecorder.for_params(["wte.weight", "h.2.attn.weight", "h.2.attn.bias"])
    assert rec.names == ["wte", "h.2.attn"] and rec.layers == [None, 2]
    params = ["wte.weight", "wpe.weight", "h.2.attn.c_attn.weight", "h.2.mlp.c_fc.bias", "rnn.w"]
    rows, kinds, layers, index = group_params(params, "kind")
    assert rows == ["embedding", "L2 attention", "L2 mlp", "rnn"]
    assert kinds == ["embedding", "attention", "mlp", "other"]
    assert layers == [None, 2, 2, None] and index == [0, 0, 1, 2, 3]
    with pytest.raises(ValueError, match="group_by"):
        group_params(params, "layer")


@pytest.mark.parametrize("max_norm", [None, 0.05])
def test_recorded_values_match_a_hand_computation(max_norm):
    torch.manual_seed(0)
    model = Block()
    start = copy.deepcopy(model)
    batch = data()
    cfg = TrainConfig(
        lr=0.1,
        batch_size=8,
        max_steps=1,
        optimizer="sgd",
        weight_decay=0.0,
        max_grad_norm=max_norm,
        progress=False,
        verbose=False,
    )
    h = train(model, cfg, batch)
    x = torch.stack([b[0] for b in batch])
    y = torch.stack([b[1] for b in batch])
    nn.functional.mse_loss(start(x), y).backward()  # one batch of all 8 = the step's batch
    per_module = {
        name: torch.sqrt(sum(p.grad.square().sum() for p in mod.parameters())).item()
        for name, mod in (("attn", start.attn), ("mlp", start.mlp))
    }
    total = torch.sqrt(sum(p.grad.square().sum() for p in start.parameters())).item()
    coef = min(1.0, max_norm / (total + 1e-6)) if max_norm else 1.0
    rec = h.grads
    assert rec.names == ["attn", "mlp"] and rec.kinds == ["attention", "mlp"]
    assert rec.steps == [1] and len(rec.grad_norms) == 2 and len(rec.grad_norms[0]) == 1
    assert [row[0] for row in rec.grad_norms] == pytest.approx(list(per_module.values()), rel=1e-6)
    assert rec.total_norm == pytest.approx([total], rel=1e-6)
    assert rec.clipped == [max_norm is not None] and rec.clip_steps == ([1] if max_norm else [])
    for i, mod in enumerate((start.attn, start.mlp)):
        weight = torch.sqrt(sum(p.detach().square().sum() for p in mod.parameters())).item()
        expected = 0.1 * coef * per_module[rec.names[i]] / weight  # SGD: Δθ = -lr * clipped g
        assert rec.update_ratios[i][0] == pytest.approx(expected, rel=1e-5)
    assert h.grad_norm == pytest.approx([total], rel=1e-6)


def test_record_every_arrays_and_serialisation():
    cfg = TrainConfig(batch_size=4, max_steps=6, record_every=2, progress=False, verbose=False)
    h = train(Block(), cfg, data())
    rec = h.grads
    assert rec.steps == [2, 4, 6]
    arrays = rec.as_arrays()
    assert arrays["grad_norms"].shape == (2, 3) and arrays["update_ratios"].shape == (2, 3)
    assert arrays["grad_norms"][1].tolist() == rec.grad_norms[1]
    again = GradRecorder.from_dict(json.loads(json.dumps(rec.to_dict())))
    assert again.to_dict() == rec.to_dict()


def test_clip_matches_torch_clip_grad_norm():
    torch.manual_seed(1)
    a = [torch.randn(5, 3) * 4, torch.randn(7) * 4]
    b = [t.clone() for t in a]
    params = [nn.Parameter(torch.zeros_like(t)) for t in b]
    for p, g in zip(params, b, strict=True):
        p.grad = g
    expected_total = nn.utils.clip_grad_norm_(params, max_norm=1.0)
    total = torch.linalg.vector_norm(param_norms(a))
    clip_by_total_norm(a, total, 1.0)
    assert total.item() == pytest.approx(expected_total.item(), rel=1e-6)
    for ours, theirs in zip(a, params, strict=True):
        assert torch.allclose(ours, theirs.grad, rtol=1e-6)


def test_the_gradient_flow_widget_reads_the_record():
    from lmbook.viz.gradient_widget import GradientFlowWidget

    cfg = TrainConfig(batch_size=4, max_steps=3, max_grad_norm=1e-3, progress=False, verbose=False)
    rec = train(Block(), cfg, data()).grads
    widget = GradientFlowWidget.from_recorder(rec, title="Block")
    assert widget.meta["names"] == ["attn", "mlp"] and widget.meta["kinds"] == ["attention", "mlp"]
    assert widget.meta["steps"] == [1, 2, 3] and widget.meta["clipped"] == [True] * 3


def test_kind_rows_combine_the_module_rows():
    def run(group_by: str) -> GradRecorder:
        torch.manual_seed(0)
        cfg = TrainConfig(
            batch_size=8, max_steps=2, record_group_by=group_by, progress=False, verbose=False
        )
        return train(Stack(), cfg, data()).grads

    by_module, by_kind = run("module"), run("kind")
    assert by_module.names[:3] == ["blocks.0.attn", "blocks.0.attn_out", "blocks.0.mlp"]
    assert by_module.kinds == ["attention", "attention", "mlp"] * 2 + ["head"]
    assert by_kind.names == ["L0 attention", "L0 mlp", "L1 attention", "L1 mlp", "head"]
    assert by_kind.kinds == ["attention", "mlp", "attention", "mlp", "head"]
    assert by_kind.layers == [0, 0, 1, 1, None]
    m = torch.tensor(by_module.grad_norms)
    merged = torch.stack([m[0:2].norm(dim=0), m[2], m[3:5].norm(dim=0), m[5], m[6]])
    assert torch.allclose(torch.tensor(by_kind.grad_norms), merged, rtol=1e-5)
    assert by_kind.total_norm == pytest.approx(by_module.total_norm, rel=1e-6)
    with pytest.raises(ConfigError, match="record_group_by"):
        TrainConfig(record_group_by="layer")
