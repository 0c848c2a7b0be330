"""Three application cases of chapter 5, LoRA vs full fine-tuning on the shipped models:
``python -m lmbook.adapters.cases`` writes ``records/cases.json`` (section 5.3 shows it and
re-runs one row).

- sentiment: ``bert-zh-tiny`` + a classification head, review accuracy on the test split;
- NER: ``bert-zh-tiny`` + a token-classification head, People's Daily entity F1 (``seqeval``);
- conditional generation: ``gpt-zh-tiny`` learns ``正面评论:`` / ``负面评论:`` → a review of that
  polarity. Samples are judged by an *independent* classifier (TF-IDF + logistic regression on
  the whole review training split, never the model being tuned) and by fluency: bits per
  character under the untuned base GPT (``lmbook.zoo.quality.bits_per_character``: the end of
  each sample counts as a character, as everywhere in the book). The untuned GPT with the same
  prompt is the baseline.
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
    "conditional_examples",
    "generate_reviews",
    "judge",
    "judge_model",
    "main",
    "run_case",
    "style_model",
]

RECORD = Path(__file__).with_name("records") / "cases.json"
GEN_PROMPT = "{label}评论:"

SETUP: dict[str, Any] = {
    "train_examples": 1000,
    "steps": 200,
    "batch_size": 16,
    "warmup_steps": 20,
    # the rates lmbook.zoo.evaluate chose on validation for these models (meta.json)
    "lr": {"full": 1e-3, "lora": 3e-3},
    "lora": {"r": 8, "lora_alpha": 16},
    "seed": 0,
    "generation": {"per_label": 40, "max_new_tokens": 40, "top_k": 20, "temperature": 0.9},
}


def conditional_examples(tokenizer: Any, n: int, max_len: int = 64) -> list[dict[str, Any]]:
    """``[CLS] 正面评论: review [SEP]``: the loss falls on the review only."""
    from lmbook.data import REVIEW_LABELS, load_reviews

    data = load_reviews()["train"].select(range(n))
    rows = []
    for text, y in zip(data["text"], data["label"], strict=True):
        prompt = [tokenizer.bos_token_id] + tokenizer(
            GEN_PROMPT.format(label=REVIEW_LABELS[y]), add_special_tokens=False
        )["input_ids"]
        body = tokenizer(text, add_special_tokens=False)["input_ids"][: max_len - len(prompt) - 1]
        body = [*body, tokenizer.eos_token_id]
        rows.append({"input_ids": prompt + body, "labels": [-100] * len(prompt) + body})
    return rows


def generate_reviews(model: Any, tokenizer: Any, label: int, seed: int = 0) -> list[str]:
    """Sample ``per_label`` reviews after the prompt for ``label`` (0 负面, 1 正面)."""
    import torch

    from lmbook.data import REVIEW_LABELS

    g = SETUP["generation"]
    prompt = [tokenizer.bos_token_id] + tokenizer(
        GEN_PROMPT.format(label=REVIEW_LABELS[label]), add_special_tokens=False
    )["input_ids"]
    ids = torch.tensor([prompt] * g["per_label"])
    torch.manual_seed(seed)
    model.eval()
    with torch.no_grad():
        out = model.generate(
            input_ids=ids,
            attention_mask=torch.ones_like(ids),
            do_sample=True,
            top_k=g["top_k"],
            temperature=g["temperature"],
            max_new_tokens=g["max_new_tokens"],
            pad_token_id=tokenizer.pad_token_id,
            eos_token_id=tokenizer.eos_token_id,
        )
    texts = tokenizer.batch_decode(out[:, len(prompt) :], skip_special_tokens=True)
    return ["".join(t.split()) for t in texts]


def judge_model() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from lmbook.data import load_reviews

    train = load_reviews()["train"]
    clf = make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True),
        LogisticRegression(C=10.0, max_iter=2000),
    )
    return clf.fit(train["text"], train["label"])


def style_model() -> Any:
    """Review or news? TF-IDF + logistic regression on 3,000 training reviews vs 3,000 People's
    Daily training sentences (1 = review)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from lmbook.data import load_peoples_daily, load_reviews

    reviews = list(load_reviews()["train"]["text"][:3000])
    news = ["".join(c) for c in load_peoples_daily()["train"]["chars"][:3000]]
    clf = make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True),
        LogisticRegression(C=10.0, max_iter=2000),
    )
    return clf.fit(reviews + news, [1] * len(reviews) + [0] * len(news))


def judge(texts: list[str], clf: Any = None) -> list[int]:
    """The independent sentiment judge's labels for ``texts``."""
    clf = clf or judge_model()
    return [int(y) for y in clf.predict([t or "。" for t in texts])]


def _train(model: Any, rows: list[dict[str, Any]], tok: Any, lr: float, **extra: Any) -> Any:
    from lmbook.train import TrainConfig, train
    from lmbook.zoo.tasks import pad_collate

    config = TrainConfig(
        lr=lr,
        batch_size=SETUP["batch_size"],
        max_steps=SETUP["steps"],
        warmup_steps=SETUP["warmup_steps"],
        seed=SETUP["seed"],
        progress=False,
        verbose=False,
        **{"record_grads": False, **extra},
    )
    return train(model, config, rows, collate_fn=pad_collate(tok))


def run_case(
    case: str, method: str, measure: bool = True, score: bool = True, **train_extra: Any
) -> tuple[dict[str, Any], Any, Any, Any]:
    """Fine-tune for ``case`` ("sentiment", "ner", "generation") with ``method`` ("lora",
    "full"); return (row, model, tokenizer, history)."""
    import torch
    from peft import get_peft_model

    from lmbook.adapters.memory import measure_step
    from lmbook.adapters.methods import adapter_bytes, count_trainable
    from lmbook.data import NER_LABELS
    from lmbook.seeding import seed_everything
    from lmbook.zoo import load, lora_config
    from lmbook.zoo import tasks as t
    from lmbook.zoo.tasks import pad_collate

    head, name, labels = {
        "sentiment": ("sequence-classification", "bert-zh-tiny", {"num_labels": 2}),
        "ner": ("token-classification", "bert-zh-tiny", {"id2label": dict(enumerate(NER_LABELS))}),
        "generation": ("causal-lm", "gpt-zh-tiny", {}),
    }[case]
    seed_everything(SETUP["seed"])
    model, tok = load(name, head, **labels)
    if method == "lora":
        model = get_peft_model(model, lora_config(model, head, **SETUP["lora"]))
    n = SETUP["train_examples"]
    rows = {
        "sentiment": lambda: t.sentiment_examples(tok, "train", n),
        "ner": lambda: t.ner_examples(tok, "train", n),
        "generation": lambda: conditional_examples(tok, n),
    }[case]()
    trainable, total = count_trainable(model)
    history = _train(model, rows, tok, SETUP["lr"][method], **train_extra)
    row: dict[str, Any] = {
        "case": case,
        "method": method,
        "trainable": trainable,
        "total": total,
        "final_loss": round(float(sum(history.loss[-10:]) / len(history.loss[-10:])), 4),
        "train_seconds": round(history.wall_s[-1], 1),
    }
    if score:
        if case == "sentiment":
            row["metric"], row["value"] = "test accuracy", t.sentiment_score(model, tok)
        elif case == "ner":
            row["metric"], row["value"] = "test entity F1", t.ner_score(model, tok)
        else:
            row.update(_generation_scores(model, tok))
    if measure:
        with tempfile.TemporaryDirectory() as tmp:
            row["checkpoint_bytes"] = adapter_bytes(model, method, tmp)
        model.train()
        opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3)
        batch = pad_collate(tok)(rows[: SETUP["batch_size"]])

        def step() -> None:
            model(**batch).loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)

        step()
        row["peak_bytes"] = measure_step(step).peak
    return row, model, tok, history


def _generation_scores(model: Any, tok: Any, clf: Any = None) -> dict[str, Any]:
    from lmbook.zoo import load
    from lmbook.zoo.quality import bits_per_character

    clf = clf or judge_model()
    base, _ = load("gpt-zh-tiny")
    hits, texts = 0, []
    for label in (0, 1):
        samples = generate_reviews(model, tok, label, SETUP["seed"])
        hits += sum(int(y == label) for y in judge(samples, clf))
        texts += samples
    style = style_model()
    return {
        "metric": "judge agrees with the requested polarity",
        "value": hits / len(texts),
        "review_style": float(style.predict([t or "。" for t in texts]).mean()),
        "bits_per_char_under_base": round(bits_per_character(base, tok, texts), 4),
        "samples": texts,  # the first half asked for 负面, the second for 正面
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="chapter 5 application cases")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)

    import lmbook
    from lmbook.data import load_reviews
    from lmbook.runtime import environment
    from lmbook.zoo import load
    from lmbook.zoo.quality import bits_per_character

    lmbook.setup(verbose=False)
    began = time.time()
    clf = judge_model()
    test = load_reviews()["test"]
    base, tok = load("gpt-zh-tiny")
    record: dict[str, Any] = {
        "setup": SETUP,
        "judge_test_accuracy": float((clf.predict(test["text"]) == test["label"]).mean()),
        "real_reviews_bits_per_char": round(
            bits_per_character(base, tok, list(test["text"][:200])), 4
        ),
        "untuned": _generation_scores(base, tok, clf),
        "rows": [],
        **environment(),
    }
    print("untuned:", record["untuned"]["value"], flush=True)
    for case in ("sentiment", "ner", "generation"):
        for method in ("lora", "full"):
            row, *_ = run_case(case, method)
            record["rows"].append(row)
            print(case, method, row["value"], row["train_seconds"], flush=True)
    record["wall_seconds"] = round(time.time() - began, 1)
    if not args.no_write:
        RECORD.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"wrote {RECORD}")
    return record


if __name__ == "__main__":
    main()
