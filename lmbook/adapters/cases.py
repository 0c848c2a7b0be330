"""Three application cases of chapter 5, LoRA vs full fine-tuning on the shipped models:
``python -m lmbook.adapters.cases`` writes ``records/cases.json`` (section 5.3 shows it and
re-runs one row).

- sentiment: ``bert-zh-tiny`` + a classification head, review accuracy on the test split;
- NER: ``bert-zh-tiny`` + a token-classification head, People's Daily entity F1 (``seqeval``);
- conditional generation: ``gpt-zh-tiny`` learns ``正面评论:`` / ``负面评论:`` → a review of that
  polarity. Samples are judged by an *independent* classifier (TF-IDF + logistic regression on
  the whole review training split, never the model being tuned) and by fluency in bits per
  character (the end of each sample counts as a character, as everywhere in the book) under two
  scorers: the untuned base GPT (``lmbook.zoo.quality.bits_per_character``; it scores its own
  samples when it is the baseline) and a fixed third model that generated none of them, a
  Kneser-Ney n-gram on the review and People's Daily training text (:func:`fluency_ngram`).
  The untuned GPT with the same prompt is the baseline. Every (model, label) draws its samples
  with its own seed (``SETUP["generation"]["seeds"]``).

``python -m lmbook.adapters.cases --cases generation`` re-runs only the named cases and keeps the
other rows of the existing record (their settings are unchanged).
"""

from __future__ import annotations

import argparse
import functools
import json
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = [
    "RECORD",
    "SETUP",
    "conditional_examples",
    "fluency_ngram",
    "generate_reviews",
    "judge",
    "judge_model",
    "main",
    "run_case",
    "style_model",
]

RECORD = Path(__file__).with_name("records") / "cases.json"
GEN_PROMPT = "{label}评论:"
CASES = ("sentiment", "ner", "generation")

SETUP: dict[str, Any] = {
    "train_examples": 1000,
    "steps": 200,
    "batch_size": 16,
    "warmup_steps": 20,
    # the rates lmbook.zoo.evaluate chose on validation for these models (meta.json)
    "lr": {"full": 1e-3, "lora": 3e-3},
    "lora": {"r": 8, "lora_alpha": 16},
    "seed": 0,
    "generation": {
        "per_label": 40,
        "max_new_tokens": 40,
        "top_k": 20,
        "temperature": 0.9,
        # sampling seed for (负面, 正面) of each model: no two sample sets share random numbers
        "seeds": {"untuned": [0, 1], "lora": [2, 3], "full": [4, 5]},
    },
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


def generate_reviews(model: Any, tokenizer: Any, label: int, seed: int) -> list[str]:
    """Sample ``per_label`` reviews after the prompt for ``label`` (0 负面, 1 正面) with
    ``seed``."""
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
    """The independent sentiment judge: :func:`lmbook.adapters.compare.tfidf_pipeline` fitted on
    the whole review training split."""
    from lmbook.adapters.compare import tfidf_pipeline
    from lmbook.data import load_reviews

    train = load_reviews()["train"]
    return tfidf_pipeline().fit(train["text"], train["label"])


def style_model() -> Any:
    """Review or news? TF-IDF + logistic regression on 3,000 training reviews vs 3,000 People's
    Daily training sentences (1 = review)."""
    from lmbook.adapters.compare import tfidf_pipeline
    from lmbook.data import load_peoples_daily, load_reviews

    reviews = list(load_reviews()["train"]["text"][:3000])
    news = ["".join(c) for c in load_peoples_daily()["train"]["chars"][:3000]]
    return tfidf_pipeline().fit(reviews + news, [1] * len(reviews) + [0] * len(news))


@functools.cache
def fluency_ngram() -> Any:
    """A fixed scorer of fluency that generated none of the samples: Kneser-Ney (orders 2-5,
    discount chosen on the two validation splits) on the review training split plus the People's
    Daily LM training text, so that neither style is out of its domain."""
    from lmbook.data import load_lm_text, load_reviews
    from lmbook.text import best_kneser_ney

    reviews, news = load_reviews(), load_lm_text()
    train = list(reviews["train"]["text"]) + list(news["train"]["text"])
    val = list(reviews["validation"]["text"]) + list(news["validation"]["text"])
    return best_kneser_ney(train, val)


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
    from peft import get_peft_model

    from lmbook.adapters.memory import measure_training_step
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
            row.update(_generation_scores(model, tok, method))
    if measure:
        with tempfile.TemporaryDirectory() as tmp:
            row["checkpoint_bytes"] = adapter_bytes(model, method, tmp)
        batch = pad_collate(tok)(rows[: SETUP["batch_size"]])
        row["peak_bytes"] = measure_training_step(model, batch).peak
    return row, model, tok, history


def _generation_scores(
    model: Any, tok: Any, who: str, clf: Any = None, ngram: Any = None
) -> dict[str, Any]:
    """Samples of ``who`` ("untuned", "lora", "full") and their scores."""
    from lmbook.zoo import load
    from lmbook.zoo.quality import bits_per_character

    clf = clf or judge_model()
    ngram = ngram or fluency_ngram()
    base, _ = load("gpt-zh-tiny")
    hits, texts = 0, []
    for label in (0, 1):
        samples = generate_reviews(model, tok, label, SETUP["generation"]["seeds"][who][label])
        hits += sum(int(y == label) for y in judge(samples, clf))
        texts += samples
    style = style_model()
    return {
        "metric": "judge agrees with the requested polarity",
        "value": hits / len(texts),
        "review_style": float(style.predict([t or "。" for t in texts]).mean()),
        "bits_per_char_under_base": round(bits_per_character(base, tok, texts), 4),
        "bits_per_char_under_ngram": round(ngram.cross_entropy([t or "。" for t in texts]), 4),
        "samples": texts,  # the first half asked for 负面, the second for 正面
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="chapter 5 application cases")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument(
        "--cases",
        nargs="*",
        default=list(CASES),
        help="re-run only these; keep the other rows of the existing record",
    )
    args = parser.parse_args(argv)

    import lmbook
    from lmbook.data import load_lm_text, load_reviews
    from lmbook.runtime import environment
    from lmbook.zoo import load
    from lmbook.zoo.quality import bits_per_character

    lmbook.setup(verbose=False)
    began = time.time()
    old: dict[str, Any] = {}
    if set(args.cases) != set(CASES):
        old = json.loads(RECORD.read_text(encoding="utf-8"))
        same = {k: v for k, v in json.loads(json.dumps(SETUP)).items() if k != "generation"}
        if {k: v for k, v in old["setup"].items() if k != "generation"} != same:
            raise SystemExit("the record's setup differs: re-run every case")
    clf, ngram = judge_model(), fluency_ngram()
    test = load_reviews()["test"]
    news = list(load_lm_text()["test"]["text"][:200])
    base, tok = load("gpt-zh-tiny")
    record: dict[str, Any] = {
        "setup": SETUP,
        "judge_test_accuracy": float((clf.predict(test["text"]) == test["label"]).mean()),
        "real_reviews_bits_per_char": round(
            bits_per_character(base, tok, list(test["text"][:200])), 4
        ),
        "ngram": {"order": ngram.order, "discount": ngram.discount},
        "real_reviews_bits_per_char_ngram": round(ngram.cross_entropy(test["text"][:200]), 4),
        "real_news_bits_per_char_ngram": round(ngram.cross_entropy(news), 4),
        "untuned": (
            _generation_scores(base, tok, "untuned", clf, ngram)
            if "generation" in args.cases
            else old["untuned"]
        ),
        "rows": [],
        "cases_run_now": args.cases,
        **environment(),
    }
    print("untuned:", record["untuned"]["value"], flush=True)
    for case in CASES:
        for method in ("lora", "full"):
            if case in args.cases:
                row, *_ = run_case(case, method)
            else:
                row = next(r for r in old["rows"] if (r["case"], r["method"]) == (case, method))
            record["rows"].append(row)
            print(case, method, row["value"], row["train_seconds"], flush=True)
    record["wall_seconds"] = round(time.time() - began, 1)  # this run only
    if not args.no_write:
        RECORD.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"wrote {RECORD}")
    return record


if __name__ == "__main__":
    main()
