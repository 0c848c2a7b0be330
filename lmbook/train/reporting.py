"""What a run shows: the start line, a progress bar, one history entry per step, the report.

The start line says which device and precision the run uses and why; the report at the end gives
steady-state throughput, memory and MFU (:mod:`lmbook.train.throughput`) and is kept in
``History.report``. ``wall_s`` continues across a resume, from the checkpoint's last value.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from lmbook.train.batches import batch_counts

if TYPE_CHECKING:  # pragma: no cover
    from lmbook.train.run import Run

__all__ = ["Reporter"]


class Reporter:
    """Logs a run's steps into its history and shows them; :meth:`finish` writes the report."""

    def __init__(self, run: Run) -> None:
        from tqdm.auto import tqdm

        self.run = run
        self.verbose = run.config.verbose and run.runtime.is_main
        if self.verbose:
            print(self._start_line())
        self.bar = tqdm(
            total=run.max_steps,
            initial=run.step,
            desc="train",
            disable=not (run.config.progress and run.runtime.is_main),
            dynamic_ncols=True,
        )
        self.wall_offset = run.history.wall_s[-1] if run.history.wall_s else 0.0
        self.t_start = time.perf_counter()
        self.times: list[float] = []
        self.samples: list[int] = []
        self.tokens: list[int] = []

    def _start_line(self) -> str:
        from lmbook.device import describe_device

        run = self.run
        why = "as configured" if run.config.device is not None else "chosen automatically"
        return (
            f"lmbook.train: {describe_device(run.device)} [{why}]; precision "
            f"{run.precision.name} ({run.precision.reason}); {run.runtime.describe()}"
        )

    def step(self, micro: list[Any], loss: float, lr: float, started: float) -> None:
        """Log the step just done (its micro-batches, loss, lr; ``started``: its start time)."""
        self.times.append(time.perf_counter() - started)
        counts = [batch_counts(batch) for batch in micro]
        self.samples.append(sum(s for s, _ in counts))
        self.tokens.append(sum(t for _, t in counts))
        h = self.run.history
        h.step.append(self.run.step)
        h.loss.append(loss)
        h.lr.append(lr)
        h.wall_s.append(self.wall_offset + time.perf_counter() - self.t_start)
        self.bar.update(1)
        self.bar.set_postfix(loss=f"{loss:.4f}", lr=f"{lr:.2e}", refresh=False)

    def close(self) -> None:
        """Close the progress bar (also when the run fails)."""
        self.bar.close()

    def finish(self) -> None:
        """Throughput, memory and MFU of this session into ``history.report``; print them."""
        from lmbook.train.throughput import format_report, summarize

        run = self.run
        report = summarize(
            self.times,
            self.tokens,
            self.samples,
            device=run.device,
            flops_token=run.flops_token,
            compiled=bool(run.config.compile),
        )
        report.update(
            device=str(run.device),
            precision=run.precision.name,
            processes=run.runtime.world_size,
            flops_per_token=run.flops_token,
        )
        run.history.report = report
        if self.verbose:
            print(f"lmbook.train: {format_report(report)}")
