"""``AttentionWidget``: explore a model's attention in JupyterLab, Colab and the static HTML book.

Views (all drawn client-side on canvas from a compact binary payload, so they also work without a
kernel): per-head lines, heatmap, and a grid of every layer x head; head mean / max and attention
rollout; a toggle that hides the first-token "sink"; causal-mask shading; and, given two models on
the same text, each model and their difference.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import traitlets as t

from lmbook.viz.assets import widget_esm
from lmbook.viz.capture import AttentionBlock, AttentionSet, capture_attention
from lmbook.viz.fallback import heatmaps_png
from lmbook.viz.payload import pack_matrices
from lmbook.viz.picture_widget import PictureWidget
from lmbook.viz.tokens import token_payload

__all__ = ["AttentionWidget"]

VIEWS = ("lines", "heatmap", "grid")
AGGREGATES = ("mean", "max", "rollout")


def _check_same_shape(a: AttentionSet, b: AttentionSet) -> None:
    """Two sets can be compared only on the same tokens with the same layers and heads."""
    if [x.name for x in a.blocks] != [x.name for x in b.blocks]:
        raise ValueError("compare needs two models of the same kind (same attention blocks)")
    for x, y in zip(a.blocks, b.blocks, strict=True):
        if x.weights.shape != y.weights.shape:
            raise ValueError(
                f"compare needs equal shapes: {x.name} attention is {x.weights.shape} vs "
                f"{y.weights.shape}; use models with the same layers and heads on the same text"
            )
    if {k: [tok.ids for tok in v] for k, v in a.sequences.items()} != {
        k: [tok.ids for tok in v] for k, v in b.sequences.items()
    }:
        raise ValueError("compare needs the same tokens: use one tokenizer and one text for both")


def _sections(index: int, data: AttentionSet) -> list[tuple[str, np.ndarray, bool]]:
    """Payload sections of one model: attention per block, and rollout where it exists."""
    out = []
    for block in data.blocks:
        out.append((f"{index}:{block.name}:attn", block.weights, block.causal))
        if block.rollout is not None:
            out.append((f"{index}:{block.name}:rollout", block.rollout, block.causal))
    return out


def _view_matrix(block: AttentionBlock, layer: int, head: str) -> np.ndarray:
    """The matrix a head choice shows: one head, the mean or max over heads, or rollout."""
    if head == "rollout":
        if block.rollout is None:
            raise ValueError(f"{block.name} attention has no rollout (it links two sequences)")
        return block.rollout[layer]
    if head == "mean":
        return block.weights[layer].mean(axis=0)
    if head == "max":
        return block.weights[layer].max(axis=0)
    return block.weights[layer, int(head)]


class AttentionWidget(PictureWidget):
    """Interactive attention viewer over one model's (or two models') attention on one text.

    Build it with :meth:`from_model` (any ``transformers`` model, also ``peft``-wrapped or
    encoder-decoder) or :meth:`from_arrays` (plain ``[layers, heads, T, T]`` weights).
    """

    _esm = widget_esm("attention")
    meta = t.Dict().tag(sync=True)
    payload = t.Bytes().tag(sync=True)
    view = t.Enum(VIEWS, "lines").tag(sync=True)
    block = t.Unicode("self").tag(sync=True)
    layer = t.Int(0).tag(sync=True)
    head = t.Unicode("0").tag(sync=True)
    source = t.Enum(("0", "1", "diff"), "0").tag(sync=True)
    hide_sink = t.Bool(False).tag(sync=True)
    causal_shading = t.Bool(True).tag(sync=True)

    def __init__(
        self,
        data: AttentionSet,
        compare: AttentionSet | None = None,
        names: Sequence[str] = ("A", "B"),
        *,
        view: str = "lines",
        block: str | None = None,
        layer: int = 0,
        head: int | str = 0,
        source: str = "0",
        hide_sink: bool = False,
    ) -> None:
        sets = [data] if compare is None else [data, compare]
        if compare is not None:
            _check_same_shape(data, compare)
        if source != "0" and compare is None:
            raise ValueError("source='1' or 'diff' needs a second model: pass compare=")
        sections = [s for i, d in enumerate(sets) for s in _sections(i, d)]
        payload, layout = pack_matrices(sections)
        meta = {
            "sequences": {k: token_payload(v) for k, v in data.sequences.items()},
            "blocks": [
                {
                    "name": b.name,
                    "queries": b.queries,
                    "keys": b.keys,
                    "causal": b.causal,
                    "layers": int(b.weights.shape[0]),
                    "heads": int(b.weights.shape[1]),
                    "rollout": b.rollout is not None,
                }
                for b in data.blocks
            ],
            "models": [str(n) for n in names[: len(sets)]],
            "payload": layout,
        }
        self._sets = sets
        super().__init__(
            meta=meta,
            payload=payload,
            view=view,
            block=block or data.blocks[0].name,
            layer=layer,
            head=str(head),
            source=source,
            hide_sink=hide_sink,
        )

    @classmethod
    def from_model(
        cls,
        model: Any,
        tokenizer: Any,
        text: str,
        *,
        target: str | None = None,
        compare: Any | None = None,
        names: Sequence[str] = ("A", "B"),
        merge_bytes: bool = True,
        **view: Any,
    ) -> AttentionWidget:
        """Widget for ``model`` on ``text`` (``target``: decoder text of an encoder-decoder).

        ``compare``: a second model on the same text (e.g. the LoRA-tuned one), shown with the
        difference; ``names`` label the two. Other keywords set the initial view (``view``,
        ``layer``, ``head``, ``block``, ``source``, ``hide_sink``).
        """
        data = capture_attention(model, tokenizer, text, target, merge_bytes)
        other = None
        if compare is not None:
            other = capture_attention(compare, tokenizer, text, target, merge_bytes)
        return cls(data, other, names, **view)

    @classmethod
    def from_arrays(
        cls,
        weights: np.ndarray,
        tokens: Sequence[str],
        *,
        causal: bool | None = None,
        compare: np.ndarray | None = None,
        names: Sequence[str] = ("A", "B"),
        **view: Any,
    ) -> AttentionWidget:
        """Widget from self-attention ``[layers, heads, T, T]`` and ``T`` token strings."""
        data = AttentionSet.from_arrays(weights, tokens, causal)
        other = None if compare is None else AttentionSet.from_arrays(compare, tokens, causal)
        return cls(data, other, names, **view)

    @t.validate("block")
    def _valid_block(self, proposal: dict[str, Any]) -> str:
        names = [b["name"] for b in self.meta["blocks"]]
        if proposal["value"] not in names:
            raise t.TraitError(f"block must be one of {names}, got {proposal['value']!r}")
        return proposal["value"]

    @t.validate("layer")
    def _valid_layer(self, proposal: dict[str, Any]) -> int:
        layers = self._meta_block(self.block)["layers"] if self.meta else 0
        if self.meta and not 0 <= proposal["value"] < layers:
            raise t.TraitError(f"layer must be in 0..{layers - 1}, got {proposal['value']}")
        return proposal["value"]

    @t.validate("head")
    def _valid_head(self, proposal: dict[str, Any]) -> str:
        value = str(proposal["value"])
        if not self.meta:
            return value
        info = self._meta_block(self.block)
        allowed = [str(i) for i in range(info["heads"])] + ["mean", "max"]
        if info["rollout"]:
            allowed.append("rollout")
        if value not in allowed:
            raise t.TraitError(
                f"head must be a head index, 'mean', 'max' or 'rollout'; got {value!r}"
            )
        return value

    def _meta_block(self, name: str) -> dict[str, Any]:
        return next(b for b in self.meta["blocks"] if b["name"] == name)

    def summary(self) -> str:
        info = self._meta_block(self.block)
        seqs = self.meta["sequences"]
        models = " vs ".join(self.meta["models"])
        return (
            f"AttentionWidget({models}: {info['layers']} layers x {info['heads']} heads, "
            f"{len(seqs[info['queries']])}x{len(seqs[info['keys']])} tokens, {self.block})"
        )

    def picture(self) -> bytes:
        blocks = [s.block(self.block) for s in self._sets]
        matrices = [_view_matrix(b, self.layer, self.head) for b in blocks]
        panels = [
            (f"{name} · 层 {self.layer} · 头 {self.head}", m, False)
            for name, m in zip(self.meta["models"], matrices, strict=True)
        ]
        if len(matrices) == 2:
            panels.append(
                (
                    f"{self.meta['models'][1]} − {self.meta['models'][0]}",
                    matrices[1] - matrices[0],
                    True,
                )
            )
        if self.hide_sink and matrices[0].shape[-1] > 1:
            panels = [(title, m[:, 1:], signed) for title, m, signed in panels]
        seqs = self._sets[0].sequences
        start = 1 if self.hide_sink and matrices[0].shape[-1] > 1 else 0
        rows = [tok.text for tok in seqs[blocks[0].queries]]
        cols = [tok.text for tok in seqs[blocks[0].keys]][start:]
        masked = None
        if blocks[0].causal and self.causal_shading:
            masked = np.triu(np.ones((len(rows), len(rows)), dtype=bool), 1)[:, start:]
        return heatmaps_png(panels, rows, cols, masked)
