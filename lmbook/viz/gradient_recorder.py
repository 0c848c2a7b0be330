"""Record gradient flow during training with hooks: per-step gradient norms per group of layers.

Parameters are grouped into rows by layer and kind (embedding, attention, MLP, LoRA A, LoRA B,
norm, head): ``h.0.attn.c_attn.weight`` -> row ``L0 attention``. Per step the recorder keeps each
row's gradient norm before clipping, whether clipping changed the gradient, and (given the
optimizer) the update-to-weight ratio ``||W_after - W_before|| / ||W_before||``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["KINDS", "GradientRecorder", "parameter_group"]

KINDS = ("embedding", "attention", "mlp", "lora_A", "lora_B", "norm", "head", "other")
_LAYER = re.compile(r"\.(\d+)\.")
_NORM = ("layernorm", "layer_norm", "ln_", "rmsnorm", ".norm", "norm.", "norm1", "norm2")
_EMBED = ("embed", "wte", "wpe", "shared.")
_ATTN = ("attn", "attention", "q_proj", "k_proj", "v_proj", "o_proj", "query", "key", "value")
_HEAD = ("lm_head", "classifier", "pooler", "score", "cls.", "qa_outputs")
_CLIP_TOL = 1e-6


def _kind(name: str, in_layer: bool) -> str:
    low = name.lower()
    if "lora_a" in low or "lora_embedding_a" in low:
        return "lora_A"
    if "lora_b" in low or "lora_embedding_b" in low:
        return "lora_B"
    if any(k in low for k in _NORM):
        return "norm"
    if any(k in low for k in _EMBED):
        return "embedding"
    if any(k in low for k in _ATTN):
        return "attention"
    if in_layer:
        return "mlp"
    if any(k in low for k in _HEAD):
        return "head"
    return "other"


def parameter_group(name: str) -> tuple[str, str]:
    """Row and kind of a parameter: ``encoder.layer.1.attention.*`` -> ``enc L1 attention``."""
    match = _LAYER.search(f".{name}.")
    kind = _kind(name, match is not None)
    stack = next((s[:3] + " " for s in ("encoder", "decoder") if s in name.split(".")[:4]), "")
    if match is not None:
        return f"{stack}L{match.group(1)} {kind}", kind
    if kind == "other":
        return name.rsplit(".", 1)[0], kind
    return f"{stack}{kind}", kind


class GradientRecorder:
    """Hooks on a model (and optionally its optimizer) that record gradient flow step by step.

    With ``optimizer`` every ``optimizer.step()`` closes a step; without it call :meth:`step`
    after ``backward()`` (and any clipping) and before ``zero_grad()``. ``group_by`` is "kind"
    (layer x kind rows), "module" (one row per module) or a function name -> (row, kind).
    """

    def __init__(
        self,
        model: Any,
        optimizer: Any | None = None,
        group_by: str | Callable[[str], tuple[str, str]] = "kind",
        every: int = 1,
    ) -> None:
        if every < 1:
            raise ValueError(f"every must be >= 1, got {every}")
        grouper = self._grouper(group_by)
        self.every = every
        self.names: list[str] = []
        self.kinds: list[str] = []
        self._params: list[tuple[int, Any]] = []
        for name, param in model.named_parameters():
            if not param.requires_grad:
                continue
            row, kind = grouper(name)
            if row not in self.names:
                self.names.append(row)
                self.kinds.append(kind)
            self._params.append((self.names.index(row), param))
        if not self._params:
            raise ValueError("the model has no trainable parameters to record")
        self._latest = np.zeros(len(self._params))
        self._before: list[Any] | None = None
        self._calls = 0
        self.steps: list[int] = []
        self._norms: list[np.ndarray] = []
        self._ratios: list[np.ndarray] = []
        self.clipped: list[bool] = []
        self._handles = [
            param.register_post_accumulate_grad_hook(self._grad_hook(i))
            for i, (_, param) in enumerate(self._params)
        ]
        self.optimizer = optimizer
        if optimizer is not None:
            self._handles.append(optimizer.register_step_pre_hook(self._pre_step))
            self._handles.append(optimizer.register_step_post_hook(self._post_step))

    @staticmethod
    def _grouper(
        group_by: str | Callable[[str], tuple[str, str]],
    ) -> Callable[[str], tuple[str, str]]:
        if callable(group_by):
            return group_by
        if group_by == "kind":
            return parameter_group
        if group_by == "module":
            return lambda name: (name.rsplit(".", 1)[0], parameter_group(name)[1])
        raise ValueError(f"group_by must be 'kind', 'module' or a function; got {group_by!r}")

    def _grad_hook(self, index: int) -> Callable[[Any], None]:
        def hook(param: Any) -> None:
            self._latest[index] = float(param.grad.detach().float().norm())

        return hook

    def _row_norms(self, per_param: np.ndarray) -> np.ndarray:
        rows = np.zeros(len(self.names))
        for (row, _), value in zip(self._params, per_param, strict=True):
            rows[row] += value**2
        return np.sqrt(rows)

    def _recording(self) -> bool:
        return self._calls % self.every == 0

    def _pre_step(self, *_: Any) -> None:
        if not self._recording():
            return
        current = np.array(
            [
                0.0 if p.grad is None else float(p.grad.detach().float().norm())
                for _, p in self._params
            ]
        )
        before, after = np.sqrt((self._latest**2).sum()), np.sqrt((current**2).sum())
        self.steps.append(self._calls)
        self._norms.append(self._row_norms(self._latest))
        self.clipped.append(bool(after < before * (1 - _CLIP_TOL)))
        if self.optimizer is not None:
            self._before = [p.detach().clone() for _, p in self._params]

    def _post_step(self, *_: Any) -> None:
        if self._before is not None:
            change = np.array(
                [
                    float((p.detach() - old).float().norm())
                    for (_, p), old in zip(self._params, self._before, strict=True)
                ]
            )
            weight = np.array([float(old.float().norm()) for old in self._before])
            self._ratios.append(
                self._row_norms(change) / np.maximum(self._row_norms(weight), 1e-12)
            )
            self._before = None
        self._latest[:] = 0.0
        self._calls += 1

    def step(self) -> None:
        """Close one step by hand (when no optimizer was given)."""
        if self.optimizer is not None:
            raise RuntimeError("this recorder closes steps on optimizer.step(); do not call step()")
        self._pre_step()
        self._post_step()

    def remove(self) -> None:
        """Detach all hooks (the recorded arrays stay)."""
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def __enter__(self) -> GradientRecorder:
        return self

    def __exit__(self, *_: Any) -> None:
        self.remove()

    @property
    def grad_norms(self) -> np.ndarray:
        """Gradient norm before clipping, ``[rows, steps]``."""
        return np.stack(self._norms, axis=1) if self._norms else np.zeros((len(self.names), 0))

    @property
    def update_ratios(self) -> np.ndarray | None:
        """Update-to-weight ratio ``[rows, steps]`` (None without an optimizer)."""
        if self.optimizer is None:
            return None
        return np.stack(self._ratios, axis=1) if self._ratios else np.zeros((len(self.names), 0))
