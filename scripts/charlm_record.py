"""Train the character RNN / LSTM / GRU language models of sections 3.3-3.5 and record them.

    python scripts/charlm_record.py [--steps 1400] [--kinds rnn lstm gru]

Writes ``lmbook/assets/records/charlm.json``: config, hardware, wall time, the loss curve and
held-out bits per character (People's Daily test split, end of sentence counted as a character)
of each model. The notebooks show the record and re-run the first steps live to check it (on a
CPU with one thread the losses are bit-identical).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import torch

import lmbook
from lmbook.data import load_lm_text
from lmbook.nn import CharLM, bits_per_character, sentence_batches
from lmbook.runtime import environment
from lmbook.text import NGramLM
from lmbook.train import TrainConfig, train

OUT = Path(__file__).resolve().parents[1] / "lmbook" / "assets" / "records" / "charlm.json"
CONFIG = {
    "embed_dim": 64,
    "hidden_size": 128,
    "batch_size": 32,
    "max_len": 64,
    "lr": 3e-3,
    "warmup_steps": 50,
    "weight_decay": 0.0,
    "max_grad_norm": 1.0,
    "seed": 0,
}


def loader(model: CharLM, texts: list[str], cfg: dict) -> torch.utils.data.DataLoader:
    """Training batches in a fixed order: the training sentences shuffled once with ``seed``."""
    order = list(texts)
    random.Random(cfg["seed"]).shuffle(order)
    batches = sentence_batches(model, order, cfg["batch_size"], cfg["max_len"], sort=False)
    return torch.utils.data.DataLoader(batches, batch_size=None, shuffle=False)


def run(kind: str, steps: int, cfg: dict = CONFIG) -> tuple[CharLM, dict]:
    """One model trained for ``steps`` steps (epochs repeat the same order), and its record row."""
    lmbook.setup(seed=cfg["seed"])
    data = load_lm_text()
    train_texts = list(data["train"]["text"])
    vocab = NGramLM(order=1).fit(train_texts).vocab  # the n-gram models' symbols
    model = CharLM(vocab, kind, cfg["embed_dim"], cfg["hidden_size"])
    tc = TrainConfig(
        lr=cfg["lr"],
        max_steps=steps,
        warmup_steps=min(cfg["warmup_steps"], steps - 1),
        weight_decay=cfg["weight_decay"],
        max_grad_norm=cfg["max_grad_norm"],
        progress=False,
        verbose=False,
        record_grads=False,
    )
    start = time.perf_counter()
    history = train(model, tc, loader(model, train_texts, cfg))
    wall = time.perf_counter() - start
    test = list(data["test"]["text"])
    row = {
        "kind": kind,
        "steps": steps,
        "parameters": sum(p.numel() for p in model.parameters()),
        "recurrent_parameters": sum(p.numel() for p in model.rnn.parameters()),
        "train_wall_s": round(wall, 1),
        "loss": history.loss,
        "test_bpc": bits_per_character(model, test),
    }
    return model, row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1400)
    parser.add_argument("--kinds", nargs="+", default=["rnn", "lstm", "gru"])
    args = parser.parse_args()
    record = {
        "config": CONFIG,
        **environment(),
        "runs": [],
    }
    if OUT.exists():
        record["runs"] = [
            r for r in json.loads(OUT.read_text())["runs"] if r["kind"] not in args.kinds
        ]
    for kind in args.kinds:
        _, row = run(kind, args.steps)
        record["runs"].append(row)
        OUT.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
        print(kind, row["test_bpc"], row["train_wall_s"], flush=True)


if __name__ == "__main__":
    main()
