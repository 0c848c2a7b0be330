"""lmbook.train checkpoints: exact resume, atomic writes, no pickle, and refusing a wrong model."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
import torch
from torch import nn

from lmbook.train import ConfigError, TrainConfig, latest_checkpoint, train
from lmbook.train import checkpoint as ckpt_mod

VOCAB, SEQ = 50, 12


class TinyLM(nn.Module):
    """Embedding -> dropout -> LayerNorm -> Linear: dropout makes the global torch RNG matter."""

    def __init__(self, d: int = 16) -> None:
        super().__init__()
        self.emb = nn.Embedding(VOCAB, d)
        self.drop = nn.Dropout(0.2)
        self.norm = nn.LayerNorm(d)
        self.out = nn.Linear(d, VOCAB)

    def forward(self, input_ids: torch.Tensor, labels: torch.Tensor) -> dict[str, torch.Tensor]:
        logits = self.out(self.norm(self.drop(self.emb(input_ids))))
        return {"loss": nn.functional.cross_entropy(logits.reshape(-1, VOCAB), labels.reshape(-1))}


def noisy_collate(items: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    """Stack, then mask a few tokens using Python's and NumPy's RNGs (so both must be restored)."""
    ids = torch.stack([it["input_ids"] for it in items]).clone()
    for row in ids:
        row[random.randrange(SEQ)] = 0
        row[int(np.random.randint(SEQ))] = 1
    return {"input_ids": ids, "labels": torch.stack([it["labels"] for it in items])}


def dataset(n: int = 40, seed: int = 1) -> list[dict[str, torch.Tensor]]:
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(0, VOCAB, (n, SEQ), generator=g)
    return [{"input_ids": x, "labels": (x + 1) % VOCAB} for x in ids]


def fresh_model(seed: int = 0) -> TinyLM:
    torch.manual_seed(seed)
    return TinyLM()


def config(out_dir, **kw) -> TrainConfig:
    base = dict(
        lr=3e-3,
        batch_size=8,
        grad_accum=2,
        max_steps=12,
        warmup_steps=2,
        eval_every=4,
        out_dir=str(out_dir),
        checkpoint_every=3,
        progress=False,
        verbose=False,
    )
    base.update(kw)
    return TrainConfig(**base)


class Crash(Exception):
    pass


def crash_at(step: int):
    def callback(info) -> None:
        if info.step == step:
            raise Crash(f"simulated crash at step {info.step}")

    return callback


def run(out_dir, *, model=None, resume=False, callbacks=(), **kw):
    return train(
        model or fresh_model(),
        config(out_dir, **kw),
        dataset(),
        dataset(16, seed=2),
        collate_fn=noisy_collate,
        callbacks=callbacks,
        resume=resume,
    )


def curves(h) -> dict:
    d = h.to_dict()
    d.pop("report")
    d.pop("wall_s")
    return d


@pytest.mark.parametrize("checkpoint_every", [3, 5])  # 5 steps = exactly one epoch here
def test_resume_after_interrupt_is_bit_identical(tmp_path, checkpoint_every):
    reference = run(tmp_path / "ref", checkpoint_every=checkpoint_every)
    with pytest.raises(Crash):
        run(tmp_path / "cut", checkpoint_every=checkpoint_every, callbacks=[crash_at(7)])
    done = latest_checkpoint(tmp_path / "cut")
    assert done.name == f"checkpoint-{7 // checkpoint_every * checkpoint_every:08d}"
    torch.manual_seed(123)  # a different global state and model init must not matter
    random.seed(5)
    resumed = run(
        tmp_path / "cut",
        model=fresh_model(seed=9),
        checkpoint_every=checkpoint_every,
        resume=True,
    )
    assert resumed.step == list(range(1, 13))
    assert curves(resumed) == curves(reference)  # exact float equality, every list


def test_checkpoint_files_are_safetensors_and_json(tmp_path):
    run(tmp_path, max_steps=3, eval_every=None)
    path = latest_checkpoint(tmp_path)
    names = sorted(p.name for p in path.iterdir())
    assert names == ["model.safetensors", "optimizer.safetensors", "rng.safetensors", "state.json"]
    state = json.loads((path / "state.json").read_text())
    assert state["step"] == 3 and state["data"] == {"epoch": 0, "consumed": 6}


def test_crash_mid_write_keeps_latest_loadable(tmp_path, monkeypatch):
    real = ckpt_mod._save_tensors
    calls = {"n": 0}

    def flaky(tensors, path):
        calls["n"] += 1
        if calls["n"] == 5:  # second checkpoint, its optimizer file: write half, then die
            path.write_bytes(b"\x00" * 10)
            raise OSError("disk full (simulated)")
        real(tensors, path)

    monkeypatch.setattr(ckpt_mod, "_save_tensors", flaky)
    with pytest.raises(OSError, match="simulated"):
        run(tmp_path, max_steps=6, eval_every=None)
    monkeypatch.setattr(ckpt_mod, "_save_tensors", real)
    latest = latest_checkpoint(tmp_path)
    assert latest.name == "checkpoint-00000003"
    assert [p.name for p in ckpt_mod.list_checkpoints(tmp_path)] == ["checkpoint-00000003"]
    resumed = run(tmp_path, max_steps=6, eval_every=None, resume=True)
    reference = run(tmp_path / "ref", max_steps=6, eval_every=None)
    assert resumed.loss == reference.loss
    assert not list(tmp_path.glob(".tmp-*"))  # the half-written folder was cleaned up


def test_keeps_only_the_newest_checkpoints(tmp_path):
    run(tmp_path, max_steps=9, eval_every=None, keep_checkpoints=2)
    kept = [p.name for p in ckpt_mod.list_checkpoints(tmp_path)]
    assert kept == ["checkpoint-00000006", "checkpoint-00000009"]


def test_resume_with_another_model_fails_clearly(tmp_path):
    run(tmp_path, max_steps=3, eval_every=None)
    other = TinyLM(d=24)
    with pytest.raises(ConfigError, match=r"different model.*emb\.weight"):
        run(tmp_path, model=other, max_steps=6, eval_every=None, resume=True)


def test_resume_with_other_settings_fails_clearly(tmp_path):
    run(tmp_path, max_steps=3, eval_every=None)
    with pytest.raises(ConfigError, match=r"other settings \(lr=0.003 there vs 0.01 here\)"):
        run(tmp_path, max_steps=3, eval_every=None, lr=1e-2, resume=True)


def test_fresh_run_refuses_an_out_dir_with_checkpoints(tmp_path):
    run(tmp_path, max_steps=3, eval_every=None)
    with pytest.raises(ConfigError, match="resume=True to continue it"):
        run(tmp_path, max_steps=3, eval_every=None)
    with pytest.raises(ConfigError, match="no checkpoint"):
        run(tmp_path / "empty", max_steps=3, resume=True)
