"""``History``: what a run did, as plain lists that plot and serialise without pandas.

One entry per optimizer step in ``step``/``loss``/``lr``/``grad_norm``/``wall_s``; one per
evaluation in ``val_step``/``val_loss`` and in each list of ``val_metrics``. ``grads`` holds the
per-module gradient record (:class:`~lmbook.train.gradients.GradRecorder`) and ``report`` the
throughput and memory summary of the last session.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lmbook.train.gradients import GradRecorder

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["History", "plot_history"]


@dataclass
class History:
    """Training curves: per-step lists, per-evaluation lists, and how the run ended."""

    step: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    wall_s: list[float] = field(default_factory=list)
    val_step: list[int] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_metrics: dict[str, list[float]] = field(default_factory=dict)
    skipped: list[int] = field(default_factory=list)
    stop_reason: str = ""
    grads: GradRecorder | None = None
    report: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (NaN stays NaN; ``json.dumps`` writes it as ``NaN``)."""
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        d["val_metrics"] = {k: list(v) for k, v in self.val_metrics.items()}
        d["grads"] = self.grads.to_dict() if self.grads is not None else None
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> History:
        """Inverse of :meth:`to_dict`."""
        kwargs = dict(data)
        grads = kwargs.pop("grads", None)
        hist = cls(**kwargs)
        hist.grads = GradRecorder.from_dict(grads) if grads is not None else None
        return hist


def plot_history(history: History, ax: Axes | None = None) -> Axes:
    """Training and validation loss against step, learning rate on a second axis, Chinese labels."""
    import matplotlib.pyplot as plt

    from lmbook.fonts import use_cjk_font

    use_cjk_font()
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.plot(history.step, history.loss, lw=1.0, alpha=0.8, label="训练损失")
    if history.val_step:
        ax.plot(history.val_step, history.val_loss, "o-", ms=4, label="验证损失")
    ax.set_xlabel("优化步数")
    ax.set_ylabel("损失")
    ax.grid(alpha=0.3)
    lines, labels = ax.get_legend_handles_labels()
    if history.lr:
        ax_lr = ax.twinx()
        (lr_line,) = ax_lr.plot(history.step, history.lr, color="tab:gray", lw=1.0, ls="--")
        ax_lr.set_ylabel("学习率")
        ax_lr.ticklabel_format(axis="y", style="sci", scilimits=(-2, 2))
        lines, labels = [*lines, lr_line], [*labels, "学习率"]
    ax.legend(lines, labels, loc="upper right")
    return ax
