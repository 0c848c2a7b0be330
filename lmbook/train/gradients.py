"""Gradient norms, clipping, and a per-module gradient recorder cheap enough to leave on.

The loop computes every parameter's gradient norm once per optimizer step (one fused
``_foreach_norm``, the same call ``clip_grad_norm_`` makes); clipping and the recorder both reuse
it, so recording costs a scatter-add and, for the update-to-weight ratio, one copy of the
trainable weights. :class:`GradRecorder` keeps, per recorded step and per row (a module, or a
layer x kind group such as ``L0 attention``), the gradient norm and ``||Δθ|| / ||θ||`` (the
update-to-weight ratio, healthy around 1e-3), plus the total norm and whether clipping fired. Its
data are plain lists (rows x steps) that plot and serialise as is. What kind a module is
(:func:`group_kind`) is decided here and nowhere else; ``lmbook.viz.GradientRecorder`` fills the
same recorder from hooks when you write your own training loop.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import torch

__all__ = [
    "GROUP_BY",
    "KINDS",
    "GradRecorder",
    "clip_by_total_norm",
    "grad_norms",
    "group_kind",
    "group_name",
    "group_params",
    "layer_index",
    "param_norms",
    "parameter_group",
]

KINDS = ("embedding", "attention", "mlp", "lora_A", "lora_B", "norm", "head", "other")
GROUP_BY = ("module", "kind")
Grouper = Callable[[str], tuple[str, str]]

_PEFT_PREFIX = re.compile(r"^(base_model\.model\.)+")
_ADAPTER_SUFFIX = re.compile(r"\.(lora_[AB]|lora_embedding_[AB])\.[^.]+$")
_SAVED_COPY = re.compile(r"\.modules_to_save\.[^.]+$")
_LAYER = re.compile(r"\.(\d+)(?:\.|$)")
_IN_BLOCK = re.compile(r"\.\d+\.")
_KIND_PATTERNS = (
    ("lora_A", re.compile(r"lora_(embedding_)?a\b")),
    ("lora_B", re.compile(r"lora_(embedding_)?b\b")),
    ("norm", re.compile(r"(^|\.|_)(ln\w*|\w*norm\w*)$")),
    (
        "embedding",
        re.compile(r"(^|\.)(wte|wpe|shared|embed\w*|\w*_embeddings?|token_type\w*)(\.|$)"),
    ),
    ("attention", re.compile(r"attn|attention|(^|\.)(q|k|v|o|qkv)_proj|(^|\.)(query|key|value)\b")),
    (
        "mlp",
        re.compile(
            r"mlp|ffn|feed_?forward|(^|\.)(c_fc|fc\d?|gate_proj|up_proj|down_proj|intermediate)"
            r"|layer\.\d+\.output"
        ),
    ),
    ("head", re.compile(r"(^|\.)(lm_head|classifier|score|head|pooler|qa_outputs|cls)(\.|$)")),
)


def group_name(param_name: str) -> str:
    """The module a parameter belongs to, without peft's wrapper prefix and adapter name.

    ``base_model.model.transformer.h.0.attn.c_attn.lora_A.default.weight`` ->
    ``transformer.h.0.attn.c_attn.lora_A``.
    """
    name = _PEFT_PREFIX.sub("", param_name)
    module = name.rsplit(".", 1)[0] if "." in name else name
    return _SAVED_COPY.sub("", _ADAPTER_SUFFIX.sub(lambda m: f".{m.group(1)}", module))


def group_kind(module: str) -> str:
    """What a module is: one of :data:`KINDS` (GPT-2, BERT, Llama, T5 and BART names, LoRA).

    The first matching name pattern wins (LoRA, norm, embedding, attention, MLP, head); any other
    module inside a numbered block (``block.0.layer.1.DenseReluDense.wi``) is the block's
    feed-forward part, "mlp"; the rest is "other".
    """
    low = module.lower()
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(low):
            return kind
    return "mlp" if _IN_BLOCK.search(f".{low}") else "other"


def layer_index(module: str) -> int | None:
    """The block a module sits in (the first number in its path), or None outside the blocks."""
    match = _LAYER.search(f".{module}")
    return int(match.group(1)) if match else None


def parameter_group(param_name: str) -> tuple[str, str]:
    """Layer x kind row and kind of a parameter; unclassified modules keep their own row.

    ``bert.encoder.layer.1.attention.self.query.weight`` -> ``("enc L1 attention", "attention")``.
    """
    module = group_name(param_name)
    kind, layer = group_kind(module), layer_index(module)
    head = module.split(".")[:4]
    stack = next((f"{s[:3]} " for s in ("encoder", "decoder") if s in head), "")
    if layer is not None:
        return f"{stack}L{layer} {kind}", kind
    return (module, kind) if kind == "other" else (f"{stack}{kind}", kind)


def group_params(
    param_names: Sequence[str], group_by: str | Grouper = "module"
) -> tuple[list[str], list[str], list[int | None], list[int]]:
    """Rows, their kinds and layers, and each parameter's row index.

    ``group_by`` is "module" (one row per module, :func:`group_name`), "kind" (layer x kind rows,
    :func:`parameter_group`) or a function ``param_name -> (row, kind)``.
    """
    if callable(group_by):
        grouper = group_by
    elif group_by == "kind":
        grouper = parameter_group
    elif group_by == "module":

        def grouper(name: str) -> tuple[str, str]:
            module = group_name(name)
            return module, group_kind(module)

    else:
        raise ValueError(f"group_by must be 'module', 'kind' or a function; got {group_by!r}")
    rows: dict[str, int] = {}
    kinds: list[str] = []
    layers: list[int | None] = []
    index = []
    for name in param_names:
        row, kind = grouper(name)
        if row not in rows:
            rows[row] = len(rows)
            kinds.append(kind)
            layers.append(layer_index(group_name(name)))
        index.append(rows[row])
    return list(rows), kinds, layers, index


def param_norms(tensors: list[torch.Tensor]) -> torch.Tensor:
    """L2 norm of each tensor, as one fp32 vector on the first tensor's device (no host sync)."""
    import torch

    norms = torch._foreach_norm(tensors)
    dev = tensors[0].device
    return torch.stack([n.to(dev, torch.float32) for n in norms])


def grad_norms(params: list[torch.Tensor]) -> tuple[list[torch.Tensor], torch.Tensor]:
    """The gradients present and every parameter's gradient norm (0 where it has none)."""
    import torch

    grads = [p.grad for p in params]
    if all(g is not None for g in grads):
        return grads, param_norms(grads)
    present = [i for i, g in enumerate(grads) if g is not None]
    if not present:
        from lmbook.train.config import ConfigError  # here: config imports this module

        raise ConfigError(
            "no trainable parameter received a gradient; check that the loss depends on the "
            "parameters with requires_grad=True."
        )
    kept = [grads[i] for i in present]
    norms = torch.zeros(len(grads), device=kept[0].device)
    norms[torch.tensor(present, device=kept[0].device)] = param_norms(kept)
    return kept, norms


def clip_by_total_norm(grads: list[torch.Tensor], total: torch.Tensor, max_norm: float) -> None:
    """Scale ``grads`` in place so their total norm is at most ``max_norm`` (as clip_grad_norm_)."""
    import torch

    coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    torch._foreach_mul_(grads, coef.to(grads[0].device))


class GradRecorder:
    """Per-row gradient norms and update-to-weight ratios over training, as rows x steps.

    ``names`` are the rows: module paths (``transformer.h.0.attn.c_attn``) or layer x kind groups
    (``L0 attention``); ``kinds`` say what each is (:data:`KINDS`); ``layers`` give the block index
    or None. ``grad_norms[i][j]`` and ``update_ratios[i][j]`` belong to ``names[i]`` at
    ``steps[j]`` (NaN ratios: not measured); ``total_norm[j]`` is the pre-clipping global norm and
    ``clipped[j]`` tells whether clipping scaled the gradients. ``param_rows`` maps each recorded
    parameter to its row (only a recorder built with it can reduce per-parameter norms).
    """

    def __init__(
        self,
        names: Sequence[str],
        every: int = 1,
        *,
        kinds: Sequence[str] | None = None,
        layers: Sequence[int | None] | None = None,
        param_rows: Sequence[int] | None = None,
    ) -> None:
        if every < 1:
            raise ValueError(f"every must be >= 1 (record every n-th step), got {every}")
        self.names = list(names)
        self.kinds = list(kinds) if kinds is not None else [group_kind(n) for n in self.names]
        self.layers = list(layers) if layers is not None else [layer_index(n) for n in self.names]
        self.every = every
        self.steps: list[int] = []
        self.total_norm: list[float] = []
        self.clipped: list[bool] = []
        self._grad_rows: list[list[float]] = []
        self._ratio_rows: list[list[float]] = []
        self._index: torch.Tensor | None = None
        self._snapshot_buffers: list[torch.Tensor] | None = None
        if param_rows is not None:
            import torch

            self._index = torch.tensor(list(param_rows), dtype=torch.long)

    @classmethod
    def for_params(
        cls, param_names: Sequence[str], every: int = 1, group_by: str | Grouper = "module"
    ) -> GradRecorder:
        """A recorder for the given trainable parameter names, grouped as :func:`group_params`."""
        names, kinds, layers, rows = group_params(param_names, group_by)
        return cls(names, every, kinds=kinds, layers=layers, param_rows=rows)

    def due(self, step: int) -> bool:
        """Whether optimizer step ``step`` (1-based) is recorded."""
        return step % self.every == 0

    def group_norms(self, per_param: torch.Tensor) -> torch.Tensor:
        """Per-row L2 norms from per-parameter norms (sqrt of summed squares), on device."""
        import torch

        index = self._index_on(per_param.device)
        sq = torch.zeros(len(self.names), device=per_param.device, dtype=per_param.dtype)
        return sq.index_add_(0, index, per_param.square()).sqrt()

    def snapshot(self, params: list[torch.Tensor]) -> list[torch.Tensor]:
        """Copy the weights before the optimizer step (for the update-to-weight ratio).

        The copies go into buffers allocated once and reused every step (no per-step allocation).
        """
        import torch

        weights = [p.detach() for p in params]
        buffers = self._snapshot_buffers
        if buffers is None or len(buffers) != len(weights):
            buffers = self._snapshot_buffers = [torch.empty_like(w) for w in weights]
        torch._foreach_copy_(buffers, weights)
        return buffers

    def measure_update(
        self, before: list[torch.Tensor], params: list[torch.Tensor]
    ) -> torch.Tensor:
        """Per-row ``||θ_after - θ_before|| / ||θ_before||`` (NaN where the weights were 0)."""
        import torch

        w = self.group_norms(param_norms(before))
        torch._foreach_sub_(before, [p.detach() for p in params])
        u = self.group_norms(param_norms(before))
        return torch.where(w > 0, u / w, torch.full_like(w, float("nan")))

    def append(
        self,
        step: int,
        grad_norms: list[float],
        ratios: list[float] | None,
        total: float,
        clipped: bool,
    ) -> None:
        """Store one recorded step (values already on the host; ``ratios=None``: not measured)."""
        self.steps.append(step)
        self._grad_rows.append(grad_norms)
        self._ratio_rows.append(ratios if ratios is not None else [float("nan")] * len(self.names))
        self.total_norm.append(total)
        self.clipped.append(clipped)

    @property
    def grad_norms(self) -> list[list[float]]:
        """Gradient norm per row and recorded step (columns)."""
        return [list(col) for col in zip(*self._grad_rows, strict=True)] if self.steps else []

    @property
    def update_ratios(self) -> list[list[float]]:
        """Update-to-weight ratio per row and recorded step (columns)."""
        return [list(col) for col in zip(*self._ratio_rows, strict=True)] if self.steps else []

    @property
    def clip_steps(self) -> list[int]:
        """The recorded steps at which clipping scaled the gradients down."""
        return [s for s, c in zip(self.steps, self.clipped, strict=True) if c]

    def as_arrays(self) -> dict[str, np.ndarray]:
        """NumPy arrays for plotting: grad_norms and update_ratios of shape (rows, steps)."""
        import numpy as np

        shape = (len(self.names), len(self.steps))
        return {
            "steps": np.asarray(self.steps, dtype=np.int64),
            "grad_norms": np.asarray(self._grad_rows, dtype=np.float64).T.reshape(shape),
            "update_ratios": np.asarray(self._ratio_rows, dtype=np.float64).T.reshape(shape),
            "total_norm": np.asarray(self.total_norm, dtype=np.float64),
            "clipped": np.asarray(self.clipped, dtype=bool),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (rows x steps lists); :meth:`from_dict` inverts it."""
        return {
            "names": self.names,
            "kinds": self.kinds,
            "layers": self.layers,
            "every": self.every,
            "steps": self.steps,
            "grad_norms": self.grad_norms,
            "update_ratios": self.update_ratios,
            "total_norm": self.total_norm,
            "clipped": self.clipped,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GradRecorder:
        """Rebuild a plain GradRecorder from :meth:`to_dict` (for plotting; it cannot record)."""
        names, every = list(data["names"]), int(data["every"])
        rec = GradRecorder(names, every, kinds=data.get("kinds"), layers=data.get("layers"))
        rec.restore(data)
        return rec

    def restore(self, data: dict[str, Any]) -> None:
        """Load the steps recorded before a checkpoint; the rows must match."""
        if list(data["names"]) != self.names:
            raise ValueError(
                "the checkpoint's gradient record has other rows; resume with the model and the "
                "record_group_by the checkpoint was written for."
            )
        self.steps = list(data["steps"])
        self.total_norm = list(data["total_norm"])
        self.clipped = list(data["clipped"])
        self._grad_rows = [list(r) for r in zip(*data["grad_norms"], strict=True)]
        self._ratio_rows = [list(r) for r in zip(*data["update_ratios"], strict=True)]

    def _index_on(self, device: torch.device) -> torch.Tensor:
        if self._index is None:
            raise RuntimeError(
                "this GradRecorder has no parameter rows; build it with for_params()."
            )
        if self._index.device != device:
            self._index = self._index.to(device)
        return self._index
