"""lmbook.train: every bad setting fails at once with one sentence that says what to do."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader

from lmbook.train import ConfigError, TrainConfig, resolve_precision, train


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"batch_size": 0}, r"batch_size=0 is invalid: it must be > 0"),
        ({"batch_size": 10, "grad_accum": 4}, r"multiple of grad_accum \(e\.g\. 8\)"),
        ({"grad_accum": 0}, r"grad_accum=0 is invalid"),
        ({"lr": -1.0}, r"lr=-1.0 is invalid"),
        ({"max_steps": 10, "warmup_steps": 20}, r"warmup_steps=20 is longer than max_steps=10"),
        ({"schedule": "cosin"}, r"schedule='cosin' is not one of 'cosine', 'linear'"),
        ({"precision": "fp8"}, r"precision='fp8' is not one of"),
        ({"device": "cuda:7"}, r"(CUDA is not available|does not exist)"),
        ({"device": "tpu"}, r"device 'tpu' is not a device name PyTorch knows"),
        ({"device": "cpu", "precision": "fp16"}, r"fp16.*needs a CUDA GPU.*use precision='fp32'"),
        ({"checkpoint_every": 5}, r"out_dir is None; give out_dir="),
        ({"on_nonfinite": "ignore"}, r"on_nonfinite='ignore' is not one of 'stop', 'skip'"),
        ({"betas": (0.9, 1.5)}, r"betas=\(0.9, 1.5\) must be two numbers in \[0, 1\)"),
        ({"batch_size": 2.5}, r"batch_size must be a int, got 2.5"),
    ],
)
def test_bad_config_fails_with_one_clear_sentence(kwargs, message):
    with pytest.raises(ConfigError, match=message) as err:
        TrainConfig(**kwargs)
    text = str(err.value)
    assert text.endswith(".") and "\n" not in text


def test_fp16_on_a_cpu_only_machine_fails_before_training():
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA: fp16 is allowed here")
    model = nn.Linear(3, 2)
    data = [(torch.randn(3), 1)] * 8
    with pytest.raises(ConfigError, match="needs a CUDA GPU"):
        train(model, TrainConfig(batch_size=4, precision="fp16", verbose=False), data)
    with pytest.raises(ConfigError, match="needs a CUDA GPU"):
        resolve_precision("fp16", torch.device("cpu"))


def test_precision_auto_is_fp32_on_cpu_and_bf16_can_be_asked_for():
    auto = resolve_precision("auto", torch.device("cpu"))
    assert (auto.name, auto.dtype, auto.use_scaler) == ("fp32", None, False)
    bf16 = resolve_precision("bf16", torch.device("cpu"))
    assert bf16.dtype is torch.bfloat16 and not bf16.use_scaler


def test_data_and_config_must_agree():
    model = nn.Linear(3, 2)
    data = [(torch.randn(3), 1)] * 8
    quiet = {"verbose": False, "progress": False}
    with pytest.raises(ConfigError, match=r"set TrainConfig\(batch_size=\.\.\.\)"):
        train(model, TrainConfig(max_steps=1, **quiet), data)
    loader = DataLoader(data, batch_size=4)
    with pytest.raises(ConfigError, match=r"yields batches of 4 but the config asks for.* of 2"):
        train(model, TrainConfig(batch_size=4, grad_accum=2, **quiet), loader)
    with pytest.raises(ConfigError, match="fewer than grad_accum=4"):
        train(model, TrainConfig(batch_size=16, grad_accum=4, **quiet), data[:4])
    with pytest.raises(ConfigError, match="early stopping needs validation"):
        train(model, TrainConfig(batch_size=4, early_stop_patience=2, **quiet), data)
    frozen = nn.Linear(3, 2).requires_grad_(False)
    with pytest.raises(ValueError, match="no trainable parameters"):
        train(frozen, TrainConfig(batch_size=4, **quiet), data)


def test_config_round_trips_through_a_dict():
    cfg = TrainConfig(lr=1e-3, batch_size=8, betas=[0.9, 0.95])
    assert cfg.betas == (0.9, 0.95)
    assert TrainConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ConfigError, match=r"unknown TrainConfig fields \['lrate'\]"):
        TrainConfig.from_dict({"lrate": 1.0})


def test_import_is_light():
    code = (
        "import sys, lmbook.train as t; t.TrainConfig; "
        "heavy = [m for m in ('transformers', 'peft', 'accelerate') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
