"""Tests of lmbook.zoo: the shipped models load offline with every head, match their recorded
quality (recomputed on a held-out subset), take a LoRA adapter, and hub ids fail clearly offline."""

from __future__ import annotations

import json

import pytest
import torch

from lmbook import zoo
from lmbook.data import load_lm_text
from lmbook.tokenization import TOKENIZER_DIR, texts_digest
from lmbook.zoo import quality, tasks
from lmbook.zoo.__main__ import describe
from lmbook.zoo.card import render_card
from lmbook.zoo.pretrain import pretraining_texts

GPT, BERT, SMALL = "gpt-zh-tiny", "bert-zh-tiny", "gpt-zh-small"


@pytest.fixture(autouse=True)
def _one_thread():
    torch.set_num_threads(1)


@pytest.fixture(scope="module")
def held_out():
    return list(load_lm_text()["test"]["text"])


def test_shipped_folders_are_complete_and_small():
    total = 0
    for name in zoo.shipped_names():
        folder = zoo.model_dir(name)
        for file in (
            "config.json",
            "model.safetensors",
            "tokenizer.json",
            "meta.json",
            "README.md",
        ):
            assert (folder / file).is_file(), f"{name} lacks {file}"
        meta = zoo.model_meta(name)
        assert meta["weights_bytes"] == (folder / "model.safetensors").stat().st_size
        total += meta["weights_bytes"]
        assert meta["steps"] == meta["train_config"]["max_steps"]
        assert name in describe(name)
        if meta["model_config"]["model_type"] == "marian":
            continue  # the translation model: tests/test_zoo_translation.py
        if meta["args"].get("corpus", "mix") == "mix":  # the char tokenizer's own training text
            tok_meta = json.loads((TOKENIZER_DIR / "char" / "meta.json").read_text())
            assert meta["data"]["sha256"] == tok_meta["training_data_sha256"]
        else:  # People's Daily train only
            news = pretraining_texts(meta["args"]["corpus"])
            assert meta["data"]["sha256"] == texts_digest("".join(w) for w in news)
        card = (folder / "README.md").read_text(encoding="utf-8")
        assert card == render_card(meta)
        assert "预训练" in card and "Pretraining" in card and "random init" in card
    assert total < 30e6


def test_card_names_the_hardware_it_was_trained_on():
    meta = zoo.model_meta(GPT)
    meta.pop("device", None)  # recorded since the device line was added; CPU before that
    assert "on one CPU thread" in render_card(meta)
    assert "on 4 CPU threads" in render_card({**meta, "args": {**meta["args"], "threads": 4}})
    assert "on NVIDIA H200 GPU" in render_card({**meta, "device": "NVIDIA H200"})
    cpu = {"processor": "AMD EPYC", "threads": 1, "machine": "x86_64", "cuda": False}
    assert "on one CPU thread 单线程 CPU (AMD EPYC)" in render_card({**meta, "hardware": cpu})


@pytest.mark.parametrize(
    ("name", "task", "head"),
    [
        (GPT, None, "GPT2LMHeadModel"),
        (SMALL, None, "GPT2LMHeadModel"),
        (GPT, "sequence-classification", "GPT2ForSequenceClassification"),
        (BERT, None, "BertForMaskedLM"),
        (BERT, "sequence-classification", "BertForSequenceClassification"),
        (BERT, "token-classification", "BertForTokenClassification"),
    ],
)
def test_load_every_head_with_attention_weights(name, task, head):
    labels = {"id2label": {0: "负面", 1: "正面"}} if task else {}
    model, tok = zoo.load(name, task, **labels)
    assert type(model).__name__ == head
    assert {p.dtype for p in model.parameters()} == {torch.float32}  # gpt-zh-small ships fp16
    enc = tok("人民日报", return_tensors="pt")
    out = model(**enc, output_attentions=True)
    n_layers = model.config.num_hidden_layers
    assert (
        len(out.attentions) == n_layers and out.attentions[0].shape[-1] == enc["input_ids"].shape[1]
    )
    assert torch.allclose(out.attentions[0].sum(-1), torch.ones(()))
    if task:
        assert model.config.id2label == {0: "负面", 1: "正面"}
        assert out.logits.shape[-1] == 2


def test_gpt_names_its_loss_so_transformers_does_not_warn():
    from transformers.loss.loss_utils import LOSS_MAPPING

    model, _ = zoo.load(GPT)
    assert model.loss_type in LOSS_MAPPING  # else: a warning, then this same fallback
    assert model.loss_function is LOSS_MAPPING["ForCausalLM"]


def test_bad_arguments_fail_clearly():
    with pytest.raises(ValueError, match="task="):
        zoo.load(GPT, "translation")
    with pytest.raises(ValueError, match="num_labels=3 disagrees"):
        zoo.load(BERT, "sequence-classification", num_labels=3, id2label={0: "a", 1: "b"})


@pytest.mark.parametrize("how", ["unreachable", "hf_hub_offline"])
def test_hub_id_offline_fails_with_one_sentence(how, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens on port 9
    if how == "hf_hub_offline":  # huggingface_hub reads the variable once, when imported
        monkeypatch.setenv("HF_HUB_OFFLINE", "1")
        monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", True)
    else:
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", False)
    with pytest.raises(zoo.HubUnreachableError) as err:
        zoo.load("someone/some-chinese-model")
    message = str(err.value)
    assert "HF_ENDPOINT" in message and GPT in message and "\n" not in message
    why = "HF_HUB_OFFLINE is set" if how == "hf_hub_offline" else "cannot be reached"
    assert why in message
    assert err.value.__cause__ is None and err.value.__suppress_context__ is False


@pytest.mark.parametrize("name", [GPT, SMALL])
def test_gpt_and_the_best_ngram_as_recorded(held_out, name):
    """Recompute a GPT and its strongest n-gram baseline (the recorded order and discount,
    refitted) on the card's subset; the full test split's margin is the one the card states."""
    from lmbook.text import NGramLM

    model, tok = zoo.load(name)
    meta = zoo.model_meta(name)
    q = meta["quality"]
    subset = held_out[: q["subset_sentences"]]
    ng = q["ngram"]
    if ng["trained_on"] == "People's Daily train":
        train_texts = list(load_lm_text()["train"]["text"])
    else:
        train_texts = ["".join(w) for w in pretraining_texts(meta["args"]["corpus"])]
    lm = NGramLM(order=ng["order"], discount=ng["discount"]).fit(train_texts)
    bpc = quality.bits_per_character(model, tok, subset)
    ngram_bpc = lm.cross_entropy(subset)
    assert bpc == pytest.approx(q["subset_bpc"], abs=0.01)
    assert ngram_bpc == pytest.approx(q["subset_ngram_bpc"], abs=1e-3)
    margin = q["subset_ngram_bpc"] - q["subset_bpc"]
    assert ngram_bpc - bpc == pytest.approx(margin, abs=0.01)  # the card's margin reproduces
    # the card's full-split margin has the same sign as on the subset (it is not cherry-picked)
    assert (q["test_ngram_bpc"] - q["test_bpc"] > 0) == (margin > 0)
    if name == SMALL:  # the quality model: at least 0.2 bits/char better than Kneser-Ney
        assert q["test_ngram_bpc"] - q["test_bpc"] >= 0.2
        assert ngram_bpc - bpc >= 0.2


def test_bert_beats_the_unigram_as_recorded(held_out):
    model, tok = zoo.load(BERT)
    q = zoo.model_meta(BERT)["quality"]
    acc = quality.mask_accuracy(model, tok, held_out[: q["subset_sentences"]])
    assert acc == pytest.approx(q["subset_mask_top1"], abs=0.005)
    assert acc > q["subset_unigram_top1"] + 0.05
    assert q["test_mask_top1"] > 2 * q["test_unigram_top1"]  # the margin the card states


def _loss(model, batch):
    with torch.no_grad():
        return model(**batch).loss.item()


@pytest.mark.parametrize(
    ("name", "task", "examples", "labels"),
    [
        (GPT, "causal-lm", tasks.label_word_examples, {}),
        (BERT, "sequence-classification", tasks.sentiment_examples, {"num_labels": 2}),
        (BERT, "token-classification", tasks.ner_examples, {"num_labels": 7}),
    ],
)
def test_lora_attaches_and_learns(name, task, examples, labels):
    from peft import get_peft_model

    from lmbook.train import TrainConfig, train

    torch.manual_seed(0)
    model, tok = zoo.load(name, task, **labels)
    frozen = {k: v.clone() for k, v in model.state_dict().items()}
    peft_model = get_peft_model(model, zoo.lora_config(model, task, r=4, lora_alpha=8))
    trainable = sum(p.numel() for p in peft_model.parameters() if p.requires_grad)
    assert 0 < trainable < 0.1 * sum(p.numel() for p in peft_model.parameters())
    rows = examples(tok, "train", 32)
    batch = tasks.pad_collate(tok)(rows)
    before = _loss(peft_model, batch)
    config = TrainConfig(lr=1e-2, batch_size=32, max_steps=12, progress=False, verbose=False)
    train(peft_model, config, rows, collate_fn=tasks.pad_collate(tok))
    assert _loss(peft_model, batch) < 0.95 * before
    merged = peft_model.merge_and_unload().state_dict()
    changed = {k for k, v in frozen.items() if not torch.equal(v, merged[k])}
    targets = zoo.adapters.LORA_TARGETS[model.config.model_type]
    adapted = {k for k in changed if k.endswith(".weight") and k.split(".")[-2] in targets}
    heads = {k for k in changed if k.split(".")[0] in ("classifier", "score")}
    assert adapted and changed == adapted | heads  # only LoRA'd weights and the new head moved


def test_lora_config_covers_every_projection_and_rejects_unknown_models():
    from peft import get_peft_model

    gpt, _ = zoo.load(GPT)
    n_layers = gpt.config.n_layer
    lora = get_peft_model(gpt, zoo.lora_config(gpt, "causal-lm"))
    adapted = {n.rsplit(".", 1)[0] for n, _ in lora.named_modules() if n.endswith("lora_A")}
    assert len(adapted) == 4 * n_layers  # c_attn, attn.c_proj, c_fc, mlp.c_proj per block
    with pytest.raises(ValueError, match="task="):
        zoo.lora_config(gpt, "translation")
    gpt.config.model_type = "llama"
    with pytest.raises(ValueError, match="target_modules"):
        zoo.lora_config(gpt, "causal-lm")


@pytest.mark.parametrize("name", [GPT, BERT])
def test_cards_record_that_pretraining_pays_off(name):
    from lmbook.zoo import evaluate

    results = zoo.model_meta(name)["downstream"]["results"]
    expected = [t for t, task in evaluate.tasks().items() if task.model == name]
    assert [(r["task"], r["method"]) for r in results] == [
        (t, m) for t in expected for m in ("lora", "full")
    ]
    margin = {}
    for row in results:
        assert row["pretrained"] > row["random"] + 0.02, row  # test split
        assert row["pretrained_validation"] >= row["random_validation"], row
        assert {row["pretrained_lr"], row["random_lr"]} <= set(evaluate.SETUP["lr"][row["method"]])
        margin[row["task"], row["method"]] = row["pretrained"] - row["random"]
    for task in expected:
        assert margin[task, "lora"] > max(0.05, margin[task, "full"])  # as the tour says


@pytest.mark.slow
def test_a_recorded_downstream_row_reproduces():
    """Re-run BERT sentiment with full fine-tuning, pretrained and random twin, at the recorded
    learning rates: the same test accuracy as the card states."""
    from lmbook.zoo import evaluate

    task = evaluate.tasks()["sentiment"]
    results = zoo.model_meta(BERT)["downstream"]["results"]
    row = next(r for r in results if r["task"] == "sentiment" and r["method"] == "full")
    for init in ("pretrained", "random"):
        model, tok, _ = evaluate.trial(task, "full", init == "pretrained", row[f"{init}_lr"])
        assert task.score(model, tok, "test") == pytest.approx(row[init], abs=0.01), init


def test_study_summary_is_a_paired_comparison_over_seeds():
    """Mean paired difference, its t interval and p match scipy; a zero difference has p = 1."""
    from scipy import stats

    from lmbook.zoo.evaluate import summarise_study

    pre, rand = [0.70, 0.74, 0.69], [0.66, 0.69, 0.66]
    runs = [
        {"examples": 100, "seed": s, "init": init, "validation": v, "test": 0.6}
        for init, values in (("pretrained", pre), ("random", rand))
        for s, v in enumerate(values)
    ]
    val, test = summarise_study(runs)
    assert (val["split"], test["split"]) == ("validation", "test")
    assert val["margin"] == pytest.approx(0.04) and val["wins"] == 3 and val["seeds"] == 3
    assert val["p"] == pytest.approx(stats.ttest_rel(pre, rand).pvalue, abs=1e-4)
    ci = stats.ttest_rel(pre, rand).confidence_interval(0.95)
    assert val["ci95"] == pytest.approx([ci.low, ci.high], abs=1e-4)
    assert (test["margin"], test["p"], test["wins"]) == (0.0, 1.0, 0)


def test_recorded_study_agrees_with_the_card_table():
    """The study's seed-0 runs on the comparison's training-set size are the table's runs: the
    same scores (same code path, same seed), and the summary is recomputed from its runs."""
    from lmbook.zoo import evaluate

    down = zoo.model_meta(BERT)["downstream"]
    study = down["study"]
    row = next(
        r for r in down["results"] if r["task"] == study["task"] and r["method"] == study["method"]
    )
    for init in ("pretrained", "random"):
        run = next(
            r
            for r in study["runs"]
            if (r["examples"], r["seed"], r["init"])
            == (evaluate.SETUP["train_examples"], evaluate.SETUP["seed"], init)
        )
        assert run["test"] == pytest.approx(row[init], abs=1e-4)
        assert run["validation"] == pytest.approx(row[f"{init}_validation"], abs=1e-4)
    assert study["summary"] == evaluate.summarise_study(study["runs"])
    seeds = {r["seed"] for r in study["runs"]}
    assert len(seeds) >= 3 and {r["examples"] for r in study["runs"]} == set(
        evaluate.STUDY["sizes"]
    )
