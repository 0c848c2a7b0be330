"""lmbook.adapters: method set-up, the parameter / memory calculator and its three checks."""

from __future__ import annotations

import pytest
import torch

from lmbook.adapters import (
    METHODS,
    apply_method,
    count_trainable,
    count_trainable_analytic,
    estimate,
    measure_step,
    meta_model,
)

pytest.importorskip("peft")


@pytest.mark.parametrize(
    ("name", "task"), [("gpt-zh-tiny", "causal-lm"), ("bert-zh-tiny", "sequence-classification")]
)
@pytest.mark.parametrize("method", list(METHODS))
def test_analytic_count_equals_peft(name, task, method) -> None:
    from lmbook.zoo import load

    labels = {} if task == "causal-lm" else {"num_labels": 2}
    model, _ = load(name, task, **labels)
    expected = count_trainable_analytic(model, method, task)
    trainable, _ = count_trainable(apply_method(model, method, task))
    assert expected == trainable


def test_meta_device_gpt3_lora_paper_counts() -> None:
    """LoRA paper (Hu et al. 2021), Table 4: GPT-3 175B with LoRA on W_q, W_v at r=1 trains
    4.7M parameters, at r=8 37.7M; r=4 gives the ~35 MB checkpoint of section 4.2."""
    from transformers import GPT2Config

    cfg = GPT2Config(n_embd=12288, n_layer=96, n_head=96, n_positions=2048, vocab_size=50257)
    model = meta_model(cfg)
    assert model.transformer.wte.weight.is_meta
    assert sum(p.numel() for p in model.parameters()) == pytest.approx(175e9, rel=0.01)
    # GPT-2 fuses W_q, W_k, W_v in c_attn: LoRA on W_q and W_v = two 12288 x 12288 adapters
    h, L = 12288, 96
    assert round(2 * L * 1 * (h + h) / 1e6, 1) == 4.7
    assert round(2 * L * 8 * (h + h) / 1e6, 1) == 37.7
    fused = count_trainable_analytic(model, "lora", r=1, target_modules=["c_attn"])
    assert fused == L * 1 * (h + 3 * h)  # one adapter on the fused (h -> 3h) projection


def test_meta_peft_agrees_on_a_large_config() -> None:
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaConfig

    cfg = LlamaConfig(
        hidden_size=2048,
        intermediate_size=5632,
        num_hidden_layers=4,
        num_attention_heads=16,
        num_key_value_heads=4,
        vocab_size=32000,
    )
    model = meta_model(cfg)
    targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
    expected = count_trainable_analytic(model, "lora", r=16, target_modules=targets)
    with torch.device("meta"):
        peft_model = get_peft_model(model, LoraConfig(r=16, target_modules=targets))
    assert count_trainable(peft_model)[0] == expected


def test_qlora_paper_memory_figures() -> None:
    """QLoRA (Dettmers et al. 2023): full 16-bit fine-tuning of LLaMA-65B needs > 780 GB
    (2 + 2 + 8 bytes per parameter); double quantisation saves ~3 GB on 65B parameters."""
    from lmbook.nn import bits_per_parameter

    assert 65e9 * (2 + 2 + 8) / 1e9 == 780
    saving = (bits_per_parameter(4, 64) - bits_per_parameter(4, 64, double=True)) * 65e9 / 8
    assert saving / 1e9 == pytest.approx(3.0, abs=0.05)


@pytest.mark.parametrize("shape", [(8, 64), (1, 4)])  # activation- / update-dominated peak
@pytest.mark.parametrize("method", ["full", "lora", "prompt"])
def test_predicted_peak_within_5_percent_of_measured(method, shape) -> None:
    from lmbook.zoo import load

    model, _ = load("gpt-zh-tiny")
    model = apply_method(model, method)
    model.train()
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3)
    x = torch.randint(5, 4000, shape, generator=torch.Generator().manual_seed(0))

    def step() -> None:
        model(input_ids=x, labels=x).loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    step()
    measured = measure_step(step).peak
    est = estimate(model.config, method, batch=shape[0], seq=shape[1])
    assert abs(est.peak_bytes - measured) / measured < 0.05, (est.mib(), measured / 2**20)
    if shape == (1, 4) and method == "full":
        assert est.update_bytes > est.backward_start_bytes  # the other branch of the max


@pytest.mark.parametrize(
    ("name", "task"), [("gpt-zh-tiny", "causal-lm"), ("bert-zh-tiny", "sequence-classification")]
)
@pytest.mark.parametrize("method", list(METHODS))
def test_adapter_bytes_equal_the_saved_tensors(name, task, method, tmp_path) -> None:
    """The calculator's adapter size is the tensor data of what ``adapter_bytes`` saves (P-tuning:
    the generated prompt only); the file adds its header."""
    from safetensors import safe_open

    from lmbook.adapters import adapter_bytes
    from lmbook.zoo import load

    labels = {} if task == "causal-lm" else {"num_labels": 2}
    model, _ = load(name, task, **labels)
    est = estimate(model.config, method, task=task, batch=1, seq=8)
    on_disk = adapter_bytes(apply_method(model, method, task), method, tmp_path)
    (path,) = tmp_path.glob("*.safetensors")
    with safe_open(path, "pt") as f:
        data = sum(f.get_tensor(k).nbytes for k in f.keys())  # noqa: SIM118
    assert data == est.adapter_bytes
    assert 0 < on_disk - data < 8192  # the header: names, shapes, offsets


def test_activation_terms_follow_frozen_layers_and_virtual_tokens() -> None:
    """Frozen linear layers save no input; prompt tuning lengthens the sequence by n."""
    from lmbook.zoo import load

    cfg = load("gpt-zh-tiny")[0].config
    h, f, L, n = cfg.n_embd, 4 * cfg.n_embd, cfg.n_layer, 10
    full = estimate(cfg, "full", batch=2, seq=16)
    bitfit = estimate(cfg, "bitfit", batch=2, seq=16)
    assert full.activations - bitfit.activations == 4 * 2 * 16 * (L * (3 * h + f) + h)
    prompt = estimate(cfg, "prompt", batch=2, seq=16, num_virtual_tokens=n)
    assert prompt.temporaries == estimate(cfg, "full", batch=2, seq=16 + n).temporaries
    assert prompt.activations == estimate(cfg, "bitfit", batch=2, seq=16 + n).activations


def test_fastfood_projection_is_a_near_isometry() -> None:
    from scipy.linalg import hadamard

    from lmbook.adapters.intrinsic import FastfoodProjection, fwht

    v = torch.randn(2, 32, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(fwht(v), v @ torch.tensor(hadamard(32), dtype=torch.float32).T)
    with pytest.raises(ValueError, match="power of 2"):
        fwht(torch.randn(3, 6))
    proj = FastfoodProjection(d=50, D=100_000, seed=0)
    cols = torch.stack([proj(e) for e in torch.eye(50)[:6]])
    assert cols.shape == (6, 100_000)
    torch.testing.assert_close(cols.norm(dim=1), torch.ones(6), atol=0.01, rtol=0)
    assert (cols @ cols.T - torch.eye(6)).abs().max() < 0.03


def test_conditional_examples_put_the_loss_on_the_review_only() -> None:
    from lmbook.adapters.cases import conditional_examples
    from lmbook.zoo import load

    _, tok = load("gpt-zh-tiny")
    rows = conditional_examples(tok, 3)
    for row in rows:
        prompt = row["labels"].index(next(t for t in row["labels"] if t != -100))
        assert row["input_ids"][0] == tok.bos_token_id and row["input_ids"][-1] == tok.eos_token_id
        assert row["labels"][prompt:] == row["input_ids"][prompt:]
        assert tok.decode(row["input_ids"][1:prompt]).replace(" ", "").endswith("评论:")


@pytest.mark.parametrize(
    ("name", "script"),
    [("methods", "compare"), ("intrinsic", "intrinsic"), ("cases", "cases"), ("sweeps", "sweep")],
)
def test_records_match_their_scripts(name, script) -> None:
    """A shipped record was written by the current settings of its script (re-run it if not)."""
    import importlib
    import json

    from lmbook.adapters.records import RECORDS_DIR, load_record

    if not (RECORDS_DIR / f"{name}.json").exists():
        pytest.skip(f"no {name}.json yet: run python -m lmbook.adapters.{script}")
    record = load_record(name)
    module = importlib.import_module(f"lmbook.adapters.{script}")
    assert record["setup"] == json.loads(json.dumps(module.SETUP))


def test_intrinsic_dimension_trains_like_the_sentiment_case() -> None:
    """The d90 baseline is the chapter's own full fine-tuning (section 5.3's sentiment case)."""
    from lmbook.adapters import cases, intrinsic

    for key in ("train_examples", "steps", "batch_size", "warmup_steps", "seed"):
        assert intrinsic.SETUP[key] == cases.SETUP[key], key
    assert intrinsic.SETUP["full_lr"] == cases.SETUP["lr"]["full"]


def test_measure_training_step_holds_weights_and_adam_state() -> None:
    from types import SimpleNamespace

    from lmbook.adapters import measure_training_step

    class Tiny(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lin = torch.nn.Linear(256, 256)

        def forward(self, x: torch.Tensor) -> SimpleNamespace:
            return SimpleNamespace(loss=self.lin(x).square().mean())

    model = Tiny()
    params = sum(p.numel() for p in model.parameters()) * 4
    mem = measure_training_step(model, {"x": torch.randn(4, 256)})
    assert mem.peak >= 3 * params  # weights + two Adam moments, at least
    assert model.lin.weight.grad is None  # the step frees its gradients


def test_sweep_reuses_identical_trials() -> None:
    from lmbook.adapters import sweep

    # rsLoRA at r = 1 scales by alpha / sqrt(1) = alpha / 1: the same trial as plain LoRA
    same = sweep._key("lora", 3e-3, {"r": 1, "lora_alpha": 16, "use_rslora": True})
    assert same == sweep._key("lora", 3e-3, {"r": 1, "lora_alpha": 16, "use_rslora": False})
    assert sweep._key("lora", 3e-3, {"r": 2, "lora_alpha": 16, "use_rslora": True}) != sweep._key(
        "lora", 3e-3, {"r": 2, "lora_alpha": 16, "use_rslora": False}
    )
    arms = {o["lora_alpha"] for o in (sweep._rank_options(4, a) for a in ("alpha=2r", "rslora"))}
    assert arms == {8, sweep.SETUP["fixed_alpha"]}
