"""The help-module task of section 6.2 (lmbook.data.helpmodules) and its record
(lmbook.adapters.helpclf)."""

from __future__ import annotations

import numpy as np
import pytest

from lmbook.data import (
    HELP_LABEL_WORDS,
    HELP_MODULES,
    HELP_SHARES,
    help_modules_counts,
    load_help_modules,
    page_of,
)
from lmbook.data.helpmodules import _assign_pages


@pytest.fixture(scope="module")
def data():
    return load_help_modules()


def test_page_of():
    assert page_of("text/scalc/01/func_sum.html#par_id3150752") == "text/scalc/01/func_sum.html"
    assert page_of("text/smath/main0000.html") == "text/smath/main0000.html"


def test_no_page_and_no_text_in_two_splits(data):
    pages = {s: set(data[s]["page"]) for s in data}
    texts = {s: set(data[s]["text"]) for s in data}
    for a, b in [("train", "validation"), ("train", "test"), ("validation", "test")]:
        assert not pages[a] & pages[b], (a, b)
        assert not texts[a] & texts[b], (a, b)
    for s in data:  # a text repeated inside a split is kept once
        assert len(texts[s]) == len(data[s])


def test_labels_are_the_page_module(data):
    for s in data:
        for page, module, label in zip(
            data[s]["page"], data[s]["module"], data[s]["label"], strict=True
        ):
            assert page.split("/")[1] == module == HELP_MODULES[label]
    assert data["train"].features["label"].names == list(HELP_MODULES)
    assert len(HELP_LABEL_WORDS) == len(HELP_MODULES)


def test_every_class_in_every_split_near_its_share(data):
    counts = help_modules_counts()
    assert "shared" not in HELP_MODULES and "sdatabase" not in HELP_MODULES
    for module in HELP_MODULES:
        n = {s: counts["splits"][s]["by_module"][module] for s in data}
        total = sum(n.values())
        for s in data:
            assert n[s] > 0, (module, s)
            assert abs(n[s] / total - HELP_SHARES[s]) < 0.15, (module, s, n)
    for s in data:
        assert counts["splits"][s]["paragraphs"] == len(data[s])
        assert sum(counts["splits"][s]["by_module"].values()) == len(data[s])
        assert counts["splits"][s]["pages"] == len(set(data[s]["page"]))
    kept = counts["kept_modules"] - counts["dropped_ambiguous"]
    assert kept - sum(counts["dropped_repeated"].values()) == sum(len(data[s]) for s in data)


def test_assign_pages_is_order_free_and_cuts_by_paragraphs():
    pages = {f"text/x/p{i}.html": 1 + i % 5 for i in range(200)}
    a = _assign_pages(pages)
    b = _assign_pages(dict(reversed(list(pages.items()))))
    assert a == b
    total = sum(pages.values())
    share = {s: sum(n for p, n in pages.items() if a[p] == s) / total for s in HELP_SHARES}
    for s, want in HELP_SHARES.items():
        assert abs(share[s] - want) < 0.03, share


def test_record_matches_its_predictions(data):
    from lmbook.adapters.helpclf import RECORD, SETUP, load_record
    from lmbook.train.metrics import accuracy, precision_recall_f1

    if not RECORD.exists():
        pytest.skip("no record yet: python -m lmbook.adapters.helpclf")
    record = load_record()
    assert record["setup"] == SETUP
    truth = np.array(data["test"]["label"])
    names = {row["model"] for row in record["table"]}
    assert {"majority", "tfidf", "textcnn", "bert_full", "bert_lora", "zero_shot"} <= names
    for row in record["table"]:
        pred = np.array([int(c) for c in row["test_pred"]])
        assert len(pred) == len(truth)
        assert abs(accuracy(truth, pred) - row["seeds"][0]["accuracy"]) < 1e-4
        f1 = precision_recall_f1(truth, pred, labels=list(range(len(HELP_MODULES))))[2]
        assert abs(f1 - row["seeds"][0]["macro_f1"]) < 1e-4


def test_help_examples_and_prompts():
    from lmbook.adapters.helpclf import help_examples, zero_shot_prompts
    from lmbook.zoo import load

    _, tok = load("bert-zh-tiny")
    rows = help_examples(tok, "validation", max_len=16)
    assert len(rows) == len(load_help_modules()["validation"])
    assert max(len(r["input_ids"]) for r in rows) == 16
    assert rows[0]["input_ids"][0] == tok.cls_token_id
    prompts = zero_shot_prompts(["一" * 100, "公式"])
    assert prompts == ["一" * 60 + "。这段帮助属于:", "公式。这段帮助属于:"]
