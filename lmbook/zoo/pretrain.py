"""Rebuild the shipped models from scratch: ``python -m lmbook.zoo.pretrain --model gpt|bert|mt``.

Trains with :func:`lmbook.train.train` (fixed seed, one CPU thread by default, checkpoints in
``build/zoo/<name>``), then measures held-out quality, saves the model and tokenizer in Hugging
Face format to ``lmbook/assets/models/<name>`` and writes ``meta.json`` and the model card.
``--model mt`` trains the translation model (:mod:`lmbook.zoo.translation`).
A run may be split over several invocations: ``--stop-after-minutes 20`` pauses it at a
checkpoint, ``--resume`` continues it exactly where it stopped.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from lmbook.zoo.registry import MODELS_DIR

__all__ = ["DEFAULTS", "export", "main", "pretrain", "pretraining_texts", "remeasure"]

# Settings of the shipped models, chosen by measurement on the 2-core CPU (one thread each):
# - GPT: 3 layers x 128 at lr 3e-3 reached 6.52 bits/char on the test split after 1,800 steps
#   (19 min) and 6.04 after 5,000 (43 min, shared CPU); the bigram scores 6.87.
# - BERT: 15% whole-word masking at lr 2e-3 for 1,500 steps gave masked-char top-1 0.045 (unigram
#   0.039); 15% character masking at lr 1e-3 was at validation loss 5.82 after 1,500 steps, still
#   on the unigram plateau; 40% character masking at lr 1.5e-3 left it (0.058 after 1,250 steps,
#   0.103 after 2,500). More masked targets per step is what a tiny, CPU-bound BERT needs.
#   The same recipe for 8,000 steps (55 min): validation loss 5.27 -> 4.02, top-1 0.346; its
#   downstream fine-tuning is in the card (2,500 steps had left NER with LoRA at F1 0).
#   Whole-word masking at 40% for 8,000 steps (52 min) was measured against it with
#   lmbook.zoo.evaluate: sentiment test accuracy LoRA 0.751 / full 0.753 (char: 0.722 / 0.751),
#   NER F1 LoRA 0.462 / full 0.458 (char: 0.466 / 0.490), masked-char top-1 0.214. A wash, so
#   the shipped model keeps character masking.
# - gpt-small: what beats the tuned Kneser-Ney 5-gram (5.828 bits/char on the test split). On the
#   news only, in bf16 autocast (0.60 vs 1.09 s per 4x192 step in fp32): 4 x 192, dropout 0.1,
#   lr 2e-3, 9,000 steps planned, was at 6.12 after 3,250 steps (fp32, paused); 6 x 256, dropout
#   0.15, lr 1.5e-3, 8,000 steps (75 min, 2 threads; the first 500 steps on one) reached 5.556,
#   0.272 better than the 5-gram (validation 3.985 vs 4.23 for 4 x 192 at 4,000 steps). The
#   book's LoRA fine-tune (1,000 reviews, 200 steps x 16, one thread) takes 102.5 s on this
#   shape vs 30.6 s on gpt-zh-tiny's, so chapters 5 and 6 fine-tune the tiny one.
DEFAULTS: dict[str, dict[str, Any]] = {
    "gpt": {
        "name": "gpt-zh-tiny",
        "layers": 3,
        "hidden": 128,
        "heads": 4,
        "lr": 3e-3,
        "batch_size": 16,
        "steps": 5000,
        "warmup": 100,
        "dropout": 0.0,
        "corpus": "mix",
        "precision": "auto",
    },
    "gpt-small": {
        "name": "gpt-zh-small",
        "layers": 6,
        "hidden": 256,
        "heads": 4,
        "lr": 1.5e-3,
        "batch_size": 16,
        "steps": 8000,
        "warmup": 300,
        "dropout": 0.15,
        "corpus": "news",
        "precision": "bf16",
    },
    "bert": {
        "name": "bert-zh-tiny",
        "layers": 3,
        "hidden": 128,
        "heads": 4,
        "lr": 1.5e-3,
        "batch_size": 32,
        "steps": 8000,
        "warmup": 150,
        "dropout": 0.0,
        "corpus": "mix",
        "precision": "auto",
    },
}
FAMILY = {"gpt": "gpt", "gpt-small": "gpt", "bert": "bert"}  # --model -> architecture
WEIGHTS_DTYPE = {"gpt-small": "float16"}  # shipped in half precision (size budget); else float32
_RUN_OPTIONS = {
    "resume",
    "stop_after_minutes",
    "work_dir",
    "out",
    "remeasure",
}  # do not change the model
_NOT_RECORDED = {"gpt": _RUN_OPTIONS | {"masking", "mask_rate"}, "bert": _RUN_OPTIONS}
_CORPORA = {
    "mix": "People's Daily train + reviews train (lmbook.tokenization.training_texts())",
    "news": "People's Daily train",
}
_MT_INT_OPTIONS = (
    "vocab_size",
    "d_model",
    "ffn",
    "encoder_layers",
    "decoder_layers",
    "batch_tokens",
    "max_len",
)  # --model mt only (lmbook.zoo.translation.MT_DEFAULTS)
EVAL_SUBSET = 100  # held-out sentences the unit tests rescore (first N of the test split)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m lmbook.zoo.pretrain", description=__doc__)
    p.add_argument("--model", choices=[*sorted(DEFAULTS), "mt"], required=True)
    for key in ("layers", "hidden", "heads", "batch_size", "steps", "warmup", *_MT_INT_OPTIONS):
        p.add_argument("--" + key.replace("_", "-"), type=int, default=None)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--dropout", type=float, default=None, help="residual, embedding, attention")
    p.add_argument(
        "--corpus",
        choices=("mix", "news"),
        default=None,
        help="mix: People's Daily train + reviews train; news: People's Daily train only",
    )
    p.add_argument(
        "--masking",
        choices=("char", "word"),
        default="char",
        help="BERT only: mask single characters, or whole (gold People's Daily) words",
    )
    p.add_argument("--mask-rate", type=float, default=0.4, help="BERT only: share of tokens masked")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument(
        "--precision",
        choices=("auto", "fp32", "bf16"),
        default=None,
        help="auto: fp32 on a CPU, bf16 on a GPU that has it; bf16 on a CPU with AVX512-BF16 "
        "trains about 1.8x faster",
    )
    p.add_argument("--work-dir", default="build/zoo", help="checkpoints go to WORK_DIR/<name>")
    p.add_argument("--out", default=None, help="model folder (default: the shipped one)")
    p.add_argument("--resume", action="store_true", help="continue the run in WORK_DIR/<name>")
    p.add_argument("--stop-after-minutes", type=float, default=None)
    p.add_argument(
        "--remeasure",
        action="store_true",
        help="train nothing: re-measure the model in --out (default: the shipped one) against "
        "today's baselines and rewrite its meta.json and card",
    )
    args = p.parse_args(argv)
    if args.model == "mt":
        from lmbook.zoo.translation import MT_DEFAULTS

        defaults = MT_DEFAULTS
    else:
        defaults = DEFAULTS[args.model]
    for key, value in defaults.items():
        if getattr(args, key, None) is None:
            setattr(args, key, value)
    return args


def pretraining_texts(corpus: str) -> list[list[str]]:
    """The pretraining sentences of ``corpus`` ("mix" or "news") as lists of words."""
    from lmbook.zoo.corpus import pretraining_words

    return pretraining_words("train", reviews=corpus == "mix")


def _data(
    kind: str, tokenizer: Any, masking: str, mask_rate: float, words: list[list[str]]
) -> tuple[Any, Any, Any, str, int]:
    """Training and validation sets, collate function, SHA-256 of the texts, training tokens."""
    from lmbook.data import load_peoples_daily
    from lmbook.tokenization import texts_digest
    from lmbook.zoo.corpus import MaskingCollator, PackedBlocks, pack_stream, pack_words

    digest = texts_digest("".join(w) for w in words)
    val_words = [list(w) for w in load_peoples_daily()["validation"]["words"]]
    if FAMILY[kind] == "gpt":
        rows = pack_stream(tokenizer, ["".join(w) for w in words])
        val = pack_stream(tokenizer, ["".join(w) for w in val_words])
        return PackedBlocks(rows), PackedBlocks(val), None, digest, rows.numel()
    train = pack_words(tokenizer, words)
    val = pack_words(tokenizer, val_words)
    collate = MaskingCollator(tokenizer, rate=mask_rate, whole_word=masking == "word")
    return train, val, collate, digest, sum(len(ids) for ids, _ in train)


def pretrain(argv: list[str] | None = None) -> Path | None:
    """Run (or resume) one pretraining; return the model folder when finished, else None."""
    import torch

    import lmbook
    from lmbook.tokenization import load_tokenizer
    from lmbook.train import TrainConfig, train
    from lmbook.zoo.architectures import bert_config, gpt_config
    from lmbook.zoo.corpus import masked_lm_loss
    from lmbook.zoo.runs import finished, progress, run_record

    args = _parse(argv)
    if args.model == "mt":
        from lmbook.zoo.translation import pretrain_mt

        return pretrain_mt(args)
    device = lmbook.setup(seed=args.seed, threads=args.threads)
    if args.remeasure:
        return remeasure(Path(args.out) if args.out else MODELS_DIR / args.name)
    tokenizer = load_tokenizer("char")
    words = pretraining_texts(args.corpus)
    train_set, val_set, collate, digest, tokens = _data(
        args.model, tokenizer, args.masking, args.mask_rate, words
    )
    family = FAMILY[args.model]
    if family == "gpt":
        from transformers import GPT2LMHeadModel

        model = GPT2LMHeadModel(
            gpt_config(tokenizer, args.layers, args.hidden, args.heads, args.dropout)
        )
    else:
        from transformers import BertForMaskedLM

        model = BertForMaskedLM(
            bert_config(tokenizer, args.layers, args.hidden, args.heads, args.dropout)
        )
    config = TrainConfig(
        lr=args.lr,
        batch_size=args.batch_size,
        max_steps=args.steps,
        warmup_steps=args.warmup,
        min_lr_ratio=0.1,
        weight_decay=0.01,
        betas=(0.9, 0.98),
        seed=args.seed,
        eval_every=250,
        eval_batches=20,
        out_dir=str(Path(args.work_dir) / args.name),
        checkpoint_every=250,
        record_grads=False,
        progress=False,
        precision=args.precision,
    )
    history = train(
        model,
        config,
        train_set,
        val_set,
        collate_fn=collate,
        loss_fn=masked_lm_loss if family == "bert" else None,
        callbacks=[progress(args.stop_after_minutes)],
        resume=args.resume,
    )
    if not finished(history, args.steps):
        return None
    torch.set_num_threads(args.threads)
    record = {
        "name": args.name,
        "args": {k: v for k, v in vars(args).items() if k not in _NOT_RECORDED[family]},
        "model_config": model.config.to_diff_dict(),
        "train_config": config.to_dict(),
        "data": {
            "texts": _CORPORA[args.corpus],
            "sha256": digest,
            "tokens": tokens,
        },
        "tokens_seen": _tokens_seen(args, history),
        **run_record(history, device),
    }
    out = Path(args.out) if args.out else MODELS_DIR / args.name
    texts = ["".join(w) for w in words]
    return export(model, tokenizer, record, out, texts, WEIGHTS_DTYPE.get(args.model, "float32"))


def _tokens_seen(args: argparse.Namespace, history: Any) -> int:
    from lmbook.zoo.architectures import BLOCK

    return history.step[-1] * args.batch_size * BLOCK


def export(
    model: Any,
    tokenizer: Any,
    record: dict[str, Any],
    out: Path,
    texts: list[str],
    dtype: str = "float32",
) -> Path:
    """Save model + tokenizer to ``out`` (weights in ``dtype``), measure held-out quality of the
    saved weights against baselines fitted on the pretraining ``texts``, write meta.json and
    the card."""
    import torch
    import transformers

    from lmbook.zoo.card import write_card
    from lmbook.zoo.quality import measure_quality

    out.mkdir(parents=True, exist_ok=True)
    model.eval()
    model.to(getattr(torch, dtype)).save_pretrained(out)
    model.float()  # measured on the weights that ship (rounded to ``dtype``), in fp32
    tokenizer.save_pretrained(out)
    record["parameters"] = sum(p.numel() for p in model.parameters())
    record["weights_bytes"] = (out / "model.safetensors").stat().st_size
    record["weights_dtype"] = dtype
    record["quality"] = measure_quality(model, tokenizer, EVAL_SUBSET, texts)
    record["versions"] = {"torch": torch.__version__, "transformers": transformers.__version__}
    meta_path = out / "meta.json"
    meta_path.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    write_card(out)
    print(f"saved {record['name']} to {out}")
    return out


def remeasure(out: Path) -> Path:
    """Re-measure a saved model's held-out quality (baselines fitted on the corpus its
    ``meta.json`` records) and rewrite ``meta.json`` and the card; the weights are untouched."""
    from lmbook.zoo.card import write_card
    from lmbook.zoo.loader import load
    from lmbook.zoo.quality import measure_quality

    meta_path = out / "meta.json"
    record = json.loads(meta_path.read_text(encoding="utf-8"))
    corpus = record["args"].get("corpus", "mix")  # models trained before --corpus used the mix
    model, tokenizer = load(str(out), dtype="float32")  # half-precision weights measured in fp32
    texts = ["".join(w) for w in pretraining_texts(corpus)]
    record["quality"] = measure_quality(model, tokenizer, EVAL_SUBSET, texts)
    meta_path.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    write_card(out)
    print(f"re-measured {record['name']} in {out}")
    return out


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    pretrain(argv)


if __name__ == "__main__":
    main()
