"""Smoke tests of the maintainer pipelines: ``python -m lmbook.zoo.pretrain`` for a few steps of a
tiny model into a temporary folder produces a loadable model with its meta.json and card."""

from __future__ import annotations

import json

import pytest


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["gpt", "gpt-small", "bert"])
def test_pretrain_a_few_steps_into_a_temporary_folder(kind, tmp_path):
    from lmbook.zoo import load
    from lmbook.zoo.pretrain import pretrain

    tiny = ["--layers", "1", "--hidden", "32", "--heads", "2", "--batch-size", "4"]
    args = ["--model", kind, *tiny, "--steps", "3", "--warmup", "1", "--dropout", "0.1"]
    out = pretrain([*args, "--work-dir", str(tmp_path / "work"), "--out", str(tmp_path / "m")])
    assert out == tmp_path / "m"
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["steps"] == 3
    assert meta["args"]["dropout"] == 0.1
    assert meta["model_config"]["n_layer" if kind != "bert" else "num_hidden_layers"] == 1
    assert "quality" in meta and (out / "README.md").exists()
    assert meta["hardware"]["processor"] and meta["hardware"]["threads"] == 1
    # gpt-small trains in bf16 and ships half-precision weights (the size budget)
    half = kind == "gpt-small"
    assert meta["train_config"]["precision"] == ("bf16" if half else "auto")
    assert meta["weights_dtype"] == ("float16" if half else "float32")
    assert f"`python -m lmbook.zoo.pretrain --model {kind}`" in (out / "README.md").read_text()
    model, tokenizer = load(str(out), dtype="float32")
    assert sum(p.numel() for p in model.parameters()) == meta["parameters"]
    assert len(tokenizer) == meta["model_config"]["vocab_size"]


def test_a_paused_run_says_how_to_resume(tmp_path, capsys):
    from lmbook.zoo.pretrain import pretrain

    tiny = ["--layers", "1", "--hidden", "32", "--heads", "2", "--batch-size", "4"]
    args = ["--model", "gpt", *tiny, "--steps", "50", "--warmup", "1", "--stop-after-minutes", "0"]
    assert pretrain([*args, "--work-dir", str(tmp_path), "--out", str(tmp_path / "m")]) is None
    assert "--resume" in capsys.readouterr().out
    assert not (tmp_path / "m").exists()


@pytest.mark.slow
def test_evaluate_runs_a_task_end_to_end_with_a_tiny_budget(monkeypatch):
    """``python -m lmbook.zoo.evaluate``'s comparison for one task, two steps per trial: a row
    per method with both initialisations scored on validation and test, lr from the grid."""
    from lmbook.zoo import evaluate

    monkeypatch.setitem(evaluate.SETUP, "steps", 2)
    monkeypatch.setitem(evaluate.SETUP, "train_examples", 16)
    monkeypatch.setitem(evaluate.SETUP, "lr", {"full": (1e-3,), "lora": (3e-3,)})
    rows = evaluate._run("sentiment", evaluate.tasks()["sentiment"])
    assert [r["method"] for r in rows] == ["lora", "full"]
    for row in rows:
        for init in ("pretrained", "random"):
            assert 0.0 <= row[init] <= 1.0 and 0.0 <= row[f"{init}_validation"] <= 1.0
            assert row[f"{init}_lr"] in evaluate.SETUP["lr"][row["method"]]
            assert row[f"{init}_seconds"] > 0
    assert "2 steps" in evaluate._describe_setup()
