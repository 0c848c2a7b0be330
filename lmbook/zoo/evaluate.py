"""Does pretraining pay off? ``python -m lmbook.zoo.evaluate`` fine-tunes each shipped model and
its randomly initialised twin (same architecture, same data, steps, seed, LoRA and full
fine-tuning) and writes the comparison into the models' ``meta.json`` and cards.

- BERT: review sentiment (accuracy on the test split) and People's Daily NER (entity F1 on the
  test split, ``seqeval``), as sequence / token classification.
- GPT: review sentiment by label words (``…。评价:正面`` vs ``负面``, likelihood of each).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lmbook.zoo.registry import model_dir

__all__ = [
    "SETUP",
    "STUDY",
    "Task",
    "compare",
    "finetune",
    "main",
    "make_model",
    "seed_study",
    "summarise_study",
    "tasks",
    "trial",
]

SETUP: dict[str, Any] = {
    "train_examples": 1000,
    "steps": 200,
    "batch_size": 16,
    "lr": {"full": (3e-4, 1e-3), "lora": (1e-3, 3e-3, 1e-2)},
    "lora": {"r": 8, "lora_alpha": 16, "lora_dropout": 0.0},
    "seed": 0,
}
# Does BERT's pretraining pay off in full fine-tuning? The same comparison over several seeds
# and labelled-set sizes, each initialisation at the learning rate it chose above.
STUDY: dict[str, Any] = {
    "task": "sentiment",
    "method": "full",
    "seeds": (0, 1, 2, 3, 4),
    "sizes": (100, 300, 1000, 3000),
}
SPLITS = ("validation", "test")


def make_model(name: str, task: str, pretrained: bool, seed: int, **labels: Any) -> tuple[Any, Any]:
    """The shipped model with a ``task`` head, or (``pretrained=False``) its random twin."""
    import transformers

    from lmbook.seeding import seed_everything
    from lmbook.zoo.loader import TASKS, load

    seed_everything(seed)
    model, tokenizer = load(name, task, **labels)
    if not pretrained:
        seed_everything(seed)
        model = getattr(transformers, TASKS[task]).from_config(model.config)
    return model, tokenizer


def finetune(
    model: Any, rows: list[dict[str, Any]], tokenizer: Any, lr: float, seed: int | None = None
) -> float:
    """Fine-tune ``model`` in place on ``rows`` with :func:`lmbook.train.train` (seed: data
    order and dropout, default ``SETUP["seed"]``); return seconds."""
    from lmbook.train import TrainConfig, train
    from lmbook.zoo.tasks import pad_collate

    config = TrainConfig(
        lr=lr,
        batch_size=SETUP["batch_size"],
        max_steps=SETUP["steps"],
        warmup_steps=SETUP["steps"] // 10,
        seed=SETUP["seed"] if seed is None else seed,
        record_grads=False,
        progress=False,
        verbose=False,
    )
    history = train(model, config, rows, collate_fn=pad_collate(tokenizer))
    return history.wall_s[-1]


@dataclass(frozen=True)
class Task:
    """One downstream task: which shipped model, which head, how to build and score examples."""

    model: str
    head: str  # a task of lmbook.zoo.load
    examples: Callable[..., list[dict[str, Any]]]  # (tokenizer, split, n) -> rows
    score: Callable[[Any, Any, str], float]  # (model, tokenizer, split) -> metric
    labels: dict[str, Any]
    metric: str


def tasks() -> dict[str, Task]:
    """The downstream tasks by name, in the order the cards list them."""
    from lmbook.data import NER_LABELS
    from lmbook.zoo import tasks as t

    return {
        "sentiment (label words)": Task(
            "gpt-zh-tiny",
            "causal-lm",
            t.label_word_examples,
            t.label_word_score,
            {},
            "test accuracy",
        ),
        "sentiment": Task(
            "bert-zh-tiny",
            "sequence-classification",
            t.sentiment_examples,
            t.sentiment_score,
            {"num_labels": 2},
            "test accuracy",
        ),
        "NER (People's Daily)": Task(
            "bert-zh-tiny",
            "token-classification",
            t.ner_examples,
            t.ner_score,
            {"id2label": dict(enumerate(NER_LABELS))},
            "test entity F1",
        ),
    }


def trial(
    task: Task,
    method: str,
    pretrained: bool,
    lr: float,
    seed: int | None = None,
    examples: int | None = None,
) -> tuple[Any, Any, float]:
    """Fine-tune the task's model (or its random twin) with ``method`` ("lora" or "full") at
    ``lr`` on the first ``examples`` (default ``SETUP["train_examples"]``) training rows with
    ``seed`` (default ``SETUP["seed"]``: head, random twin, data order); return model,
    tokenizer and training seconds."""
    from peft import get_peft_model

    from lmbook.zoo.adapters import lora_config

    seed = SETUP["seed"] if seed is None else seed
    model, tok = make_model(task.model, task.head, pretrained, seed, **task.labels)
    if method == "lora":
        model = get_peft_model(model, lora_config(model, task.head, **SETUP["lora"]))
    rows = task.examples(tok, "train", examples or SETUP["train_examples"])
    return model, tok, finetune(model, rows, tok, lr, seed)


def _run(name: str, task: Task) -> list[dict[str, Any]]:
    """Both methods x both initialisations for one task: a row per method.

    Each initialisation gets the learning rate from ``SETUP["lr"][method]`` that scores best on
    the validation split; the row reports its test score.
    """
    rows = []
    for method in ("lora", "full"):
        result: dict[str, Any] = {"task": name, "metric": task.metric, "method": method}
        for init in ("pretrained", "random"):
            best: tuple[float, float, float, float] | None = None  # (val, test, lr, seconds)
            for lr in SETUP["lr"][method]:
                model, tok, seconds = trial(task, method, init == "pretrained", lr)
                val = task.score(model, tok, "validation")
                print(f"{name} {method} {init} lr {lr}: val {val:.4f} ({seconds:.0f} s)")
                if best is None or val > best[0]:
                    best = (val, task.score(model, tok, "test"), lr, seconds)
            assert best is not None
            result[init] = round(best[1], 4)
            result[f"{init}_validation"] = round(best[0], 4)
            result[f"{init}_lr"] = best[2]
            result[f"{init}_seconds"] = round(best[3], 1)
        rows.append(result)
    return rows


def compare(model: str) -> list[dict[str, Any]]:
    """Pretrained vs random-init fine-tuning results for one shipped model (its name)."""
    return [
        row for name, task in tasks().items() if task.model == model for row in _run(name, task)
    ]


def seed_study(results: list[dict[str, Any]]) -> dict[str, Any]:
    """``STUDY``'s runs: for each labelled-set size and seed, fine-tune the pretrained model and
    its random twin (each at the learning rate ``results`` chose for it) and score both splits;
    the runs and their :func:`summarise_study`."""
    name, method = STUDY["task"], STUDY["method"]
    task = tasks()[name]
    row = next(r for r in results if r["task"] == name and r["method"] == method)
    lrs = {init: row[f"{init}_lr"] for init in ("pretrained", "random")}
    runs = []
    for examples in STUDY["sizes"]:
        for seed in STUDY["seeds"]:
            for init, lr in lrs.items():
                model, tok, seconds = trial(task, method, init == "pretrained", lr, seed, examples)
                run = {"examples": examples, "seed": seed, "init": init}
                run |= {split: round(task.score(model, tok, split), 4) for split in SPLITS}
                print(f"study {examples} examples seed {seed} {init}: {run} ({seconds:.0f} s)")
                runs.append(run)
    return {
        "task": name,
        "method": method,
        "metric": task.metric.removeprefix("test "),
        "lr": lrs,
        "runs": runs,
        "summary": summarise_study(runs),
    }


def summarise_study(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per labelled-set size and split: mean scores, mean paired difference (pretrained minus
    random, same seed), its 95% t interval, the paired t-test's two-sided p and the seeds won."""
    import numpy as np
    from scipy import stats

    rows = []
    for examples in sorted({r["examples"] for r in runs}):
        by = {
            init: {r["seed"]: r for r in runs if r["examples"] == examples and r["init"] == init}
            for init in ("pretrained", "random")
        }
        seeds = sorted(by["pretrained"].keys() & by["random"].keys())
        for split in SPLITS:
            pre = np.array([by["pretrained"][s][split] for s in seeds])
            rand = np.array([by["random"][s][split] for s in seeds])
            diff = pre - rand
            half = stats.t.ppf(0.975, len(seeds) - 1) * diff.std(ddof=1) / np.sqrt(len(seeds))
            if diff.std() > 0:
                p = stats.ttest_rel(pre, rand).pvalue
            else:  # identical differences: t is 0 or infinite
                p = 1.0 if diff.mean() == 0 else 0.0
            rows.append(
                {
                    "examples": examples,
                    "split": split,
                    "seeds": len(seeds),
                    "pretrained": round(float(pre.mean()), 4),
                    "random": round(float(rand.mean()), 4),
                    "margin": round(float(diff.mean()), 4),
                    "ci95": [
                        round(float(diff.mean() - half), 4),
                        round(float(diff.mean() + half), 4),
                    ],
                    "p": round(float(p), 4),
                    "wins": int((diff > 0).sum()),
                }
            )
    return rows


def _describe_setup() -> str:
    s = SETUP
    return (
        f"first {s['train_examples']} training examples, {s['steps']} steps x batch "
        f"{s['batch_size']}, AdamW (10% warmup + cosine; learning rate per initialisation chosen "
        f"on the validation split from full {list(s['lr']['full'])}, LoRA "
        f"{list(s['lr']['lora'])}), LoRA r={s['lora']['r']} alpha={s['lora']['lora_alpha']} on all "
        "attention and MLP projections (BERT: and the pooler; new heads trained fully), "
        f"seed {s['seed']}, one CPU thread; reviews cut to 64 tokens, NER sentences to 128; "
        "scored on the full test split. "
        "预训练模型与随机初始化模型使用相同的前1000条训练样本、步数、候选学习率与随机种子。"
    )


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point: measure and write the results into the model folders."""
    import transformers

    import lmbook
    from lmbook.zoo.card import write_card

    p = argparse.ArgumentParser(prog="python -m lmbook.zoo.evaluate", description=__doc__)
    p.add_argument("--model", choices=("gpt", "bert", "all"), default="all")
    p.add_argument("--no-write", action="store_true", help="print only; leave meta.json alone")
    p.add_argument(
        "--study-only",
        action="store_true",
        help="BERT: rerun only the seed and labelled-size study, at the recorded learning rates",
    )
    args = p.parse_args(argv)
    transformers.logging.set_verbosity_error()  # no load report for every new head
    lmbook.setup(seed=SETUP["seed"], threads=1)
    for kind in ("gpt", "bert") if args.model == "all" else (args.model,):
        started = time.monotonic()
        folder = model_dir(f"{kind}-zh-tiny")
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if args.study_only:
            down = meta["downstream"]
        else:
            down = {"setup": _describe_setup(), "results": compare(folder.name)}
        if tasks()[STUDY["task"]].model == folder.name:
            down["study"] = seed_study(down["results"])
        print(json.dumps(down, ensure_ascii=False, indent=1))
        print(f"{kind}: {time.monotonic() - started:.0f} s")
        if args.no_write:
            continue
        meta["downstream"] = down
        (folder / "meta.json").write_text(
            json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        write_card(folder)


if __name__ == "__main__":
    main()
