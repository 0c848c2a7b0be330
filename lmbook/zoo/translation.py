"""The shipped Chinese->English translation model ``mt-zh-en-tiny`` (section 6.4).

``python -m lmbook.zoo.pretrain --model mt`` calls :func:`pretrain_mt`: it trains a joint BPE
vocabulary with ``tokenizers`` on the training split of :func:`lmbook.data.load_mt` only, builds a
small ``MarianMTModel`` from a ``MarianConfig`` (encoder-decoder, shared embeddings), trains it
with :func:`lmbook.train.train` (length-bucketed batches, checkpoints in ``build/zoo/<name>``,
``--stop-after-minutes`` / ``--resume``), then measures greedy and beam-search BLEU/chrF
(``sacrebleu``) on the shipped test split against two baselines on the same split (copy the
source; return the English of the nearest training sentence by TF-IDF character n-grams) and
saves model, tokenizer, ``meta.json`` and the card to ``lmbook/assets/models/mt-zh-en-tiny``
(fp16 weights).

Why one joint vocabulary: the Chinese help text is full of English names (``OLE``, ``DDE``,
``Sub``), and with one vocabulary and tied embeddings a source token and the same target token are
the same vector, so copying them is easy to learn; BPE keeps frequent Chinese words whole.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "DECODING_GRID",
    "GRID_SUBSET",
    "MT_DEFAULTS",
    "MT_EVAL_SUBSET",
    "PROBE_PAIRS",
    "PROBE_STEPS",
    "build_mt_tokenizer",
    "copy_baseline",
    "export_mt",
    "length_buckets",
    "mt_config",
    "mt_examples",
    "mt_quality",
    "nearest_neighbour_baseline",
    "pad_seq2seq",
    "pretrain_mt",
    "remeasure_mt",
    "render_mt_card",
    "translate",
    "write_mt_meta",
]

# Chosen to train on one CPU thread within the time of one working session (1,800 steps took
# 15 min on the shared 2-core machine, 0.34-1 s/step depending on its load) and to stay under
# 8 MB in fp16 (2.06M parameters, 4.1 MB). Validation BLEU was still rising at the end (17.2 at
# step 1,250, 19.5 at 1,800; see meta.json "curve"): more steps would help.
MT_DEFAULTS: dict[str, Any] = {
    "name": "mt-zh-en-tiny",
    "vocab_size": 5000,
    "d_model": 128,
    "ffn": 512,
    "encoder_layers": 3,
    "decoder_layers": 3,
    "heads": 4,
    "lr": 2e-3,
    "batch_tokens": 1200,
    "steps": 1800,
    "warmup": 300,
    "dropout": 0.1,
    "max_len": 96,
}
# validation pairs translated (greedy) during training at these steps: the recorded curve
PROBE_STEPS = (250, 500, 750, 1000, 1250, 1500, 1800)
PROBE_PAIRS = 100
MT_EVAL_SUBSET = 100  # test pairs the unit tests re-translate (first N of the test split)
_SPECIALS = ["<pad>", "</s>", "<unk>"]


def build_mt_tokenizer(texts: Sequence[str], vocab_size: int) -> Any:
    """A joint BPE tokenizer (a ``PreTrainedTokenizerFast``) trained on ``texts``; adds ``</s>``."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Metaspace(), pre_tokenizers.Digits(individual_digits=True)]
    )
    tok.decoder = decoders.Metaspace()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=_SPECIALS, min_frequency=2)
    tok.train_from_iterator(texts, trainer=trainer)
    eos = tok.token_to_id("</s>")
    tok.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", eos)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>"
    )


def mt_config(tokenizer: Any, args: dict[str, Any]) -> Any:
    """The ``MarianConfig`` of the model: shared embeddings, sinusoidal positions, pre-norm off."""
    from transformers import MarianConfig

    return MarianConfig(
        vocab_size=len(tokenizer),
        decoder_vocab_size=len(tokenizer),
        d_model=args["d_model"],
        encoder_layers=args["encoder_layers"],
        decoder_layers=args["decoder_layers"],
        encoder_attention_heads=args["heads"],
        decoder_attention_heads=args["heads"],
        encoder_ffn_dim=args["ffn"],
        decoder_ffn_dim=args["ffn"],
        max_position_embeddings=128,
        dropout=args["dropout"],
        attention_dropout=0.0,
        activation_dropout=0.0,
        activation_function="gelu",
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.pad_token_id,
        forced_eos_token_id=tokenizer.eos_token_id,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
        scale_embedding=True,
        max_length=args["max_len"],
        num_beams=1,
    )


def mt_examples(tokenizer: Any, zh: Sequence[str], en: Sequence[str], max_len: int) -> list[dict]:
    """Rows ``{"input_ids", "labels"}`` (token id lists, truncated to ``max_len``)."""
    src = tokenizer(list(zh), truncation=True, max_length=max_len)["input_ids"]
    tgt = tokenizer(list(en), truncation=True, max_length=max_len)["input_ids"]
    return [{"input_ids": s, "labels": t} for s, t in zip(src, tgt, strict=True)]


def pad_seq2seq(rows: Sequence[dict], pad_id: int) -> dict[str, Any]:
    """Pad rows into tensors: ``input_ids`` with ``pad_id`` (plus ``attention_mask``), ``labels``
    with -100 (ignored by the loss)."""
    import torch

    n_src = max(len(r["input_ids"]) for r in rows)
    n_tgt = max(len(r["labels"]) for r in rows)
    ids = torch.full((len(rows), n_src), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), n_src), dtype=torch.long)
    labels = torch.full((len(rows), n_tgt), -100, dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : len(r["input_ids"])] = torch.tensor(r["input_ids"])
        mask[i, : len(r["input_ids"])] = 1
        labels[i, : len(r["labels"])] = torch.tensor(r["labels"])
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


def length_buckets(rows: Sequence[dict], max_tokens: int, seed: int) -> list[list[dict]]:
    """Group rows of similar length into batches of at most ``max_tokens`` padded tokens.

    Rows are sorted by (source + target) length with a seeded random tie-break, so a batch
    wastes little on padding; the trainer shuffles the batches.
    """
    rng = random.Random(seed)
    order = sorted(
        range(len(rows)),
        key=lambda i: (len(rows[i]["input_ids"]) + len(rows[i]["labels"]), rng.random()),
    )
    batches: list[list[dict]] = []
    current: list[dict] = []
    longest = 0
    for i in order:
        row = rows[i]
        longest_new = max(longest, len(row["input_ids"]), len(row["labels"]))
        if current and longest_new * (len(current) + 1) > max_tokens:
            batches.append(current)
            current, longest_new = [], max(len(row["input_ids"]), len(row["labels"]))
        current.append(row)
        longest = longest_new
    if current:
        batches.append(current)
    return batches


def translate(
    model: Any,
    tokenizer: Any,
    texts: Sequence[str],
    *,
    num_beams: int = 1,
    length_penalty: float = 1.0,
    batch_size: int = 32,
    max_new_tokens: int = 96,
    **generate_kwargs: Any,
) -> list[str]:
    """Translate ``texts`` with ``model.generate`` (greedy when ``num_beams=1``), in order.

    Batches go by source length (less padding); outputs come back in the input order.
    """
    import torch

    model.eval()
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out: list[str] = [""] * len(texts)
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        enc = tokenizer([texts[i] for i in idx], return_tensors="pt", padding=True)
        with torch.no_grad():
            gen = model.generate(
                **enc,
                num_beams=num_beams,
                length_penalty=length_penalty,
                max_new_tokens=max_new_tokens,
                do_sample=False,
                early_stopping=num_beams > 1,
                **generate_kwargs,
            )
        for i, text in zip(idx, tokenizer.batch_decode(gen, skip_special_tokens=True), strict=True):
            out[i] = text.strip()
    return out


def copy_baseline(sources: Sequence[str]) -> list[str]:
    """The copy-source baseline: the "translation" is the Chinese source itself."""
    return list(sources)


def nearest_neighbour_baseline(
    train_zh: Sequence[str], train_en: Sequence[str], sources: Sequence[str]
) -> list[str]:
    """Translation memory: the English of the training sentence most similar to each source.

    Similarity is the cosine of TF-IDF vectors of character 1-3-grams (``sklearn``).
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    memory = vec.fit_transform(train_zh)
    queries = vec.transform(sources)
    out: list[str] = []
    for start in range(0, queries.shape[0], 256):
        sims = queries[start : start + 256] @ memory.T
        best = sims.argmax(axis=1).A1
        out.extend(train_en[j] for j in best)
    return out


DECODING_GRID: tuple[tuple[int, float], ...] = ((1, 1.0), (4, 0.0), (4, 1.0), (4, 2.0))
GRID_SUBSET = 200  # test pairs of the recorded decoding comparison (first N of the test split)


def _decode_row(
    model: Any, tokenizer: Any, src: list[str], refs: list[str], beams: int, penalty: float
) -> dict[str, Any]:
    from lmbook.metrics import corpus_scores, repeated_ngram_share

    started = time.monotonic()
    hyps = translate(model, tokenizer, src, num_beams=beams, length_penalty=penalty)
    seconds = time.monotonic() - started
    sub = slice(0, MT_EVAL_SUBSET)
    return {
        "num_beams": beams,
        "length_penalty": penalty,
        **corpus_scores(hyps, refs),
        "repeated_3gram": round(repeated_ngram_share(hyps, 3), 4),
        "seconds": round(seconds, 1),
        "subset": corpus_scores(hyps[sub], refs[sub]),
    }


def mt_quality(model: Any, tokenizer: Any) -> dict[str, Any]:
    """Test BLEU/chrF of greedy and 4-beam search and of both baselines on the whole test split,
    and the decoding grid (beams x length penalty) on its first ``GRID_SUBSET`` pairs."""
    from lmbook.data import load_mt
    from lmbook.metrics import corpus_scores, repeated_ngram_share

    data = load_mt()
    refs, src = list(data["test"]["en"]), list(data["test"]["zh"])
    nn = nearest_neighbour_baseline(list(data["train"]["zh"]), list(data["train"]["en"]), src)
    sub = slice(0, MT_EVAL_SUBSET)
    grid = slice(0, GRID_SUBSET)
    return {
        "test_pairs": len(refs),
        "subset_pairs": MT_EVAL_SUBSET,
        "greedy": _decode_row(model, tokenizer, src, refs, 1, 1.0),
        "beam4": _decode_row(model, tokenizer, src, refs, 4, 1.0),
        "nearest_neighbour": {
            **corpus_scores(nn, refs),
            "subset": corpus_scores(nn[sub], refs[sub]),
        },
        "copy_source": corpus_scores(copy_baseline(src), refs),
        "references_repeated_3gram": round(repeated_ngram_share(refs, 3), 4),
        "grid_pairs": GRID_SUBSET,
        "grid": [
            _decode_row(model, tokenizer, src[grid], refs[grid], b, lp) for b, lp in DECODING_GRID
        ],
    }


def pretrain_mt(args: Any) -> Path | None:
    """Train (or resume) the translation model as ``args`` says; return its folder when done."""
    import torch

    import lmbook
    from lmbook.data import load_mt
    from lmbook.metrics import corpus_scores, repeated_ngram_share
    from lmbook.tokenization import texts_digest
    from lmbook.train import TrainConfig, train
    from lmbook.zoo.registry import MODELS_DIR
    from lmbook.zoo.runs import finished, progress, run_record

    device = lmbook.setup(seed=args.seed, threads=args.threads)
    if args.remeasure:
        return remeasure_mt(Path(args.out) if args.out else MODELS_DIR / args.name)
    settings = {k: getattr(args, k) for k in MT_DEFAULTS}
    work = Path(args.work_dir) / args.name
    work.mkdir(parents=True, exist_ok=True)
    data = load_mt()
    train_zh, train_en = list(data["train"]["zh"]), list(data["train"]["en"])
    tok_dir = work / "tokenizer"
    if args.resume and (tok_dir / "tokenizer.json").is_file():
        from transformers import PreTrainedTokenizerFast

        tokenizer = PreTrainedTokenizerFast.from_pretrained(tok_dir)
    else:
        tokenizer = build_mt_tokenizer(train_zh + train_en, args.vocab_size)
        tokenizer.save_pretrained(tok_dir)
    from transformers import MarianMTModel

    torch.manual_seed(args.seed)
    model = MarianMTModel(mt_config(tokenizer, settings))
    rows = mt_examples(tokenizer, train_zh, train_en, args.max_len)
    val_rows = mt_examples(tokenizer, data["validation"]["zh"], data["validation"]["en"], 96)
    batches = length_buckets(rows, args.batch_tokens, args.seed)
    val_batches = length_buckets(val_rows, args.batch_tokens, args.seed)
    pad = tokenizer.pad_token_id

    def collate(items: list[list[dict]]) -> dict[str, Any]:
        return pad_seq2seq([r for batch in items for r in batch], pad)

    config = TrainConfig(
        lr=args.lr,
        batch_size=1,  # one length bucket per step
        max_steps=args.steps,
        warmup_steps=args.warmup,
        min_lr_ratio=0.05,
        weight_decay=0.01,
        betas=(0.9, 0.98),
        seed=args.seed,
        eval_every=250,
        eval_batches=None,
        out_dir=str(work),
        checkpoint_every=250,
        record_grads=False,
        progress=False,
    )
    curve_path = work / "bleu_curve.json"
    curve: list[dict[str, float]] = (
        json.loads(curve_path.read_text()) if args.resume and curve_path.is_file() else []
    )
    probe_src = list(data["validation"]["zh"])[:PROBE_PAIRS]
    probe_ref = list(data["validation"]["en"])[:PROBE_PAIRS]
    progress_line = progress(args.stop_after_minutes)

    def report(info: Any) -> None:
        progress_line(info)
        if info.step in PROBE_STEPS and all(c["step"] != info.step for c in curve):
            hyps = translate(info.model, tokenizer, probe_src)
            info.model.train()
            curve.append(
                {
                    "step": info.step,
                    **corpus_scores(hyps, probe_ref),
                    "repeated_3gram": round(repeated_ngram_share(hyps, 3), 4),
                    "hypotheses": hyps,
                }
            )
            curve_path.write_text(json.dumps(curve))
            print(f"  validation[:100] greedy {curve[-1]}", flush=True)

    history = train(
        model,
        config,
        batches,
        val_batches,
        collate_fn=collate,
        callbacks=[report],
        resume=args.resume,
    )
    if not finished(history, args.steps):
        return None
    torch.set_num_threads(args.threads)
    record = {
        "name": args.name,
        "args": {"seed": args.seed, "threads": args.threads, **settings},
        "model_config": model.config.to_diff_dict(),
        "train_config": config.to_dict(),
        "tokenizer": "joint BPE (tokenizers), Metaspace + single digits, trained on train zh+en",
        "data": {
            "texts": "lmbook.data.load_mt() train split (LibreOffice zh-en, MPL-2.0)",
            "sha256": texts_digest(z + "\t" + e for z, e in zip(train_zh, train_en, strict=True)),
            "pairs": len(rows),
            "batches_per_epoch": len(batches),
        },
        "epochs": round(history.step[-1] / len(batches), 2),
        **run_record(history, device),
        "curve": {
            "val_step": list(history.val_step),
            "val_loss": [round(v, 4) for v in history.val_loss],
            "probe": f"greedy on the first {PROBE_PAIRS} validation pairs",
            "validation_bleu": curve,
        },
    }
    out = Path(args.out) if args.out else MODELS_DIR / args.name
    return export_mt(model, tokenizer, record, out)


def export_mt(model: Any, tokenizer: Any, record: dict[str, Any], out: Path) -> Path:
    """Save model (fp16) and tokenizer to ``out``, measure test quality, write meta and card.

    Quality is measured after the round trip to fp16 and back, i.e. on the weights that ship.
    """
    import torch
    import transformers

    out.mkdir(parents=True, exist_ok=True)
    model.eval()
    record["parameters"] = sum(p.numel() for p in model.parameters())
    model.half().save_pretrained(out)
    tokenizer.save_pretrained(out)
    model.float()
    record["weights_bytes"] = (out / "model.safetensors").stat().st_size
    record["weights_dtype"] = "float16"
    record["versions"] = {"torch": torch.__version__, "transformers": transformers.__version__}
    record["quality"] = mt_quality(model, tokenizer)
    write_mt_meta(out, record)
    print(f"saved {record['name']} to {out}")
    return out


def remeasure_mt(out: Path) -> Path:
    """Re-measure a saved translation model (test BLEU/chrF, baselines, decoding grid) and
    rewrite its ``meta.json`` and card; the weights are untouched."""
    from lmbook.zoo.loader import load

    record = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    model, tokenizer = load(str(out), dtype="float32")  # fp16 weights, measured in fp32
    record["quality"] = mt_quality(model, tokenizer)
    write_mt_meta(out, record)
    print(f"re-measured {record['name']} in {out}")
    return out


def write_mt_meta(out: Path, record: dict[str, Any]) -> None:
    """Write ``meta.json`` and the card ``README.md`` of the translation model."""
    (out / "meta.json").write_text(
        json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    (out / "README.md").write_text(render_mt_card(record), encoding="utf-8")


def _row(label: str, q: dict[str, Any]) -> str:
    return f"| {label} | {q['bleu']:.2f} | {q['chrf']:.2f} | {q['ratio']:.3f} |"


def _verdict(q: dict[str, Any]) -> str:
    """One line comparing the beam-search model with the translation-memory baseline."""
    model, memory = q["beam4"], q["nearest_neighbour"]
    bleu = "model 模型" if model["bleu"] > memory["bleu"] else "baseline 基线"
    chrf = "model 模型" if model["chrf"] > memory["chrf"] else "baseline 基线"
    return (
        f"Higher BLEU 较高的 BLEU: {bleu}; higher chrF 较高的 chrF: {chrf}. The nearest-neighbour "
        f"baseline returns human translations of similar but shorter sentences (length ratio "
        f"{memory['ratio']:.2f}, brevity penalty {memory['bp']:.2f}): high n-gram precision, "
        "low recall, which BLEU penalises only through the brevity penalty and chrF (beta = 2, "
        "recall-weighted) penalises more. 最相似训练句返回较短的人工译文：精确率高、召回率低。"
    )


def _still_improving(meta: dict[str, Any]) -> str:
    """One line on whether validation loss was still falling when training ended."""
    loss, steps = meta["curve"]["val_loss"], meta["curve"]["val_step"]
    falling = len(loss) > 1 and loss[-1] < loss[-2]
    state = "still falling 仍在下降" if falling else "no longer falling 不再下降"
    return (
        f"- training ended at the planned {meta['steps']} steps 按计划步数结束; validation loss "
        f"{loss[-2]:.3f} (step {steps[-2]}) → {loss[-1]:.3f} (step {steps[-1]}): {state} — "
        "under-trained, more steps would help 训练不足"
        if falling
        else f"- training ended at the planned {meta['steps']} steps; validation loss {state}"
    )


def render_mt_card(meta: dict[str, Any]) -> str:
    """The translation model's card (Chinese and English) from its ``meta.json``."""
    q, tc, a = meta["quality"], meta["train_config"], meta["args"]
    from lmbook.zoo.card import describe_hardware

    grid = [
        f"| {r['num_beams']} | {r['length_penalty']:g} | {r['bleu']:.2f} | {r['chrf']:.2f} "
        f"| {r['ratio']:.3f} | {r['repeated_3gram']:.3f} | {r['seconds']:.0f} |"
        for r in q["grid"]
    ]
    lines = [
        f"# {meta['name']}",
        "",
        "一个很小的中译英编码器-解码器（Marian 结构）翻译模型，随 `lmbook` 一起发布，"
        "供 6.4 节离线使用。"
        "A tiny Chinese-to-English encoder-decoder (Marian) translation model that ships with "
        "`lmbook` for section 6.4.",
        "",
        "```python",
        "from lmbook.zoo import load, translate",
        f'model, tokenizer = load("{meta["name"]}")  # MarianMTModel',
        'print(translate(model, tokenizer, ["选择要在页面上居中的文字。"]))',
        "```",
        "",
        "## 模型 Model",
        "",
        f"- parameters 参数量: {meta['parameters']:,}; weights 权重文件: "
        f"{meta['weights_bytes'] / 1e6:.2f} MB ({meta['weights_dtype']}, safetensors)",
        f"- d_model {a['d_model']}, FFN {a['ffn']}, {a['encoder_layers']} encoder + "
        f"{a['decoder_layers']} decoder layers, {a['heads']} heads; shared (tied) embeddings",
        f"- tokenizer 分词器: {meta['tokenizer']}; vocabulary 词表 "
        f"{meta['model_config']['vocab_size']}",
        "- attention 注意力实现: eager (`output_attentions=True` returns encoder, decoder and "
        "cross-attention weights 可返回三种注意力权重)",
        "",
        "## 训练 Training",
        "",
        f"- data 数据: {meta['data']['texts']}; {meta['data']['pairs']:,} pairs 句对; SHA-256 "
        f"`{meta['data']['sha256']}`",
        f"- {meta['steps']} steps, length-bucketed batches of at most {a['batch_tokens']} padded "
        f"tokens ({meta['data']['batches_per_epoch']} batches per epoch, {meta['epochs']} epochs); "
        f"AdamW lr {tc['lr']}, betas {tc['betas']}, weight decay {tc['weight_decay']}, warmup "
        f"{tc['warmup_steps']} + cosine to {tc['min_lr_ratio']}×, dropout {a['dropout']}; seed "
        f"{tc['seed']}",
        f"- wall time 用时: {meta['wall_time_s'] / 60:.1f} min on {describe_hardware(meta)} "
        f"(torch {meta['versions']['torch']}, transformers {meta['versions']['transformers']})",
        f"- final train loss 最终训练损失 {meta['final_train_loss']:.3f}; validation loss 验证损失 "
        f"{meta['validation_loss']:.3f} (nats/token)",
        _still_improving(meta),
        "- rebuild 复现: `python -m lmbook.zoo.pretrain --model mt`",
        "",
        f"## 质量 Quality (`load_mt()['test']`, {q['test_pairs']} pairs 句对; "
        "sacrebleu BLEU / chrF)",
        "",
        "| system 系统 | BLEU | chrF | length ratio 长度比 |",
        "|---|---|---|---|",
        _row("greedy 贪心解码", q["greedy"]),
        _row("beam search 束搜索 (4 beams, length_penalty 1)", q["beam4"]),
        _row(
            "baseline: nearest training sentence 基线：最相似训练句 (TF-IDF char 1-3-grams)",
            q["nearest_neighbour"],
        ),
        _row("baseline: copy the source 基线：照抄原文", q["copy_source"]),
        "",
        _verdict(q),
        "",
        f"Decoding 解码方式 (first {q['grid_pairs']} test pairs 前 {q['grid_pairs']} 句; "
        "repeated 3-gram = share of outputs that repeat a word 3-gram 含重复三元组的输出比例, "
        f"references 参考译文 {q['references_repeated_3gram']:.3f}):",
        "",
        "| beams 束宽 | length_penalty | BLEU | chrF | length ratio | repeated 3-gram "
        "| seconds 秒 |",
        "|---|---|---|---|---|---|---|",
        *grid,
        "",
        "## 许可 Licence",
        "",
        "Trained on LibreOffice help and UI translations (© The Document Foundation and "
        "contributors, MPL-2.0; `lmbook/assets/data/mt/LICENSE.txt`). 训练数据来自 LibreOffice "
        "的帮助文档与界面翻译（MPL-2.0）。",
        "",
    ]
    return "\n".join(lines)
