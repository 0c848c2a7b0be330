"""Parameter-efficient ("lightweight") fine-tuning helpers for chapter 5.

- :mod:`~lmbook.adapters.methods`: every method of the chapter on one model by name
  (:func:`apply_method`: full, LoRA, DoRA, IA3, prefix, prompt, P-tuning, BitFit), trainable
  counts, checkpoint size on disk;
- :mod:`~lmbook.adapters.calculator`: trainable parameters and the memory of a training step from
  a config alone (meta device), term by term (:func:`estimate`);
- :mod:`~lmbook.adapters.memory`: measured peak memory of a step (CUDA or ``torch.profiler``);
- :mod:`~lmbook.adapters.peft_bridge`: copy LoRA factors from ``peft`` into :mod:`lmbook.nn`;
- ``python -m lmbook.adapters.compare`` / ``.sweep`` / ``.cases``: the recorded experiments
  (``lmbook/adapters/records/*.json``).
- ``python -m lmbook.adapters.helpclf``: section 6.2's text-classification comparison (TF-IDF,
  TextCNN, BERT full and LoRA, zero-shot GPT on one split), ``lmbook/assets/records/helpclf.json``.

Names are imported lazily: ``import lmbook.adapters`` imports neither torch nor peft.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submodules=["calculator", "compare", "helpclf", "memory", "methods", "peft_bridge", "records"],
    submod_attrs={
        "calculator": ["Estimate", "count_trainable_analytic", "estimate", "meta_model"],
        "memory": ["StepMemory", "measure_step", "measure_training_step", "saved_activation_bytes"],
        "methods": ["METHODS", "adapter_bytes", "apply_method", "count_trainable", "peft_config"],
        "peft_bridge": ["copy_lora_from_peft", "peft_lora_name"],
        "records": ["load_record"],
    },
)

if TYPE_CHECKING:  # pragma: no cover
    from lmbook.adapters.calculator import (
        Estimate,
        count_trainable_analytic,
        estimate,
        meta_model,
    )
    from lmbook.adapters.memory import (
        StepMemory,
        measure_step,
        measure_training_step,
        saved_activation_bytes,
    )
    from lmbook.adapters.methods import (
        METHODS,
        adapter_bytes,
        apply_method,
        count_trainable,
        peft_config,
    )
    from lmbook.adapters.peft_bridge import copy_lora_from_peft, peft_lora_name
    from lmbook.adapters.records import load_record
