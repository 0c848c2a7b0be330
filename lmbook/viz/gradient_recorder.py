"""Record gradient flow with hooks when you write your own training loop.

:class:`GradientRecorder` is a :class:`lmbook.train.gradients.GradRecorder` (the record
``lmbook.train`` keeps in ``History.grads``) that fills itself from hooks: each parameter's
gradient norm as the backward pass accumulates it (so before any clipping), and, given the
optimizer, the update-to-weight ratio ``||W_after - W_before|| / ||W_before||`` around every
``optimizer.step()``. Rows are layer x kind groups by default (``h.0.attn.c_attn.weight`` ->
``L0 attention``); ``GradientFlowWidget.from_recorder`` draws either kind of record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lmbook.train.gradients import GradRecorder, group_params, param_norms

if TYPE_CHECKING:  # pragma: no cover
    import torch

    from lmbook.train.gradients import Grouper

__all__ = ["GradientRecorder"]

_CLIP_TOL = 1e-6


class GradientRecorder(GradRecorder):
    """Hooks on a model (and optionally its optimizer) that record gradient flow step by step.

    With ``optimizer`` every ``optimizer.step()`` closes a step; without it call :meth:`step`
    after ``backward()`` (and any clipping) and before ``zero_grad()``. Steps count from 1, as in
    ``lmbook.train``. ``group_by`` is "kind" (layer x kind rows), "module" (one row per module) or
    a function ``param_name -> (row, kind)``; only every ``every``-th step is measured.
    """

    def __init__(
        self,
        model: torch.nn.Module,
        optimizer: torch.optim.Optimizer | None = None,
        group_by: str | Grouper = "kind",
        every: int = 1,
    ) -> None:
        named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
        if not named:
            raise ValueError("the model has no trainable parameters to record")
        names, kinds, layers, rows = group_params([n for n, _ in named], group_by)
        super().__init__(names, every, kinds=kinds, layers=layers, param_rows=rows)
        self.params = [p for _, p in named]
        self.optimizer = optimizer
        self._calls = 0
        self._latest: torch.Tensor | None = None
        self._pending: list[torch.Tensor] | None = None
        self._before: list[torch.Tensor] | None = None
        self._handles = [
            p.register_post_accumulate_grad_hook(self._grad_hook(i))
            for i, p in enumerate(self.params)
        ]
        if optimizer is not None:
            self._handles.append(optimizer.register_step_pre_hook(self._pre_step))
            self._handles.append(optimizer.register_step_post_hook(self._post_step))

    def _grad_hook(self, index: int) -> Callable[[torch.Tensor], None]:
        def hook(param: torch.Tensor) -> None:
            if not self.due(self._calls + 1):
                return
            import torch

            if self._latest is None:
                self._latest = torch.zeros(len(self.params), device=param.device)
            norm = torch.linalg.vector_norm(param.grad.detach(), dtype=torch.float32)
            self._latest[index] = norm.to(self._latest.device)

        return hook

    def _pre_step(self, *_: Any) -> None:
        """Before the update: pre-clipping norms (from the hooks) against the gradients now."""
        if not self.due(self._calls + 1):
            return
        import torch

        dev = self.params[0].device
        before = self._latest if self._latest is not None else torch.zeros(len(self.params))
        grads = [p.grad for p in self.params if p.grad is not None]
        now = param_norms(grads).to(dev) if grads else torch.zeros(1, device=dev)
        before = before.to(dev)
        self._pending = [
            self.group_norms(before),
            torch.linalg.vector_norm(before).reshape(1),
            torch.linalg.vector_norm(now).reshape(1),
        ]
        if self.optimizer is not None:
            self._before = self.snapshot(self.params)

    def _post_step(self, *_: Any) -> None:
        """After the update: measure it and store the step (one transfer to the host)."""
        import torch

        self._calls += 1
        self._latest = None
        if self._pending is None:
            return
        parts, self._pending = self._pending, None
        if self._before is not None:
            parts.append(self.measure_update(self._before, self.params))
            self._before = None
        host = torch.cat(parts).tolist()
        n = len(self.names)
        total, after = host[n], host[n + 1]
        ratios = host[n + 2 :] if len(host) > n + 2 else None
        self.append(self._calls, host[:n], ratios, total, after < total * (1 - _CLIP_TOL))

    def step(self) -> None:
        """Close one step by hand (when no optimizer was given)."""
        if self.optimizer is not None:
            raise RuntimeError("this recorder closes steps on optimizer.step(); do not call step()")
        self._pre_step()
        self._post_step()

    def remove(self) -> None:
        """Detach all hooks (the recorded data stay)."""
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def __enter__(self) -> GradientRecorder:
        return self

    def __exit__(self, *_: Any) -> None:
        self.remove()
