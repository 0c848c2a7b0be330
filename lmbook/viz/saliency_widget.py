"""``SaliencyWidget``: tokens coloured by their saliency (red raises the score, blue lowers it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import traitlets as t

from lmbook.viz.assets import widget_esm
from lmbook.viz.fallback import token_strip_png
from lmbook.viz.picture_widget import PictureWidget
from lmbook.viz.saliency import METHODS, SaliencyResult, token_saliency
from lmbook.viz.tokens import Token, token_payload

__all__ = ["SaliencyWidget"]

METHOD_LABELS = {"grad_x_input": "梯度×输入", "integrated_gradients": "积分梯度"}


class SaliencyWidget(PictureWidget):
    """Per-token saliency of one text, for one or more attribution methods."""

    _esm = widget_esm("saliency")
    meta = t.Dict().tag(sync=True)
    method = t.Unicode("integrated_gradients").tag(sync=True)

    def __init__(self, result: SaliencyResult, method: str | None = None) -> None:
        if not result.scores:
            raise ValueError("the saliency result holds no method's scores")
        chosen = method or next(m for m in (*METHODS[::-1], *result.scores) if m in result.scores)
        if chosen not in result.scores:
            raise ValueError(f"method {chosen!r} not computed; have {sorted(result.scores)}")
        self._result = result
        meta = {
            "tokens": token_payload(result.tokens),
            "scores": {k: [float(v) for v in s] for k, s in result.scores.items()},
            "labels": {k: METHOD_LABELS.get(k, k) for k in result.scores},
            "target": result.target,
            "value": result.value,
            "delta": result.delta,
        }
        super().__init__(meta=meta, method=chosen)

    @classmethod
    def from_model(
        cls, model: Any, tokenizer: Any, text: str, target: str | int | None = None, **options: Any
    ) -> SaliencyWidget:
        """Compute :func:`token_saliency` (same keywords) and show it."""
        return cls(token_saliency(model, tokenizer, text, target, **options))

    @classmethod
    def from_scores(
        cls, tokens: Sequence[str], scores: dict[str, Sequence[float]], target: str = ""
    ) -> SaliencyWidget:
        """Widget from plain token strings and per-method score lists."""
        toks = [Token(str(x), (str(x),), ()) for x in tokens]
        for name, values in scores.items():
            if len(values) != len(toks):
                raise ValueError(f"{name}: {len(values)} scores for {len(toks)} tokens")
        arrays = {k: np.asarray(v, dtype=np.float64) for k, v in scores.items()}
        return cls(SaliencyResult(toks, arrays, target))

    @t.validate("method")
    def _valid_method(self, proposal: dict[str, Any]) -> str:
        if self.meta and proposal["value"] not in self.meta["scores"]:
            raise t.TraitError(f"method must be one of {sorted(self.meta['scores'])}")
        return proposal["value"]

    def summary(self) -> str:
        n = len(self.meta["tokens"])
        return f"SaliencyWidget({n} tokens, {self.method}: {self.meta['target']})"

    def picture(self) -> bytes:
        tokens = [tok.text for tok in self._result.tokens]
        title = f"{METHOD_LABELS.get(self.method, self.method)} · {self._result.target}"
        return token_strip_png(tokens, self._result.scores[self.method], title)
