"""The methods of chapter 5 side by side on one task, same budget:
``python -m lmbook.adapters.compare`` writes ``lmbook/adapters/records/methods.json`` (its
``wall_seconds`` says how long that took); section 5.2 shows that record and re-runs one row.
``python -m lmbook.adapters.compare --retime`` re-times every method of the record in one process
(run it on a quiet machine) and rewrites only the record's ``seconds_per_epoch``.

Task: review sentiment with the shipped GPT as label words (``…。评价:正面|负面``, the causal-LM
formulation, where every peft method works; peft's prefix tuning fails for sequence
classification with transformers 5). Each method trains on the same first
``SETUP["train_examples"]`` training reviews for the same number of steps and batch size; its
learning rate is ``SETUP["lr_grid"][method]`` (with several values, the one best on the
validation split with seed 0); it is trained with every seed in ``SETUP["seeds"]`` and scored on
the whole test split. Two baselines share the split: the untuned model with the same label-word
prompt (zero-shot) and TF-IDF + logistic regression on the same training reviews.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = [
    "RECORD",
    "SETUP",
    "main",
    "retime",
    "run_trial",
    "tfidf_baseline",
    "tfidf_pipeline",
    "zero_shot_accuracy",
]

RECORD = Path(__file__).with_name("records") / "methods.json"

SETUP: dict[str, Any] = {
    "model": "gpt-zh-tiny",
    "task": "review sentiment as label words (causal LM)",
    "train_examples": 1000,
    "val_examples": 300,
    "steps": 150,
    "batch_size": 16,
    "warmup_steps": 15,
    "max_len": 64,
    "seeds": [0, 1, 2],
    "methods": ["full", "lora", "dora", "ia3", "prefix", "prompt", "ptuning", "bitfit"],
    "options": {
        "lora": {"r": 8, "lora_alpha": 16},
        "dora": {"r": 8, "lora_alpha": 16},
        "prefix": {"num_virtual_tokens": 10},
        "prompt": {"num_virtual_tokens": 10},
        "ptuning": {"num_virtual_tokens": 10},
    },
    # one learning rate per method, fixed before the run (a grid per method costs more than this
    # CPU gives): full and LoRA take the rates `python -m lmbook.zoo.evaluate` chose on validation
    # for this model (meta.json "downstream"), DoRA as LoRA, BitFit in between; the prompt-style
    # methods and IA3 train a handful of vectors and take the large rates such methods need.
    "lr_grid": {
        "full": [1e-3],
        "lora": [3e-3],
        "dora": [3e-3],
        "ia3": [3e-2],
        "prefix": [3e-2],
        "prompt": [3e-2],
        "ptuning": [3e-3],
        "bitfit": [1e-2],
    },
}


def tfidf_pipeline() -> Any:
    """Character 1-2-gram TF-IDF + logistic regression (C = 10), unfitted: the chapter's text
    classifier (this baseline, and the judges of :mod:`lmbook.adapters.cases`)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True),
        LogisticRegression(C=10.0, max_iter=2000),
    )


def tfidf_baseline(setup: dict[str, Any] = SETUP) -> float:
    """The strongest simple baseline on the same training reviews: :func:`tfidf_pipeline`;
    accuracy on the test split."""
    from lmbook.data import load_reviews

    data = load_reviews()
    train = data["train"].select(range(setup["train_examples"]))
    clf = tfidf_pipeline().fit(train["text"], train["label"])
    test = data["test"]
    return float((clf.predict(test["text"]) == test["label"]).mean())


def zero_shot_accuracy(setup: dict[str, Any] = SETUP, split: str = "test") -> float:
    """The untuned model with the same label-word prompt: accuracy on ``split`` (all of it)."""
    from lmbook.zoo import load

    model, tok = load(setup["model"])
    return _accuracy(model, tok, split, None, setup["max_len"])


def _accuracy(model: Any, tok: Any, split: str, n: int | None, max_len: int) -> float:
    from lmbook.data import load_reviews
    from lmbook.zoo.tasks import label_word_predict

    data = load_reviews()[split]
    if n:
        data = data.select(range(min(n, len(data))))
    pred = label_word_predict(model, tok, data["text"], max_len)
    return sum(int(p == y) for p, y in zip(pred, data["label"], strict=True)) / len(pred)


def run_trial(
    method: str,
    lr: float,
    seed: int,
    setup: dict[str, Any] = SETUP,
    test: bool = True,
    measure: bool = True,
) -> dict[str, Any]:
    """Train ``method`` once at ``lr`` with ``seed``; return its row: parameters, validation and
    test accuracy, training seconds, seconds per epoch, peak memory of a step, adapter bytes."""
    from lmbook.adapters.memory import measure_training_step
    from lmbook.adapters.methods import adapter_bytes, apply_method, count_trainable
    from lmbook.seeding import seed_everything
    from lmbook.train import TrainConfig, train
    from lmbook.zoo import load
    from lmbook.zoo.tasks import label_word_examples, pad_collate

    began = time.time()
    seed_everything(seed)
    model, tok = load(setup["model"])
    model = apply_method(model, method, **setup["options"].get(method, {}))
    trainable, total = count_trainable(model)
    rows = label_word_examples(tok, "train", setup["train_examples"], setup["max_len"])
    collate = pad_collate(tok)
    config = TrainConfig(
        lr=lr,
        batch_size=setup["batch_size"],
        max_steps=setup["steps"],
        warmup_steps=setup["warmup_steps"],
        seed=seed,
        record_grads=False,
        progress=False,
        verbose=False,
    )
    history = train(model, config, rows, collate_fn=collate)
    seconds = history.wall_s[-1]
    epochs = setup["steps"] * setup["batch_size"] / len(rows)
    row: dict[str, Any] = {
        "method": method,
        "lr": lr,
        "seed": seed,
        "trainable": trainable,
        "total": total,
        "final_loss": round(float(history.loss[-1]), 4),
        "validation": _accuracy(model, tok, "validation", setup["val_examples"], setup["max_len"]),
        "train_seconds": round(seconds, 2),
        "seconds_per_epoch": round(seconds / epochs, 2),
    }
    if test:
        row["test"] = _accuracy(model, tok, "test", None, setup["max_len"])
    if measure:
        with tempfile.TemporaryDirectory() as tmp:
            row["adapter_bytes"] = adapter_bytes(model, method, tmp)
        mem = measure_training_step(model, collate(rows[: setup["batch_size"]]), lr=lr)
        row["peak_bytes"] = mem.peak
        row["peak_by_category"] = mem.at_peak
    row["trial_seconds"] = round(time.time() - began, 1)
    return row


def retime(record: dict[str, Any], steps: int = 20, repeats: int = 3) -> dict[str, Any]:
    """Re-time every method of ``record`` in this one process and write its
    ``seconds_per_epoch`` into the record's table: ``steps`` training steps (after one untimed
    step) at the method's learning rate, methods interleaved, the median over ``repeats`` rounds.
    Training times measured during the long run mix in whatever else the machine was doing."""
    import statistics

    from lmbook.adapters.methods import apply_method
    from lmbook.runtime import environment
    from lmbook.seeding import seed_everything
    from lmbook.train import TrainConfig, train
    from lmbook.zoo import load
    from lmbook.zoo.tasks import label_word_examples, pad_collate

    setup = record["setup"]
    _, tok = load(setup["model"])
    rows = label_word_examples(tok, "train", setup["train_examples"], setup["max_len"])
    per_step: dict[str, list[float]] = {row["method"]: [] for row in record["table"]}
    for _ in range(repeats):
        for row in record["table"]:
            method = row["method"]
            seed_everything(0)
            model, _ = load(setup["model"])
            model = apply_method(model, method, **setup["options"].get(method, {}))
            config = TrainConfig(
                lr=row["lr"],
                batch_size=setup["batch_size"],
                max_steps=steps + 1,
                seed=0,
                record_grads=False,
                progress=False,
                verbose=False,
            )
            history = train(model, config, rows, collate_fn=pad_collate(tok))
            per_step[method].append((history.wall_s[-1] - history.wall_s[0]) / steps)
    steps_per_epoch = setup["train_examples"] / setup["batch_size"]
    for row in record["table"]:
        row["seconds_per_epoch"] = round(
            statistics.median(per_step[row["method"]]) * steps_per_epoch, 2
        )
    record["retime"] = {"steps": steps, "repeats": repeats, **environment()}
    return record


def _save_partial(path: Path, record: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    import numpy as np

    test = np.array([r["test"] for r in rows])
    first = rows[0]  # seed 0: parameters, memory and size are the same for every seed
    return {
        "method": first["method"],
        "lr": first["lr"],
        "trainable": first["trainable"],
        "trainable_pct": round(100 * first["trainable"] / first["total"], 3),
        "test_mean": round(float(test.mean()), 4),
        "test_std": round(float(test.std(ddof=1)), 4) if len(test) > 1 else 0.0,
        "seconds_per_epoch": round(float(np.mean([r["seconds_per_epoch"] for r in rows])), 2),
        "peak_mib": round(first["peak_bytes"] / 2**20, 2),
        "adapter_bytes": first["adapter_bytes"],
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--methods", nargs="*", default=SETUP["methods"])
    parser.add_argument("--out", type=Path, default=RECORD)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument(
        "--retime", action="store_true", help="only re-time the methods of the existing record"
    )
    args = parser.parse_args(argv)

    import lmbook
    from lmbook.runtime import environment

    lmbook.setup(verbose=False)
    if args.retime:
        record = retime(json.loads(args.out.read_text(encoding="utf-8")))
        for row in record["table"]:
            print(f"{row['method']:8s} {row['seconds_per_epoch']:.2f} s/epoch", flush=True)
        if not args.no_write:
            args.out.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
            print(f"wrote {args.out}")
        return record
    start = time.time()
    record: dict[str, Any] = {
        "setup": SETUP,
        **environment(),
        "baseline_tfidf_test": tfidf_baseline(),
        "baseline_zero_shot_test": zero_shot_accuracy(),
        "selection": {},
        "trials": [],
        "table": [],
    }
    partial = args.out.with_suffix(".partial.json")
    done = {}
    if partial.exists():  # resume an interrupted run with the same setup
        old = json.loads(partial.read_text(encoding="utf-8"))
        same = {k: v for k, v in json.loads(json.dumps(SETUP)).items() if k != "lr_grid"}
        if {k: v for k, v in old["setup"].items() if k != "lr_grid"} == same:
            done = {(r["method"], r["lr"], r["seed"]): r for r in old["trials"]}
    for method in args.methods:
        tried = {}
        for lr in SETUP["lr_grid"][method]:
            row = done.get((method, lr, SETUP["seeds"][0])) or run_trial(
                method, lr, SETUP["seeds"][0]
            )
            tried[lr] = row
            record["trials"].append(row)
            _save_partial(partial, record)
            print(
                f"{method:8s} lr={lr:g} seed={row['seed']} val={row['validation']:.4f} "
                f"test={row['test']:.4f} {row['train_seconds']:.1f}s",
                flush=True,
            )
        best = max(tried, key=lambda lr: tried[lr]["validation"])
        record["selection"][method] = {str(k): v["validation"] for k, v in tried.items()}
        rows = [tried[best]]
        for seed in SETUP["seeds"][1:]:
            row = done.get((method, best, seed)) or run_trial(method, best, seed, measure=False)
            record["trials"].append(row)
            _save_partial(partial, record)
            rows.append(row)
            print(f"{method:8s} lr={best:g} seed={seed} test={row['test']:.4f}", flush=True)
        record["table"].append(_summary(rows))
    record["wall_seconds"] = round(time.time() - start, 1)
    record["wall_seconds_of_trials"] = round(sum(r["trial_seconds"] for r in record["trials"]), 1)
    if not args.no_write:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        partial.unlink(missing_ok=True)
        print(f"wrote {args.out}")
    return record


if __name__ == "__main__":
    main()
