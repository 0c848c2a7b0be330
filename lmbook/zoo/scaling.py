"""Loss against model size at a fixed compute budget: ``python -m lmbook.zoo.scaling``.

Several GPT-2 sizes (``SETUP["sizes"]``, from 1 layer x 32 to 3 layers x 128) are trained from
scratch on the shipped models' pretraining text (People's Daily train + reviews train, packed
into 128-token blocks, character tokenizer) with the same training compute
``SETUP["budget_flops"]``: a model needing ``f`` FLOPs per token
(:func:`lmbook.train.flops_per_token`, 6 per matrix weight, the tied output layer included) sees
``budget / f`` tokens, so smaller models take more steps. The learning rate is constant after a
short warmup, so the loss measured at a fraction of the budget (``SETUP["eval_fractions"]``) is
also the loss of a run of that smaller budget: one set of runs gives loss against compute for
every size (the isoFLOP slices of section 8.1) and loss against size at each budget (section
1.3). Held-out loss is the mean next-token cross-entropy (nats) on the first
``SETUP["eval_blocks"]`` blocks of People's Daily validation; the same number of training blocks
gives the training loss. At the end each model is also scored in bits per character on the first
``SETUP["bpc_sentences"]`` validation sentences (:func:`lmbook.zoo.quality.bits_per_character`),
the n-gram models' convention.

The shipped record took 47 minutes of wall time on one thread of a shared, heavily loaded 2-core
CPU (the summed ``train_wall_s`` of its rows; CPU time was not measured). Batch size and learning
rate are shared by all sizes, not tuned per size, and the warmup is a fixed number of steps: the
largest models are still warming up at the smallest evaluated budgets, which a reader of the
record must leave out (section 1.3 does). The run writes
``lmbook/assets/records/scaling.json`` (setup, hardware, versions, wall time, one row per size
with every step's training loss); a chapter re-runs the first steps of one size with
:func:`run_size` and checks them against the record.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

__all__ = ["RECORD", "SETUP", "load_record", "main", "run_size", "scaling_data"]

RECORD = Path(__file__).resolve().parent.parent / "assets" / "records" / "scaling.json"

SETUP: dict[str, Any] = {
    # (layers, width, heads); the feed-forward width is 4 x width, embeddings are tied
    "sizes": [[1, 32, 2], [2, 48, 2], [2, 64, 4], [3, 96, 4], [3, 128, 4]],
    # chosen so the five runs fit in a short recording on one CPU thread (small models run at
    # ~8 GFLOP/s there, the largest at ~24); compute-optimal sizes at this budget lie below the grid
    "budget_flops": 2.0e12,
    "eval_fractions": [0.0625, 0.125, 0.25, 0.5, 1.0],
    "batch_size": 16,
    "lr": 3e-3,  # the shipped GPT's rate (lmbook.zoo.pretrain.DEFAULTS)
    "warmup_steps": 20,
    "schedule": "constant",
    "weight_decay": 0.01,
    "betas": [0.9, 0.98],
    "seed": 0,
    "eval_blocks": 64,
    "bpc_sentences": 300,
    "data": "People's Daily train + reviews train (lmbook.zoo.corpus.pretraining_words), "
    "held out: People's Daily validation",
}


def scaling_data() -> dict[str, Any]:
    """The character tokenizer, the packed training blocks and the two evaluation subsets."""
    from lmbook.data import load_peoples_daily
    from lmbook.tokenization import load_tokenizer
    from lmbook.zoo.corpus import PackedBlocks, pack_stream, pretraining_words

    tok = load_tokenizer("char")
    train_rows = pack_stream(tok, ["".join(w) for w in pretraining_words("train")])
    val_texts = list(load_peoples_daily()["validation"]["text"])
    val_rows = pack_stream(tok, val_texts)
    n = SETUP["eval_blocks"]
    return {
        "tokenizer": tok,
        "train": PackedBlocks(train_rows),
        "train_eval": PackedBlocks(train_rows[:n]),
        "val_eval": PackedBlocks(val_rows[:n]),
        "val_texts": val_texts,
    }


def _model(tok: Any, size: list[int]) -> Any:
    from transformers import GPT2LMHeadModel

    from lmbook.seeding import seed_everything
    from lmbook.zoo.architectures import gpt_config

    seed_everything(SETUP["seed"])
    layers, width, heads = size
    model = GPT2LMHeadModel(gpt_config(tok, layers, width, heads))
    model.loss_type = "ForCausalLM"  # the loss transformers falls back to, named (as zoo.loader)
    return model


def run_size(size: list[int], data: dict[str, Any], max_steps: int | None = None) -> dict[str, Any]:
    """Train one size on ``SETUP``'s budget (or only its first ``max_steps`` steps) and return
    its row: parameter counts, FLOPs per token, steps, each evaluation, every step's loss."""
    from lmbook.train import TrainConfig, evaluate, flops_per_token, train
    from lmbook.zoo.quality import bits_per_character

    model = _model(data["tokenizer"], size)
    per_token = flops_per_token(model)
    tokens_per_step = SETUP["batch_size"] * data["train"].rows.shape[1]
    steps = round(SETUP["budget_flops"] / (per_token * tokens_per_step))
    eval_at = {max(1, round(f * steps)): f for f in SETUP["eval_fractions"]}
    evals: list[dict[str, float]] = []

    def measure(info: Any) -> None:
        if info.step in eval_at:
            loss = evaluate(info.model, data["val_eval"], batch_size=SETUP["batch_size"])
            evals.append(
                {
                    "step": info.step,
                    "fraction": eval_at[info.step],
                    "tokens": info.step * tokens_per_step,
                    "flops": info.step * tokens_per_step * per_token,
                    "val_loss": round(loss, 5),
                }
            )

    config = TrainConfig(
        lr=SETUP["lr"],
        batch_size=SETUP["batch_size"],
        max_steps=steps if max_steps is None else min(steps, max_steps),
        warmup_steps=SETUP["warmup_steps"],
        schedule=SETUP["schedule"],
        weight_decay=SETUP["weight_decay"],
        betas=tuple(SETUP["betas"]),
        seed=SETUP["seed"],
        record_grads=False,
        progress=False,
        verbose=False,
    )
    history = train(model, config, data["train"], callbacks=[measure])
    embedding = model.transformer.wte.weight.numel() + model.transformer.wpe.weight.numel()
    total = sum(p.numel() for p in model.parameters())
    row: dict[str, Any] = {
        "size": list(size),
        "parameters": total,
        "non_embedding_parameters": total - embedding,
        "flops_per_token": per_token,
        "steps": steps,
        "steps_run": len(history.loss),
        "tokens": steps * tokens_per_step,
        "train_wall_s": round(history.wall_s[-1], 1),
        "evals": evals,
        "loss": [round(x, 6) for x in history.loss],
    }
    if max_steps is None or max_steps >= steps:
        row["train_loss"] = round(
            evaluate(model, data["train_eval"], batch_size=SETUP["batch_size"]), 5
        )
        row["val_loss"] = evals[-1]["val_loss"]
        texts = data["val_texts"][: SETUP["bpc_sentences"]]
        row["val_bpc"] = round(bits_per_character(model, data["tokenizer"], texts), 4)
    return row


def load_record(path: Path = RECORD) -> dict[str, Any]:
    """The recorded runs (written by ``python -m lmbook.zoo.scaling``)."""
    return json.loads(path.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=RECORD)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)

    import lmbook
    from lmbook.runtime import environment

    lmbook.setup(seed=SETUP["seed"], threads=1, verbose=False)
    start = time.time()
    data = scaling_data()
    record: dict[str, Any] = {
        "setup": SETUP,
        **environment(),
        "train_blocks": len(data["train"]),
        "block": int(data["train"].rows.shape[1]),
        "runs": [],
    }
    for size in SETUP["sizes"]:
        row = run_size(size, data)
        record["runs"].append(row)
        print(
            f"{size} params {row['parameters']:,} steps {row['steps']} "
            f"val {row['val_loss']:.4f} train {row['train_loss']:.4f} bpc {row['val_bpc']:.3f} "
            f"{row['train_wall_s']:.0f}s",
            flush=True,
        )
    record["wall_seconds"] = round(time.time() - start, 1)
    if not args.no_write:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"wrote {args.out}")
    return record


if __name__ == "__main__":
    main()
