"""``GradientFlowWidget``: gradient norms per layer group over training steps, in the browser.

A layers x steps heatmap (log colour scale) of gradient norms or update-to-weight ratios, rows
coloured by kind (embedding / attention / MLP / LoRA A / LoRA B / ...), clipping events marked
above the steps, and a step slider that shows every row's value at one step as bars.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import traitlets as t

from lmbook.train.gradients import KINDS, GradRecorder, group_kind
from lmbook.viz.assets import widget_esm
from lmbook.viz.fallback import gradient_flow_png
from lmbook.viz.picture_widget import PictureWidget

__all__ = ["GradientFlowWidget"]

METRICS = ("grad_norm", "update_ratio")


def _matrix(name: str, values: Any, shape: tuple[int, int]) -> np.ndarray:
    array = np.asarray(values, dtype=np.float32)
    if array.shape != shape:
        raise ValueError(
            f"{name} must have shape [rows, steps] = {list(shape)}, got {list(array.shape)}"
        )
    return array


def _infer_kind(name: str) -> str:
    """Kind of a row: its last word when that is a kind ("L0 mlp"), else from its module name."""
    last = name.split()[-1] if name.split() else name
    return last if last in KINDS else group_kind(name)


class GradientFlowWidget(PictureWidget):
    """Gradient flow over training: rows (layer groups) x steps of norms, ratios and clipping.

    Give plain data (``names``, ``steps``, ``grad_norms`` ``[rows, steps]``, optionally
    ``update_ratios`` and per-step ``clipped`` flags), or use :meth:`from_recorder` with the
    record of ``lmbook.train`` (``History.grads``) or of ``lmbook.viz.GradientRecorder``.
    """

    _esm = widget_esm("gradient")
    meta = t.Dict().tag(sync=True)
    payload = t.Bytes().tag(sync=True)
    metric = t.Enum(METRICS, "grad_norm").tag(sync=True)
    step = t.Int(0).tag(sync=True)

    def __init__(
        self,
        names: Sequence[str],
        steps: Sequence[int],
        grad_norms: Any,
        update_ratios: Any | None = None,
        clipped: Sequence[bool] | None = None,
        kinds: Sequence[str] | None = None,
        title: str = "",
        *,
        metric: str = "grad_norm",
        step: int | None = None,
    ) -> None:
        shape = (len(names), len(steps))
        if not steps:
            raise ValueError("no steps to show: record at least one training step")
        norms = _matrix("grad_norms", grad_norms, shape)
        ratios = None if update_ratios is None else _matrix("update_ratios", update_ratios, shape)
        if metric == "update_ratio" and ratios is None:
            raise ValueError("metric='update_ratio' needs update_ratios=")
        kinds = list(kinds) if kinds is not None else [_infer_kind(n) for n in names]
        unknown = sorted(set(kinds) - set(KINDS))
        if unknown:
            raise ValueError(f"unknown kinds {unknown}; use {list(KINDS)}")
        flags = [bool(c) for c in clipped] if clipped is not None else [False] * len(steps)
        if len(flags) != len(steps):
            raise ValueError(f"clipped needs one flag per step ({len(steps)}), got {len(flags)}")
        self._norms, self._ratios = norms, ratios
        meta = {
            "names": [str(n) for n in names],
            "kinds": kinds,
            "steps": [int(s) for s in steps],
            "clipped": flags,
            "ratios": ratios is not None,
            "title": title,
        }
        payload = norms.tobytes() + (b"" if ratios is None else ratios.tobytes())
        last = len(steps) - 1 if step is None else step
        super().__init__(meta=meta, payload=payload, metric=metric, step=last)

    @classmethod
    def from_recorder(
        cls, recorder: GradRecorder, title: str = "", **view: Any
    ) -> GradientFlowWidget:
        """Widget from a :class:`~lmbook.train.gradients.GradRecorder`: ``History.grads`` of
        ``lmbook.train`` or an ``lmbook.viz.GradientRecorder``, after or during training."""
        if not isinstance(recorder, GradRecorder):
            raise TypeError(
                f"from_recorder takes a GradRecorder, got {type(recorder).__name__}; for a dict "
                "(e.g. History.to_dict()['grads']) use GradientFlowWidget.from_record."
            )
        return cls.from_record(recorder.to_dict(), title, **view)

    @classmethod
    def from_record(
        cls, record: Mapping[str, Any], title: str = "", **view: Any
    ) -> GradientFlowWidget:
        """Widget from a record's plain data, as ``GradRecorder.to_dict()`` gives (or JSON).

        Keys: ``names``, ``steps``, ``grad_norms`` and optionally ``update_ratios``, ``clipped``,
        ``kinds`` (rows x steps lists); all-NaN ratios (not measured) leave the ratio view out.
        """
        ratios = record.get("update_ratios")
        if ratios is not None and np.all(np.isnan(np.asarray(ratios, dtype=np.float64))):
            ratios = None
        return cls(
            record["names"],
            record["steps"],
            record["grad_norms"],
            ratios,
            record.get("clipped"),
            record.get("kinds"),
            title,
            **view,
        )

    @t.validate("step")
    def _valid_step(self, proposal: dict[str, Any]) -> int:
        n = len(self.meta["steps"]) if self.meta else None
        if n is not None and not 0 <= proposal["value"] < n:
            raise t.TraitError(f"step is an index into the recorded steps: 0..{n - 1}")
        return proposal["value"]

    def summary(self) -> str:
        return (
            f"GradientFlowWidget({len(self.meta['names'])} rows x {len(self.meta['steps'])} steps, "
            f"{sum(self.meta['clipped'])} clipped)"
        )

    def picture(self) -> bytes:
        data = self._norms if self.metric == "grad_norm" else self._ratios
        label = "梯度范数" if self.metric == "grad_norm" else "更新/权重比"
        return gradient_flow_png(
            data, self.meta["names"], self.meta["steps"], self.meta["clipped"], label, self.step
        )
