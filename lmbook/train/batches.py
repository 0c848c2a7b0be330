"""Batches: data loaders from datasets, moving batches to the device, counting samples and
tokens, and the default way to get a loss out of a model.

A batch is either a mapping (``{"input_ids": ..., "labels": ...}``, passed as ``model(**batch)``,
the loss read from ``output.loss``; every ``transformers``/``peft`` model works this way) or a
pair ``(x, y)`` (``model(x)`` gives logits or predictions; integer ``y`` means cross-entropy,
float ``y`` means mean squared error). Anything else needs a ``loss_fn(model, batch)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from lmbook.train.config import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    import torch
    from torch.utils.data import DataLoader

    from lmbook.train.config import TrainConfig

__all__ = [
    "batch_counts",
    "default_loss",
    "loader_for",
    "loader_generators",
    "make_loader",
    "to_device",
]


def _is_hf_dataset(data: Any) -> bool:
    return type(data).__module__.startswith("datasets.")


def make_loader(
    data: Any,
    batch_size: int,
    *,
    shuffle: bool,
    seed: int,
    collate_fn: Any = None,
    num_workers: int = 0,
    pin_memory: bool = False,
) -> DataLoader:
    """A DataLoader over ``data`` (torch or Hugging Face dataset, or a list) with its own seeded
    generator, so the data order depends only on ``seed``, not on the global RNG.

    Training loaders drop the last incomplete batch (``shuffle=True``); evaluation keeps it.
    A Hugging Face dataset without ``collate_fn`` yields tensors of its non-text columns.
    """
    import torch
    from torch.utils.data import DataLoader

    if _is_hf_dataset(data) and collate_fn is None:
        # tensors for the numeric columns; text columns (e.g. "text") are left out of batches
        numeric = [name for name, feat in data.features.items() if "string" not in repr(feat)]
        data = data.with_format("torch", columns=numeric)
    gen = torch.Generator()
    gen.manual_seed(seed)
    return DataLoader(
        data,
        batch_size=batch_size,
        shuffle=shuffle,
        drop_last=shuffle,
        collate_fn=collate_fn,
        num_workers=num_workers,
        pin_memory=pin_memory,
        generator=gen,
    )


def loader_for(
    data: Any,
    micro: int | None,
    *,
    train: bool,
    config: TrainConfig,
    collate_fn: Any,
    pin: bool,
) -> DataLoader:
    """Use a given DataLoader (checking its batch size) or build one from a dataset."""
    from torch.utils.data import DataLoader

    role = "training" if train else "validation"
    if isinstance(data, DataLoader):
        if micro is not None and data.batch_size is not None and data.batch_size != micro:
            raise ConfigError(
                f"the {role} DataLoader yields batches of {data.batch_size} but the config asks "
                f"for micro-batches of {micro} (batch_size={config.batch_size} / grad_accum="
                f"{config.grad_accum}); make them agree, or leave batch_size=None to use the "
                "loader's."
            )
        return data
    if micro is None:
        raise ConfigError(
            f"the {role} data is a dataset, not a DataLoader, so the config must say how to batch "
            "it: set TrainConfig(batch_size=...) (samples per optimizer step)."
        )
    return make_loader(
        data,
        micro,
        shuffle=train,
        seed=config.seed,
        collate_fn=collate_fn,
        num_workers=config.num_workers,
        pin_memory=pin,
    )


def loader_generators(loader: Any) -> list[torch.Generator]:
    """The ``torch.Generator`` objects that decide a loader's order and worker seeds."""
    found: list[torch.Generator] = []
    for owner in (
        loader,
        getattr(loader, "sampler", None),
        getattr(getattr(loader, "batch_sampler", None), "sampler", None),
    ):
        gen = getattr(owner, "generator", None)
        if gen is not None and all(gen is not g for g in found):
            found.append(gen)
    return found


def to_device(batch: Any, device: torch.device) -> Any:
    """Move every tensor in a (nested) batch to ``device`` (non-blocking from pinned memory)."""
    import torch

    if isinstance(batch, torch.Tensor):
        return batch.to(device, non_blocking=True)
    if isinstance(batch, Mapping):
        return type(batch)({k: to_device(v, device) for k, v in batch.items()})
    if isinstance(batch, (list, tuple)):
        return type(batch)(to_device(v, device) for v in batch)
    return batch


def batch_counts(batch: Any) -> tuple[int, int]:
    """``(samples, tokens)`` in a batch; tokens count the attention mask when there is one.

    Tokens are 0 for batches that hold no token ids (images, features): no tokens/s then.
    """
    import torch

    if isinstance(batch, Mapping):
        first = next((v for v in batch.values() if isinstance(v, torch.Tensor)), None)
        samples = int(first.shape[0]) if first is not None and first.ndim else 1
        if isinstance(batch.get("attention_mask"), torch.Tensor):
            return samples, int(batch["attention_mask"].sum())
        ids = batch.get("input_ids")
        return samples, int(ids.numel()) if isinstance(ids, torch.Tensor) else 0
    if isinstance(batch, (list, tuple)) and batch and isinstance(batch[0], torch.Tensor):
        x = batch[0]
        samples = int(x.shape[0]) if x.ndim else 1
        return samples, int(x.numel()) if not x.is_floating_point() else 0
    return 1, 0


def default_loss(model: torch.nn.Module, batch: Any) -> torch.Tensor:
    """Loss of ``model`` on ``batch`` by the conventions in this module's docstring."""
    import torch.nn.functional as F

    if isinstance(batch, Mapping):
        out = model(**batch)
        loss = out.get("loss") if isinstance(out, Mapping) else getattr(out, "loss", None)
        if loss is None:
            raise ConfigError(
                "the model returned no loss for this batch; include 'labels' in each batch (as "
                "transformers models expect) or pass loss_fn=lambda model, batch: ... to train()."
            )
        return loss
    if isinstance(batch, (list, tuple)) and len(batch) == 2:
        x, y = batch
        out = model(x)
        pred = getattr(out, "logits", out)
        if y.is_floating_point():
            return F.mse_loss(pred, y)
        return F.cross_entropy(pred.reshape(-1, pred.shape[-1]), y.reshape(-1))
    raise ConfigError(
        f"cannot compute a loss from a batch of type {type(batch).__name__}; give batches as a "
        "dict with 'labels' or as (inputs, targets), or pass loss_fn=... to train()."
    )
