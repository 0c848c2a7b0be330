"""Tests of lmbook.zoo.scaling: one size trains on a tiny budget with every evaluation recorded,
a truncated run repeats the first steps of a full one exactly, and the shipped record is complete
and consistent with its setup."""

from __future__ import annotations

import pytest
import torch

from lmbook.zoo import scaling


@pytest.fixture(scope="module")
def tiny_data():
    from lmbook.data import load_lm_text
    from lmbook.tokenization import load_tokenizer
    from lmbook.zoo.corpus import PackedBlocks, pack_stream

    torch.set_num_threads(1)
    tok = load_tokenizer("char")
    texts = list(load_lm_text()["train"]["text"])[:400]
    val = list(load_lm_text()["validation"]["text"])[:40]
    rows = pack_stream(tok, texts, block=32)
    val_rows = pack_stream(tok, val, block=32)
    return {
        "tokenizer": tok,
        "train": PackedBlocks(rows),
        "train_eval": PackedBlocks(rows[:8]),
        "val_eval": PackedBlocks(val_rows[:8]),
        "val_texts": val,
    }


@pytest.fixture
def small_setup(monkeypatch):
    setup = dict(scaling.SETUP, budget_flops=3e9, warmup_steps=2, eval_blocks=8, bpc_sentences=5)
    monkeypatch.setattr(scaling, "SETUP", setup)
    return setup


def test_run_size_spends_the_budget_and_records_evaluations(tiny_data, small_setup):
    row = scaling.run_size([1, 32, 2], tiny_data)
    tokens_per_step = small_setup["batch_size"] * 32
    assert row["steps"] == round(
        small_setup["budget_flops"] / (row["flops_per_token"] * tokens_per_step)
    )
    assert row["steps_run"] == row["steps"] == len(row["loss"])
    assert [e["fraction"] for e in row["evals"]] == sorted({e["fraction"] for e in row["evals"]})
    assert (
        row["evals"][-1]["step"] == row["steps"] and row["val_loss"] == row["evals"][-1]["val_loss"]
    )
    assert row["parameters"] > row["non_embedding_parameters"] > 0
    assert row["evals"][-1]["val_loss"] < row["evals"][0]["val_loss"]
    assert row["val_bpc"] > 0 and row["train_loss"] > 0


def test_a_truncated_run_repeats_the_first_steps(tiny_data, small_setup):
    full = scaling.run_size([1, 32, 2], tiny_data)
    head = scaling.run_size([1, 32, 2], tiny_data, max_steps=4)
    assert head["steps_run"] == 4 and "val_loss" not in head
    assert head["loss"] == full["loss"][:4]


def test_the_record_matches_its_setup():
    if not scaling.RECORD.exists():
        pytest.skip("no record yet: python -m lmbook.zoo.scaling")
    record = scaling.load_record()
    assert record["setup"]["sizes"] == [r["size"] for r in record["runs"]]
    budget = record["setup"]["budget_flops"]
    for run in record["runs"]:
        assert run["steps_run"] == run["steps"] == len(run["loss"])
        spent = run["evals"][-1]["flops"]
        assert abs(spent / budget - 1) < 0.01  # every size got the same compute
        assert run["val_loss"] == run["evals"][-1]["val_loss"]
    params = [r["parameters"] for r in record["runs"]]
    assert params == sorted(params)
    assert {"hardware", "versions", "wall_seconds"} <= set(record)
