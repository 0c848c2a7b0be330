"""LoRA for the shipped models: one `peft` configuration shared by evaluation, tests and the book.

from peft import get_peft_model
from lmbook.zoo.adapters import lora_config
model = get_peft_model(model, lora_config(model, "sequence-classification"))
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from peft import LoraConfig

__all__ = ["LORA_TARGETS", "PEFT_TASK_TYPES", "lora_config"]

# Every linear projection in attention and MLP blocks (peft matches these as name suffixes).
LORA_TARGETS: dict[str, tuple[str, ...]] = {
    "gpt2": ("c_attn", "c_proj", "c_fc"),  # c_proj is both the attention and the MLP output
    "bert": ("query", "key", "value", "dense"),  # dense: attention output, MLP, pooler
}
# lmbook.zoo.load task -> peft task type (it decides which new heads are trained in full)
PEFT_TASK_TYPES: dict[str, str | None] = {
    "causal-lm": "CAUSAL_LM",
    "sequence-classification": "SEQ_CLS",
    "token-classification": "TOKEN_CLS",
    "masked-lm": None,
}


def lora_config(
    model: Any,
    task: str,
    r: int = 8,
    lora_alpha: float = 16,
    lora_dropout: float = 0.0,
    target_modules: Sequence[str] | None = None,
) -> LoraConfig:
    """A ``peft.LoraConfig`` for ``model`` (a GPT-2 or BERT-type ``transformers`` model) on
    ``task`` (one of :data:`lmbook.zoo.TASKS`): LoRA of rank ``r`` on every attention and MLP
    projection unless ``target_modules`` names others; a new task head is trained in full."""
    from peft import LoraConfig

    if task not in PEFT_TASK_TYPES:
        raise ValueError(f"task={task!r} is not one of {list(PEFT_TASK_TYPES)}.")
    kind = model.config.model_type
    if target_modules is None:
        if kind not in LORA_TARGETS:
            raise ValueError(
                f"no default LoRA targets for model_type={kind!r}; pass target_modules=[...] "
                "with the names of its linear layers (see print(model))."
            )
        target_modules = LORA_TARGETS[kind]
    return LoraConfig(
        task_type=PEFT_TASK_TYPES[task],
        target_modules=list(target_modules),
        r=r,
        lora_alpha=lora_alpha,
        lora_dropout=lora_dropout,
        fan_in_fan_out=kind == "gpt2",  # GPT-2 stores its projections as Conv1D (in, out)
    )
