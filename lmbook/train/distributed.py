"""One process or several: the loop talks to a small runtime, never to a distributed engine.

A single process (a notebook, ``python script.py``) uses :class:`LocalRuntime`: one device, no
communication, and ``accelerate`` is not imported. Under ``torchrun``, ``accelerate launch`` or
Accelerate's ``notebook_launcher`` (they set ``WORLD_SIZE`` > 1), :class:`AccelerateRuntime`
lets Accelerate do the work: process group, DDP wrapping, sharding the data loaders. Inner
micro-steps of gradient accumulation run inside ``accelerator.no_sync(model)``
(:meth:`~LocalRuntime.accumulate`), so gradients are all-reduced once per optimizer step, not
once per micro-batch.
"""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import torch

__all__ = ["AccelerateRuntime", "LocalRuntime", "make_runtime", "world_size_from_env"]


def world_size_from_env() -> int:
    """Number of processes the launcher started (``WORLD_SIZE``; 1 when not launched)."""
    return int(os.environ.get("WORLD_SIZE", "1"))


class LocalRuntime:
    """One process on one device."""

    world_size = 1
    is_main = True

    def __init__(self, device: torch.device) -> None:
        self.device = device

    def describe(self) -> str:
        """How many processes, for the start-up line."""
        return "1 process"

    def prepare(self, model: torch.nn.Module, loaders: list[Any]) -> tuple[Any, list[Any]]:
        """Move the model to the device; loaders stay as they are."""
        return model.to(self.device), loaders

    def accumulate(
        self, model: torch.nn.Module, *, last: bool
    ) -> contextlib.AbstractContextManager:
        """Context for one micro-batch's backward pass: nothing to synchronise in one process."""
        return contextlib.nullcontext()

    def reduce_sum(self, tensor: torch.Tensor) -> torch.Tensor:
        """Sum over processes: the tensor itself."""
        return tensor

    def mean(self, tensor: torch.Tensor) -> torch.Tensor:
        """Mean over processes: the tensor itself."""
        return tensor

    def unwrap(self, model: torch.nn.Module) -> torch.nn.Module:
        """The user's model (no wrapper here)."""
        return model

    def barrier(self) -> None:
        """No other process to wait for."""


class AccelerateRuntime(LocalRuntime):
    """Several processes through ``accelerate.Accelerator`` (imported only here)."""

    def __init__(self, device: str | None) -> None:
        from accelerate import Accelerator

        from lmbook.device import pick_device

        # Precision is lmbook's (autocast + GradScaler); Accelerate only distributes. Each
        # process gets its own GPU from Accelerate; `device` only decides GPU versus CPU.
        cpu = pick_device(device).type == "cpu"
        self.accelerator = Accelerator(mixed_precision="no", cpu=cpu)
        super().__init__(self.accelerator.device)
        self.world_size = self.accelerator.num_processes
        self.is_main = self.accelerator.is_main_process

    def describe(self) -> str:
        """Process count and rank, for the start-up line."""
        acc = self.accelerator
        return f"{acc.num_processes} processes via Accelerate ({acc.distributed_type.value})"

    def prepare(self, model: torch.nn.Module, loaders: list[Any]) -> tuple[Any, list[Any]]:
        """Wrap the model for data parallelism and shard each loader across processes."""
        acc = self.accelerator
        model = acc.prepare_model(model)
        return model, [acc.prepare_data_loader(dl) if dl is not None else None for dl in loaders]

    def accumulate(
        self, model: torch.nn.Module, *, last: bool
    ) -> contextlib.AbstractContextManager:
        """No gradient all-reduce on inner micro-batches; the last one's backward does it."""
        return contextlib.nullcontext() if last else self.accelerator.no_sync(model)

    def reduce_sum(self, tensor: torch.Tensor) -> torch.Tensor:
        """Sum a tensor over all processes."""
        return self.accelerator.reduce(tensor, reduction="sum")

    def mean(self, tensor: torch.Tensor) -> torch.Tensor:
        """Mean of a tensor over all processes."""
        return self.reduce_sum(tensor) / self.world_size

    def unwrap(self, model: torch.nn.Module) -> torch.nn.Module:
        """The user's model inside the DDP (and compile) wrappers."""
        return self.accelerator.unwrap_model(model)

    def barrier(self) -> None:
        """Wait until every process gets here."""
        self.accelerator.wait_for_everyone()


def make_runtime(device: str | None) -> LocalRuntime:
    """:class:`AccelerateRuntime` when launched on several processes, else :class:`LocalRuntime`."""
    if world_size_from_env() > 1:
        return AccelerateRuntime(device)
    from lmbook.device import pick_device

    return LocalRuntime(pick_device(device))
