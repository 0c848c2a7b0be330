"""lmbook.viz gradient flow: recorder hooks against hand computations and against the record
``lmbook.train`` keeps; widget from either record and from plain data."""

from __future__ import annotations

import base64
import copy
import json

import numpy as np
import pytest
import torch

from lmbook.train import TrainConfig, train
from lmbook.train.gradients import GradRecorder, parameter_group
from lmbook.viz import GradientFlowWidget, GradientRecorder

torch.set_num_threads(1)


def _loss(model: torch.nn.Module, seed: int) -> torch.Tensor:
    ids = torch.randint(0, 40, (2, 8), generator=torch.Generator().manual_seed(seed))
    return model(input_ids=ids, labels=ids).loss


@pytest.mark.parametrize(
    ("name", "row", "kind"),
    [
        ("transformer.wte.weight", "embedding", "embedding"),
        ("transformer.h.0.attn.c_attn.weight", "L0 attention", "attention"),
        ("transformer.h.1.mlp.c_fc.bias", "L1 mlp", "mlp"),
        ("transformer.h.1.ln_2.weight", "L1 norm", "norm"),
        ("bert.encoder.layer.3.output.dense.weight", "enc L3 mlp", "mlp"),
        ("bert.encoder.layer.3.attention.output.LayerNorm.weight", "enc L3 norm", "norm"),
        ("model.decoder.layers.0.encoder_attn.k_proj.weight", "dec L0 attention", "attention"),
        (
            "base_model.model.transformer.h.0.attn.c_attn.lora_A.default.weight",
            "L0 lora_A",
            "lora_A",
        ),
        (
            "base_model.model.transformer.h.0.attn.c_attn.lora_B.default.weight",
            "L0 lora_B",
            "lora_B",
        ),
        ("classifier.weight", "head", "head"),
        ("rnn.weight_hh_l0", "rnn", "other"),
    ],
)
def test_parameter_groups(name: str, row: str, kind: str) -> None:
    assert parameter_group(name) == (row, kind)


def test_recorder_matches_hand_computed_norms_clipping_and_updates(tiny_gpt) -> None:
    model = tiny_gpt()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    params = dict(model.named_parameters())
    attn0 = [n for n in params if parameter_group(n)[0] == "L0 attention"]
    expected_norms, expected_ratios = [], []
    with GradientRecorder(model, opt) as rec:
        for step, max_norm in enumerate([1e-3, 1e3]):
            opt.zero_grad()
            _loss(model, 2 * step).backward()  # two micro-batches: gradients accumulate
            _loss(model, 2 * step + 1).backward()
            expected_norms.append(np.sqrt(sum(float(params[n].grad.norm()) ** 2 for n in attn0)))
            old = {n: params[n].detach().clone() for n in attn0}
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
            opt.step()
            change = np.sqrt(sum(float((params[n].detach() - old[n]).norm()) ** 2 for n in attn0))
            expected_ratios.append(change / np.sqrt(sum(float(old[n].norm()) ** 2 for n in attn0)))
    row = rec.names.index("L0 attention")
    assert isinstance(rec, GradRecorder) and rec.steps == [1, 2]
    assert rec.clipped == [True, False]
    np.testing.assert_allclose(rec.grad_norms[row], expected_norms, rtol=1e-5)
    np.testing.assert_allclose(rec.update_ratios[row], expected_ratios, rtol=1e-4)
    assert rec.kinds[rec.names.index("embedding")] == "embedding"
    opt.zero_grad()
    _loss(model, 9).backward()
    opt.step()
    assert rec.steps == [1, 2]  # hooks removed on leaving the with-block


def test_recorder_without_optimizer_every_other_step_and_lora_rows(tiny_gpt) -> None:
    from peft import LoraConfig, get_peft_model

    model = get_peft_model(
        tiny_gpt(), LoraConfig(r=2, target_modules=["c_attn"], fan_in_fan_out=True)
    )
    rec = GradientRecorder(model, every=2)
    assert rec.names == ["L0 lora_A", "L0 lora_B", "L1 lora_A", "L1 lora_B"]
    for seed in range(4):
        model.zero_grad()
        _loss(model, seed).backward()
        rec.step()
    rec.remove()
    arrays = rec.as_arrays()
    assert rec.steps == [2, 4] and rec.layers == [0, 0, 1, 1]
    assert arrays["grad_norms"].shape == (4, 2) and np.all(np.isnan(arrays["update_ratios"]))
    assert np.all(arrays["grad_norms"][[0, 2]] == 0)  # LoRA A gets no gradient while B is zero
    assert np.all(arrays["grad_norms"][[1, 3]] > 0)
    assert rec.total_norm == pytest.approx(np.linalg.norm(arrays["grad_norms"], axis=0).tolist())
    with pytest.raises(ValueError, match="group_by"):
        GradientRecorder(model, group_by="layer")


def test_widget_from_recorder_and_from_plain_arrays(tiny_gpt) -> None:
    model = tiny_gpt()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    rec = GradientRecorder(model, opt)
    for seed in range(3):
        opt.zero_grad()
        _loss(model, seed).backward()
        opt.step()
    widget = GradientFlowWidget.from_recorder(rec, title="GPT", metric="update_ratio")
    assert widget.step == 2 and widget.meta["ratios"]
    assert len(widget.payload) == 2 * 4 * len(rec.names) * 3  # two float32 [rows, steps] arrays
    data, _ = widget._repr_mimebundle_()
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    plain = GradientFlowWidget(
        ["h0", "h1"],
        [0, 10],
        [[1.0, 0.5], [0.1, 0.01]],
        clipped=[True, False],
        kinds=["attention", "mlp"],
    )
    assert plain.summary() == "GradientFlowWidget(2 rows x 2 steps, 1 clipped)"
    with pytest.raises(ValueError, match="shape"):
        GradientFlowWidget(["h0"], [0, 1], [[1.0]])
    with pytest.raises(ValueError, match="update_ratios"):
        GradientFlowWidget(["h0"], [0], [[1.0]], metric="update_ratio")
    with pytest.raises(ValueError, match="kinds"):
        GradientFlowWidget(["h0"], [0], [[1.0]], kinds=["conv"])


def test_hooks_record_what_lmbook_train_records() -> None:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    start = copy.deepcopy(model)
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(8, 3, generator=g), torch.randn(8, 2, generator=g)
    cfg = TrainConfig(
        lr=0.1,
        batch_size=8,
        max_steps=3,
        optimizer="sgd",
        schedule="constant",
        weight_decay=0.0,
        max_grad_norm=0.5,
        record_group_by="kind",
        progress=False,
        verbose=False,
    )
    expected = train(model, cfg, list(zip(x, y, strict=True))).grads
    opt = torch.optim.SGD(start.parameters(), lr=0.1)
    with GradientRecorder(start, opt) as rec:
        for _ in range(3):
            torch.nn.functional.mse_loss(start(x), y).backward()
            torch.nn.utils.clip_grad_norm_(start.parameters(), 0.5)
            opt.step()
            opt.zero_grad()
    got, want = rec.to_dict(), expected.to_dict()
    for key in ("names", "kinds", "layers", "every", "steps", "clipped"):
        assert got[key] == want[key], key
    assert want["names"] == ["L0 other", "L2 other"] and any(want["clipped"])
    for key in ("grad_norms", "update_ratios"):
        np.testing.assert_allclose(got[key], want[key], rtol=1e-5, err_msg=key)
    np.testing.assert_allclose(got["total_norm"], want["total_norm"], rtol=1e-5)


def test_widget_from_lmbook_train_record() -> None:
    names = ["transformer.h.0.attn.c_attn", "transformer.h.0.attn.c_attn.lora_A"]
    record = GradRecorder(names)
    record.append(1, [0.5, 0.25], None, 0.56, False)
    record.append(2, [2.0, 1.0], None, 2.2, True)
    widget = GradientFlowWidget.from_recorder(record)
    assert widget.meta["kinds"] == ["attention", "lora_A"]
    assert widget.meta["steps"] == [1, 2] and widget.meta["clipped"] == [False, True]
    assert not widget.meta["ratios"]  # recorded without ratios (all NaN): metric not offered
    saved = json.loads(json.dumps(record.to_dict()))
    assert GradientFlowWidget.from_record(saved).meta == widget.meta
    plain = {"names": ["a"], "steps": [0], "grad_norms": [[1.0]], "update_ratios": [[1e-3]]}
    assert GradientFlowWidget.from_record(plain).meta["ratios"]
    with pytest.raises(TypeError, match="from_record"):
        GradientFlowWidget.from_recorder(plain)
