"""Where the run is in its data, and how to get back there exactly after a restart.

Each epoch starts by recording every RNG state and then creating the loader's iterator (the
shuffle order and worker seeds are drawn then). To resume at micro-batch ``k`` of epoch ``e``
the cursor puts those states back, creates the iterator again, draws ``k`` batches (so any
randomness in loading or collating replays too), then restores the RNG states of the moment
the checkpoint was taken. A step never straddles an epoch: leftover micro-batches that cannot
fill one optimizer step are not used.
"""

from __future__ import annotations

from typing import Any

from lmbook.train.config import ConfigError
from lmbook.train.rng import capture_rng, restore_rng

__all__ = ["DataCursor"]


class DataCursor:
    """Hands out the micro-batches of one optimizer step at a time and knows its position."""

    def __init__(self, loader: Any, accum: int, generators: list[Any]) -> None:
        self.loader = loader
        self.accum = accum
        self.generators = generators
        self.epoch = 0
        self.consumed = 0
        self.epoch_rng: tuple[dict[str, Any], dict[str, Any]] | None = None
        self._it: Any = None
        n = len(loader) if hasattr(loader, "__len__") else None
        self.per_epoch = (n // accum) * accum if n is not None else None

    def steps_per_epoch(self) -> int | None:
        """Optimizer steps in one pass over the loader (None for loaders without a length)."""
        return None if self.per_epoch is None else self.per_epoch // self.accum

    def _start_epoch(self) -> None:
        self.consumed = 0
        self.epoch_rng = capture_rng(self.generators)
        if hasattr(self.loader, "set_epoch"):  # Accelerate's sharded loaders reshuffle per epoch
            self.loader.set_epoch(self.epoch)
        self._it = iter(self.loader)

    def next_step(self) -> list[Any]:
        """The ``accum`` micro-batches of the next optimizer step."""
        if self._it is None:
            self._start_epoch()
        elif self.per_epoch is not None and self.consumed >= self.per_epoch:
            self.epoch += 1
            self._start_epoch()
        batches: list[Any] = []
        while len(batches) < self.accum:
            try:
                batches.append(next(self._it))
            except StopIteration:
                if self.consumed == 0:
                    raise ConfigError(
                        f"one pass over the training data gives {len(batches)} batch(es), fewer "
                        f"than the {self.accum} micro-batch(es) of one optimizer step; use more "
                        "data, a smaller batch_size or a smaller grad_accum."
                    ) from None
                self.epoch += 1
                self._start_epoch()
                batches = []
        self.consumed += self.accum
        return batches

    def state(self) -> dict[str, int]:
        """Position for a checkpoint: epoch and micro-batches already used in it."""
        return {"epoch": self.epoch, "consumed": self.consumed}

    def restore(
        self, position: dict[str, int], epoch_rng: tuple[dict[str, Any], dict[str, Any]]
    ) -> None:
        """Return to a saved position (see the module docstring); RNG states end as they were."""
        now = capture_rng(self.generators)
        restore_rng(*epoch_rng, self.generators)
        self.epoch = position["epoch"]
        self.epoch_rng = epoch_rng
        if self.per_epoch is not None and position["consumed"] >= self.per_epoch:
            self._it = iter(())  # the epoch is used up; the next step starts a new one
        else:
            if hasattr(self.loader, "set_epoch"):
                self.loader.set_epoch(self.epoch)
            self._it = iter(self.loader)
            for _ in range(position["consumed"]):
                next(self._it)
        self.consumed = position["consumed"]
        restore_rng(*now, self.generators)
