"""lmbook.train.train on plain modules, transformers and peft models; history and report."""

from __future__ import annotations

import json
import math
import warnings

import pytest
import torch
from torch import nn

from lmbook.train import (
    PEAK_BF16_TFLOPS,
    History,
    TrainConfig,
    evaluate,
    flops_per_token,
    peak_tflops,
    plot_history,
    train,
)

QUIET = {"progress": False, "verbose": False}


def regression(n: int = 64, seed: int = 0) -> list[tuple[torch.Tensor, torch.Tensor]]:
    w = torch.linspace(-1.0, 1.0, 6).reshape(6, 1)
    x = torch.randn(n, 6, generator=torch.Generator().manual_seed(seed))
    return list(zip(x, x @ w, strict=True))


def mlp(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 1))


def test_three_line_usage_prints_the_device_and_a_report(capsys):
    model = mlp()
    cfg = TrainConfig(lr=1e-2, batch_size=16, max_steps=40, eval_every=20, progress=False)
    history = train(model, cfg, regression(), regression(32, seed=1))
    ax = plot_history(history)
    lines = capsys.readouterr().out.splitlines()
    assert (
        lines[0].startswith("lmbook.train: device: cpu (") and "[chosen automatically]" in lines[0]
    )
    assert "precision fp32 (auto: fp32 on cpu); 1 process" in lines[0]
    assert lines[1].startswith("lmbook.train: 40 steps in ") and "samples/s" in lines[1]
    assert history.step == list(range(1, 41)) and len(history.loss) == len(history.lr) == 40
    assert history.val_step == [20, 40] and history.val_loss[-1] < history.val_loss[0]
    assert history.loss[-1] < history.loss[0] / 4
    assert history.lr[0] == pytest.approx(1e-2) and history.lr[-1] < 1e-4  # cosine to ~0
    assert ax.get_xlabel() == "优化步数" and ax.get_ylabel() == "损失"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["训练损失", "验证损失", "学习率"]


def test_accumulation_equals_the_larger_batch():
    results = []
    for accum in (1, 4):
        model = mlp()
        cfg = TrainConfig(lr=1e-2, batch_size=16, grad_accum=accum, max_steps=8, **QUIET)
        h = train(model, cfg, regression())
        results.append((h, torch.cat([p.detach().flatten() for p in model.parameters()])))
    (h1, p1), (h4, p4) = results
    assert h1.loss == pytest.approx(h4.loss, rel=1e-5)
    assert h1.grad_norm == pytest.approx(h4.grad_norm, rel=1e-5)
    assert torch.allclose(p1, p4, rtol=1e-5, atol=1e-6)


def test_classification_pairs_epochs_and_evaluate():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(60, 5, generator=g)
    data = list(zip(x, (x[:, 0] > 0).long(), strict=True))
    model = nn.Linear(5, 2)
    h = train(model, TrainConfig(lr=0.1, batch_size=10, epochs=3, **QUIET), data)
    assert h.step[-1] == 18  # 6 steps per epoch
    per_sample = evaluate(model, data, batch_size=7)  # a mean per sample, whatever the batch
    assert per_sample == pytest.approx(evaluate(model, data, batch_size=32), rel=1e-6)
    assert evaluate(model, data) < math.log(2)


def test_callback_can_stop_and_history_round_trips_json():
    def stop_at_5(info) -> None:
        info.stop = info.step == 5

    h = train(
        mlp(), TrainConfig(batch_size=8, max_steps=50, **QUIET), regression(), callbacks=[stop_at_5]
    )
    assert h.step[-1] == 5 and h.stop_reason == "stopped by a callback at step 5"
    again = History.from_dict(json.loads(json.dumps(h.to_dict())))
    assert again.to_dict() == h.to_dict()
    assert again.grads.names == ["0", "2"]


def test_compile_time_is_reported_separately():
    cfg = TrainConfig(batch_size=8, max_steps=5, compile="eager", **QUIET)
    model = mlp()
    h = train(model, cfg, regression())
    assert h.report["compile_s"] is not None
    assert h.report["compile_s"] == h.report["first_step_extra_s"]  # the first step's excess
    assert h.report["first_step_s"] >= h.report["step_s"]
    plain = train(mlp(), TrainConfig(batch_size=8, max_steps=5, **QUIET), regression())
    assert plain.report["compile_s"] is None and plain.loss == h.loss


def token_data(n: int = 64) -> list[dict[str, torch.Tensor]]:
    g = torch.Generator().manual_seed(0)
    start = torch.randint(0, 40, (n, 1), generator=g)
    ids = (start + torch.arange(16)) % 40  # a counting pattern the model can learn
    return [{"input_ids": x, "labels": x} for x in ids]


def test_peft_lora_trains_only_the_adapters_and_the_loss_falls(tiny_gpt):
    from peft import LoraConfig, get_peft_model

    lora = LoraConfig(r=4, lora_alpha=8, target_modules=["c_attn", "c_fc"])
    model = get_peft_model(tiny_gpt(n_embd=32), lora)
    frozen = {n: p.detach().clone() for n, p in model.named_parameters() if not p.requires_grad}
    cfg = TrainConfig(lr=5e-2, batch_size=16, max_steps=30, warmup_steps=3, **QUIET)
    h = train(model, cfg, token_data(), token_data(16))
    assert sum(h.loss[-5:]) / 5 < sum(h.loss[:5]) / 5 - 0.15
    assert h.val_loss[-1] < math.log(40) - 0.2  # below the uniform guess
    assert all(torch.equal(p, frozen[n]) for n, p in model.named_parameters() if n in frozen)
    rec = h.grads
    assert set(rec.kinds) == {"lora_A", "lora_B"} and len(rec.names) == 8
    assert rec.names[0] == "transformer.h.0.attn.c_attn.lora_A"
    first = {
        k: [row[0] for row, kk in zip(rec.update_ratios, rec.kinds, strict=True) if kk == k]
        for k in ("lora_A", "lora_B")
    }
    assert all(math.isnan(r) for r in first["lora_B"])  # B starts at 0: no ratio to its size
    assert first["lora_A"] == [0.0] * 4  # warmup's first step has lr 0 (as in transformers)
    n_lora = sum(p.numel() for p in model.parameters() if p.requires_grad)
    n_all = sum(p.numel() for p in model.parameters())
    assert h.report["flops_per_token"] == flops_per_token(model)
    assert n_lora < n_all / 10


def test_full_gpt2_flops_and_peak_table(tiny_gpt):
    model = tiny_gpt(n_embd=32)
    # matrices: 2 layers x (c_attn 32x96 + c_proj 32x32 + c_fc 32x128 + mlp.c_proj 128x32)
    # + the head tied to wte (40x32); embeddings are lookups and do not count
    matrices = 2 * (32 * 96 + 32 * 32 + 32 * 128 + 128 * 32) + 40 * 32
    assert flops_per_token(model) == 6 * matrices


@pytest.mark.parametrize(
    ("name", "peak"),
    [
        ("NVIDIA H100 80GB HBM3", 989.0),
        ("NVIDIA H100 PCIe", 756.0),  # the more specific entry wins over "H100"
        ("NVIDIA H200 NVL", 835.0),
        ("NVIDIA A100-SXM4-80GB", 312.0),
        ("Tesla T4", 65.0),  # no bf16: its fp16 peak
        ("NVIDIA GeForce RTX 4090", None),  # not in the table: no MFU rather than a guess
    ],
)
def test_peak_flops_are_looked_up_by_device_name(monkeypatch, name, peak):
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: name)
    assert peak_tflops(torch.device("cuda")) == peak
    assert peak_tflops(torch.device("cpu")) is None
    assert all(isinstance(key, str) and tf > 0 for key, tf in PEAK_BF16_TFLOPS)


def test_report_mfu_and_compile_time_from_known_step_times(monkeypatch):
    from lmbook.train.throughput import summarize

    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "NVIDIA H100 PCIe")
    monkeypatch.setattr(torch.cuda, "max_memory_allocated", lambda device=None: 3 * 2**30)
    times = [5.0, 2.0, 2.0, 1.0, 1.0, 1.0]  # the first 3 steps are warm-up
    tokens = [1000, 1000, 1000, 2000, 2000, 2000]
    cuda = torch.device("cuda")
    report = summarize(times, tokens, [4] * 6, device=cuda, flops_token=6e9, compiled=True)
    assert report["tokens_per_s"] == 2000.0 and report["samples_per_s"] == 4.0
    assert report["step_s"] == 1.0 and report["train_s"] == 12.0
    assert report["compile_s"] == report["first_step_extra_s"] == 4.0
    assert report["mfu"] == pytest.approx(2000 * 6e9 / 756e12)
    assert report["peak_cuda_mem_bytes"] == 3 * 2**30
    plain = summarize(times, tokens, [4] * 6, device=cuda, flops_token=6e9)
    assert plain["compile_s"] is None and plain["first_step_extra_s"] == 4.0
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "Some New GPU")
    assert summarize(times, tokens, [4] * 6, device=cuda, flops_token=6e9)["mfu"] is None
    cpu = summarize(times, [0] * 6, [4] * 6, device=torch.device("cpu"), flops_token=6e9)
    assert cpu["mfu"] is None and cpu["tokens_per_s"] is None


def test_plot_has_no_missing_glyphs():
    import matplotlib

    matplotlib.use("Agg")
    h = train(mlp(), TrainConfig(batch_size=8, max_steps=3, **QUIET), regression())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot_history(h).figure.canvas.draw()


def test_bf16_autocast_trains_on_cpu():
    h = train(
        mlp(),
        TrainConfig(lr=1e-2, batch_size=16, max_steps=20, precision="bf16", **QUIET),
        regression(),
    )
    assert h.report["precision"] == "bf16" and h.loss[-1] < h.loss[0]


def test_gradient_scaler_path_unscales_before_clipping(monkeypatch):
    """fp16's code path (scale, unscale, clip, scaler.step) on a CPU, with bf16 autocast: the
    scale is a power of two, so the unscaled gradients are exact and the run must equal one
    without a scaler; clipping the still-scaled gradients would shrink every update."""
    from lmbook.train import precision

    cfg = TrainConfig(
        lr=1e-2, batch_size=16, max_steps=10, precision="bf16", max_grad_norm=0.5, **QUIET
    )
    plain = train(mlp(), cfg, regression())
    scaled = precision.Precision("fp16", torch.bfloat16, True, "test: scaler on CPU")
    monkeypatch.setattr(precision, "resolve_precision", lambda name, device: scaled)
    with_scaler = train(mlp(), cfg, regression())
    assert with_scaler.report["precision"] == "fp16"
    assert with_scaler.grad_norm == plain.grad_norm and with_scaler.loss == plain.loss
    assert any(plain.grads.clipped)


def test_hugging_face_dataset_with_a_text_column(tiny_gpt):
    from datasets import Dataset

    rows = token_data(32)
    ds = Dataset.from_dict(
        {
            "text": ["一二三"] * 32,
            "input_ids": [r["input_ids"].tolist() for r in rows],
            "labels": [r["labels"].tolist() for r in rows],
        }
    )
    h = train(tiny_gpt(n_embd=32), TrainConfig(lr=1e-2, batch_size=8, max_steps=4, **QUIET), ds, ds)
    assert len(h.loss) == 4 and math.isfinite(h.val_loss[-1])
