"""Section 6.2's comparison on one multi-class task, the LibreOffice module of a help paragraph
(:func:`lmbook.data.load_help_modules`, split by page): ``python -m lmbook.adapters.helpclf``
writes :data:`RECORD` (config, hardware and versions, wall time, every row).

Models, all on the same split, scored on the whole test split:

- majority class, and TF-IDF over character 1-2-grams + logistic regression
  (:func:`lmbook.adapters.compare.tfidf_pipeline`, the chapter's text classifier);
- TextCNN over characters (section 3.2, :class:`lmbook.nn.TextCNN`), trained from scratch;
- the shipped BERT with a new classification head, fine-tuned in full and with LoRA (same steps,
  batch and schedule; learning rates fixed in :data:`SETUP`, as chapter 5 chose them);
- the shipped GPT zero-shot: each class's label word (:data:`lmbook.data.HELP_LABEL_WORDS`)
  scored after the paragraph (:func:`lmbook.zoo.label_logprobs`), raw and calibrated by the
  scores after the empty template (Zhao et al., 2021).

Trained models run with every seed of ``SETUP["seeds"]``; the record keeps each seed's test
accuracy and macro-F1 and the test predictions of seed 0 (for confusion matrices and errors).
``live`` is one short LoRA run (:func:`live_row`) that the notebook repeats and compares.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

__all__ = [
    "RECORD",
    "SETUP",
    "finetune_bert",
    "help_examples",
    "live_row",
    "load_record",
    "main",
    "predict_classifier",
    "random_split_tfidf",
    "tfidf_predictions",
    "train_textcnn",
    "zero_shot_prompts",
    "zero_shot_scores",
]

RECORD = Path(__file__).resolve().parent.parent / "assets" / "records" / "helpclf.json"

SETUP: dict[str, Any] = {
    "bert": "bert-zh-tiny",
    "gpt": "gpt-zh-tiny",
    "max_len": 64,
    "batch_size": 32,
    "steps": 400,
    "warmup_steps": 60,
    "seeds": [0, 1, 2],
    # the rates `python -m lmbook.zoo.evaluate` chose on validation for this BERT (meta.json)
    "lr": {"full": 1e-3, "lora": 3e-3},
    "lora": {"r": 8, "lora_alpha": 16},
    "textcnn": {"embed_dim": 64, "num_filters": 64, "widths": [1, 2, 3], "lr": 2e-3, "epochs": 3},
    "zero_shot": {"template": "{text}。这段帮助属于:", "text_chars": 60},
    "live": {"method": "lora", "seed": 0, "steps": 40, "test_stride": 10},
}


def help_examples(tokenizer: Any, split: str, max_len: int = 64) -> list[dict[str, Any]]:
    """Help paragraphs of ``split`` as ``[CLS] text [SEP]`` ids (cut at ``max_len``) + label."""
    from lmbook.data import load_help_modules

    data = load_help_modules()[split]
    enc = tokenizer(list(data["text"]), truncation=True, max_length=max_len)
    return [
        {"input_ids": ids, "labels": int(y)}
        for ids, y in zip(enc["input_ids"], data["label"], strict=True)
    ]


def predict_classifier(
    model: Any, tokenizer: Any, split: str, max_len: int = 64, stride: int = 1
) -> list[int]:
    """Argmax class of a sequence classifier for every ``stride``-th paragraph of ``split``."""
    import torch

    from lmbook.zoo.tasks import pad_collate

    rows = help_examples(tokenizer, split, max_len)[::stride]
    collate = pad_collate(tokenizer)
    out: list[int] = []
    model.eval()
    with torch.no_grad():
        for i in range(0, len(rows), 128):
            batch = collate(rows[i : i + 128])
            batch.pop("labels")
            out += model(**batch).logits.argmax(-1).tolist()
    return out


def finetune_bert(
    method: str, seed: int, steps: int | None = None, setup: dict[str, Any] = SETUP
) -> tuple[Any, Any, dict[str, Any]]:
    """Fine-tune the shipped BERT with a 7-class head (``method`` "full" or "lora") on the whole
    training split; return model, tokenizer and ``{trainable, total, train_seconds}``."""
    from lmbook.adapters.methods import apply_method, count_trainable
    from lmbook.data import HELP_MODULES
    from lmbook.seeding import seed_everything
    from lmbook.train import TrainConfig, train
    from lmbook.zoo import load
    from lmbook.zoo.tasks import pad_collate

    seed_everything(seed)
    id2label = dict(enumerate(HELP_MODULES))
    model, tok = load(setup["bert"], "sequence-classification", id2label=id2label)
    options = setup["lora"] if method == "lora" else {}
    model = apply_method(model, method, "sequence-classification", **options)
    trainable, total = count_trainable(model)
    steps = steps or setup["steps"]
    config = TrainConfig(
        lr=setup["lr"][method],
        batch_size=setup["batch_size"],
        max_steps=steps,
        warmup_steps=min(setup["warmup_steps"], steps // 10),
        seed=seed,
        record_grads=False,
        progress=False,
        verbose=False,
    )
    rows = help_examples(tok, "train", setup["max_len"])
    history = train(model, config, rows, collate_fn=pad_collate(tok))
    info = {"trainable": trainable, "total": total, "train_seconds": round(history.wall_s[-1], 2)}
    return model, tok, info


def train_textcnn(seed: int, setup: dict[str, Any] = SETUP) -> tuple[Any, Any, dict[str, Any]]:
    """TextCNN from scratch (Adam, ``epochs`` passes, the epoch best on validation kept);
    return model, its :class:`~lmbook.nn.CharVocab` and ``{trainable, total, train_seconds}``."""
    import torch
    import torch.nn.functional as F

    from lmbook.data import HELP_MODULES, load_help_modules
    from lmbook.nn import CharVocab, TextCNN

    began = time.time()
    cfg, max_len = setup["textcnn"], setup["max_len"]
    data = load_help_modules()
    vocab = CharVocab(data["train"]["text"], min_count=2)
    ids = vocab.encode(data["train"]["text"], max_len, min_len=max(cfg["widths"]))
    labels = torch.tensor(data["train"]["label"])
    torch.manual_seed(seed)
    model = TextCNN(
        len(vocab),
        len(HELP_MODULES),
        embed_dim=cfg["embed_dim"],
        widths=cfg["widths"],
        num_filters=cfg["num_filters"],
    )
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"])
    g = torch.Generator().manual_seed(seed)
    best: tuple[float, dict[str, Any]] = (-1.0, {})
    truth = data["validation"]["label"]
    for _ in range(cfg["epochs"]):
        model.train()
        order = torch.randperm(len(ids), generator=g)
        for i in range(0, len(order), setup["batch_size"]):
            idx = order[i : i + setup["batch_size"]]
            loss = F.cross_entropy(model(ids[idx]), labels[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        pred = _textcnn_predict(model, vocab, "validation", setup)
        val = sum(int(p == y) for p, y in zip(pred, truth, strict=True)) / len(truth)
        if val > best[0]:
            best = (val, {k: v.clone() for k, v in model.state_dict().items()})
    model.load_state_dict(best[1])
    n = sum(p.numel() for p in model.parameters())
    info = {"trainable": n, "total": n, "train_seconds": round(time.time() - began, 2)}
    return model, vocab, info


def _textcnn_predict(model: Any, vocab: Any, split: str, setup: dict[str, Any]) -> list[int]:
    import torch

    from lmbook.data import load_help_modules

    texts = load_help_modules()[split]["text"]
    ids = vocab.encode(texts, setup["max_len"], min_len=max(setup["textcnn"]["widths"]))
    model.eval()
    with torch.no_grad():
        return torch.cat(
            [model(ids[i : i + 512]).argmax(1) for i in range(0, len(ids), 512)]
        ).tolist()


def tfidf_predictions(split: str = "test") -> list[int]:
    """TF-IDF + logistic regression fitted on the training split; predictions on ``split``."""
    from lmbook.adapters.compare import tfidf_pipeline
    from lmbook.data import load_help_modules

    data = load_help_modules()
    clf = tfidf_pipeline().fit(data["train"]["text"], data["train"]["label"])
    return [int(p) for p in clf.predict(data[split]["text"])]


def random_split_tfidf(seed: int = 0) -> dict[str, float]:
    """The leak the page split avoids: pool the three splits, cut them at random into the same
    sizes (paragraphs of one page now land on both sides), fit :func:`tfidf_predictions`'s
    pipeline on the random train part and score it on the random test part."""
    import numpy as np

    from lmbook.adapters.compare import tfidf_pipeline
    from lmbook.data import load_help_modules

    data = load_help_modules()
    texts = [t for s in data for t in data[s]["text"]]
    labels = [y for s in data for y in data[s]["label"]]
    order = np.random.default_rng(seed).permutation(len(texts))
    n_train, n_test = len(data["train"]), len(data["test"])
    train, test = order[:n_train], order[len(order) - n_test :]
    clf = tfidf_pipeline().fit([texts[i] for i in train], [labels[i] for i in train])
    pred = [int(p) for p in clf.predict([texts[i] for i in test])]
    return {"seed": seed, **_scores([labels[i] for i in test], pred)}


def zero_shot_prompts(texts: list[str], setup: dict[str, Any] = SETUP) -> list[str]:
    """The zero-shot template around each text (its first ``text_chars`` characters)."""
    zs = setup["zero_shot"]
    return [zs["template"].format(text=t[: zs["text_chars"]]) for t in texts]


def zero_shot_scores(texts: list[str], setup: dict[str, Any] = SETUP) -> tuple[Any, Any]:
    """``(scores, baseline)``: the label words' log-probabilities after each prompt
    ``[len(texts), classes]`` and after the empty template ``[1, classes]`` (for calibration)."""
    from lmbook.data import HELP_LABEL_WORDS
    from lmbook.zoo import load
    from lmbook.zoo.scoring import label_logprobs

    model, tok = load(setup["gpt"])
    words = list(HELP_LABEL_WORDS)
    scores = label_logprobs(model, tok, zero_shot_prompts(texts, setup), words)
    empty = label_logprobs(model, tok, zero_shot_prompts([""], setup), words)
    return scores, empty


def _scores(truth: list[int], pred: list[int]) -> dict[str, float]:
    from lmbook.train.metrics import accuracy, precision_recall_f1

    return {
        "accuracy": round(accuracy(truth, pred), 4),
        "macro_f1": round(precision_recall_f1(truth, pred, labels=list(range(7)))[2], 4),
    }


def live_row(setup: dict[str, Any] = SETUP) -> dict[str, Any]:
    """The short run the notebook repeats: ``setup["live"]`` (LoRA, seed 0, few steps), scored
    on every ``test_stride``-th test paragraph."""
    from lmbook.data import load_help_modules

    live = setup["live"]
    model, tok, info = finetune_bert(live["method"], live["seed"], live["steps"], setup)
    stride = live["test_stride"]
    pred = predict_classifier(model, tok, "test", setup["max_len"], stride)
    truth = load_help_modules()["test"]["label"][::stride]
    return {**live, **info, **_scores(truth, pred)}


def load_record(path: Path = RECORD) -> dict[str, Any]:
    """The recorded comparison (:data:`RECORD`)."""
    return json.loads(path.read_text(encoding="utf-8"))


def _row(
    name: str, runs: list[tuple[dict[str, Any], list[int]]], truth: list[int]
) -> dict[str, Any]:
    """One table row from ``(info, test predictions)`` per seed."""
    import numpy as np

    seeds = [{**info, **_scores(truth, pred)} for info, pred in runs]
    acc = np.array([s["accuracy"] for s in seeds])
    f1 = np.array([s["macro_f1"] for s in seeds])
    first = seeds[0]
    return {
        "model": name,
        "trainable": first.get("trainable", 0),
        "total": first.get("total", 0),
        "accuracy_mean": round(float(acc.mean()), 4),
        "accuracy_std": round(float(acc.std(ddof=1)), 4) if len(acc) > 1 else 0.0,
        "macro_f1_mean": round(float(f1.mean()), 4),
        "macro_f1_std": round(float(f1.std(ddof=1)), 4) if len(f1) > 1 else 0.0,
        "train_seconds": round(float(np.mean([s.get("train_seconds", 0.0) for s in seeds])), 2),
        "seeds": seeds,
        "test_pred": "".join(str(p) for p in runs[0][1]),  # one digit per test paragraph
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=RECORD)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)

    import collections

    import lmbook
    from lmbook.data import help_modules_counts, load_help_modules
    from lmbook.runtime import environment

    lmbook.setup(verbose=False)
    start = time.time()
    data = load_help_modules()
    truth = list(data["test"]["label"])
    rows = []
    majority = collections.Counter(data["train"]["label"]).most_common(1)[0][0]
    rows.append(_row("majority", [({}, [majority] * len(truth))], truth))
    began = time.time()
    tfidf = tfidf_predictions()
    rows.append(_row("tfidf", [({"train_seconds": round(time.time() - began, 2)}, tfidf)], truth))
    print(f"tfidf {rows[-1]['macro_f1_mean']:.4f}", flush=True)
    began = time.time()
    scores, empty = zero_shot_scores(list(data["test"]["text"]))
    zs_seconds = round(time.time() - began, 2)
    for name, s in (("zero_shot", scores), ("zero_shot_calibrated", scores - empty)):
        rows.append(_row(name, [({"test_seconds": zs_seconds}, s.argmax(-1).tolist())], truth))
        print(f"{name} {rows[-1]['macro_f1_mean']:.4f}", flush=True)
    runs = []
    for seed in SETUP["seeds"]:
        model, vocab, info = train_textcnn(seed)
        runs.append((info, _textcnn_predict(model, vocab, "test", SETUP)))
        print(f"textcnn seed {seed} {_scores(truth, runs[-1][1])} {info}", flush=True)
    rows.append(_row("textcnn", runs, truth))
    for method in ("full", "lora"):
        runs = []
        for seed in SETUP["seeds"]:
            model, tok, info = finetune_bert(method, seed)
            runs.append((info, predict_classifier(model, tok, "test", SETUP["max_len"])))
            print(f"bert {method} seed {seed} {_scores(truth, runs[-1][1])} {info}", flush=True)
        rows.append(_row(f"bert_{method}", runs, truth))
    record = {
        "setup": SETUP,
        **environment(),
        "counts": help_modules_counts(),
        "table": rows,
        "random_split_tfidf": random_split_tfidf(),
        "live": live_row(),
        "wall_seconds": round(time.time() - start, 1),
    }
    print(f"live {record['live']}", flush=True)
    if not args.no_write:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"wrote {args.out}")
    return record


if __name__ == "__main__":
    main()
