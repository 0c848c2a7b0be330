"""Small pretrained Chinese models that ship inside ``lmbook``, and a loader for hub models.

    from lmbook.zoo import load
    model, tokenizer = load("gpt-zh-tiny")                        # GPT-2, causal LM
    model, tokenizer = load("bert-zh-tiny", "sequence-classification", num_labels=2)
    model = get_peft_model(model, lora_config(model, "sequence-classification"))  # peft

``python -m lmbook.zoo`` lists the shipped models with their size and held-out quality;
``python -m lmbook.zoo.pretrain --model gpt|bert`` rebuilds them; ``python -m
lmbook.zoo.evaluate`` measures what pretraining buys downstream. Importing this package is
cheap: ``transformers`` loads on the first call to :func:`load`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lmbook._lazy import lazy_exports

__all__ = [
    "MODELS_DIR",
    "SHIPPED",
    "TASKS",
    "HubUnreachableError",
    "load",
    "lora_config",
    "model_dir",
    "model_meta",
    "shipped_names",
]

_WHERE = {
    "MODELS_DIR": "registry",
    "SHIPPED": "registry",
    "TASKS": "loader",
    "HubUnreachableError": "loader",
    "load": "loader",
    "lora_config": "adapters",
    "model_dir": "registry",
    "model_meta": "registry",
    "shipped_names": "registry",
}

if TYPE_CHECKING:  # pragma: no cover
    from lmbook.zoo.adapters import lora_config
    from lmbook.zoo.loader import TASKS, HubUnreachableError, load
    from lmbook.zoo.registry import MODELS_DIR, SHIPPED, model_dir, model_meta, shipped_names


__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
