"""The fine-tuning methods of chapter 5 on one model, by name: which weights train, how each is
built (``peft`` where it has the method, by hand for full fine-tuning and BitFit), and what one
task's checkpoint costs on disk.

    model = apply_method(model, "lora", r=8)        # a peft model, only the adapter trains
    count_trainable(model)                          # (trainable, total)
    adapter_bytes(model, "lora", tmp_dir)           # what must be stored for this task
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = [
    "HEAD_NAMES",
    "METHODS",
    "adapter_bytes",
    "apply_method",
    "count_trainable",
    "peft_config",
    "task_heads",
]

HEAD_NAMES = ("classifier", "score")  # a new task head: trained in full by every method

# name -> what it trains (for tables); the order of the book's table
METHODS: dict[str, str] = {
    "full": "全部参数",
    "lora": "注意力与 MLP 投影上的低秩 B·A",
    "dora": "LoRA + 每个输出通道的幅度向量",
    "ia3": "注意力投影的输出与 MLP 第二层输入的逐通道缩放向量",
    "prefix": "每层注意力的前缀键值",
    "prompt": "输入端的软提示向量",
    "ptuning": "软提示 + 生成它的 MLP 编码器",
    "bitfit": "全部偏置项",
}

# peft's task types for the model heads of lmbook.zoo.load
_TASK_TYPES = {
    "causal-lm": "CAUSAL_LM",
    "sequence-classification": "SEQ_CLS",
    "token-classification": "TOKEN_CLS",
}
# IA3 (Liu et al. 2022): rescale keys, values and the input of the MLP's second layer. GPT-2 fuses
# q, k, v in ``c_attn``, so there the vector (3d) scales the queries too; BERT's suffix
# "output.dense" also matches the attention output projection (scaled at its output).
_IA3 = {
    "gpt2": (["c_attn", "mlp.c_proj"], ["mlp.c_proj"]),
    "bert": (["key", "value", "output.dense"], ["output.dense"]),
}


def peft_config(
    method: str,
    model: Any,
    task: str = "causal-lm",
    *,
    r: int = 8,
    lora_alpha: float = 16,
    target_modules: list[str] | None = None,
    num_virtual_tokens: int = 10,
    **extra: Any,
) -> Any:
    """The ``peft`` config of ``method`` ("lora", "dora", "ia3", "prefix", "prompt", "ptuning")
    for ``model`` on ``task``, with the defaults the chapter uses."""
    import peft

    from lmbook.zoo.adapters import lora_config

    kind = model.config.model_type
    task_type = _TASK_TYPES[task]
    if method in ("lora", "dora"):
        config = lora_config(model, task, r=r, lora_alpha=lora_alpha, target_modules=target_modules)
        config.use_dora = method == "dora"
        for key, value in extra.items():
            setattr(config, key, value)
        return config
    if method == "ia3":
        targets, feedforward = _IA3[kind]
        return peft.IA3Config(
            task_type=task_type,
            target_modules=target_modules or targets,
            feedforward_modules=feedforward,
            fan_in_fan_out=kind == "gpt2",
            **extra,
        )
    if method == "prefix":
        return peft.PrefixTuningConfig(
            task_type=task_type, num_virtual_tokens=num_virtual_tokens, **extra
        )
    if method == "prompt":
        return peft.PromptTuningConfig(
            task_type=task_type,
            num_virtual_tokens=num_virtual_tokens,
            prompt_tuning_init=peft.PromptTuningInit.SAMPLE_VOCAB,  # start from real embeddings
            **extra,
        )
    if method == "ptuning":
        return peft.PromptEncoderConfig(
            task_type=task_type,
            num_virtual_tokens=num_virtual_tokens,
            encoder_hidden_size=extra.pop("encoder_hidden_size", model.config.hidden_size),
            **extra,
        )
    raise ValueError(f"method={method!r} has no peft config; methods: {list(METHODS)}")


def task_heads(task: str) -> tuple[str, ...]:
    """Module names of ``task``'s new head, trained in full by every method (peft's
    ``modules_to_save``); none for the pretraining tasks."""
    return {
        "sequence-classification": HEAD_NAMES,
        "token-classification": HEAD_NAMES[:1],
    }.get(task, ())


def apply_method(model: Any, method: str, task: str = "causal-lm", **kwargs: Any) -> Any:
    """Make only ``method``'s weights trainable: a ``peft`` model for the peft methods; the
    model itself for "full" (everything trains) and "bitfit" (Zaken et al. 2022: every bias,
    plus a new task head)."""
    if method == "full":
        for p in model.parameters():
            p.requires_grad_(True)
        return model
    if method == "bitfit":
        heads = task_heads(task)
        for name, p in model.named_parameters():
            parts = name.split(".")
            p.requires_grad_(name.endswith("bias") or any(h in parts for h in heads))
        return model
    from peft import get_peft_model

    return get_peft_model(model, peft_config(method, model, task, **kwargs))


def count_trainable(model: Any) -> tuple[int, int]:
    """``(trainable, total)`` parameters, each tensor counted once (tied weights share one)."""
    seen: dict[int, tuple[int, bool]] = {}
    for p in model.parameters():  # parameters() already skips duplicates of tied tensors
        seen[id(p)] = (p.numel(), p.requires_grad)
    trainable = sum(n for n, t in seen.values() if t)
    return trainable, sum(n for n, _ in seen.values())


def adapter_bytes(model: Any, method: str, out_dir: str | Path) -> int:
    """Bytes on disk of what one task needs beyond the shared base model: the whole model for
    "full", the peft adapter (``adapter_model.safetensors``) for peft methods, and the trained
    tensors (safetensors) for BitFit."""
    from transformers.utils import logging

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if method == "full":
        shown = logging.is_progress_bar_enabled()
        logging.disable_progress_bar()  # no "Writing model shards" bar in notebook outputs
        try:
            model.save_pretrained(out)
        finally:
            if shown:
                logging.enable_progress_bar()
        return (out / "model.safetensors").stat().st_size
    if method == "bitfit":
        from safetensors.torch import save_file

        tensors = {
            n: p.detach().contiguous() for n, p in model.named_parameters() if p.requires_grad
        }
        save_file(tensors, out / "bitfit.safetensors")
        return (out / "bitfit.safetensors").stat().st_size
    model.save_pretrained(out)
    return (out / "adapter_model.safetensors").stat().st_size
