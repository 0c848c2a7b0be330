"""Widgets that let readers look at attention and gradients (JupyterLab, Colab, the HTML book).

- :class:`AttentionWidget` — lines / heatmap / all-heads grid, head mean / max, rollout, two-model
  difference; ``AttentionWidget.from_model(model, tokenizer, text)``.
- :class:`GradientFlowWidget` — layers x steps gradient norms, update-to-weight ratios and clipping
  events, from a ``GradRecorder``: ``lmbook.train``'s ``History.grads`` or, in a loop of your own,
  :class:`GradientRecorder` (the same record, filled by hooks); or from plain arrays.
- :class:`SaliencyWidget` — gradient x input and integrated gradients per token
  (:func:`token_saliency`).

Every view change runs in the browser over the saved state, so the widgets keep working in the
static HTML book (the book's tooling, ``booktools.sphinx_offline``, serves their scripts offline);
each display also carries a PNG for PDF and viewers without JavaScript.
Names are imported lazily: ``import lmbook.viz`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "attention_widget": ["AttentionWidget"],
        "capture": ["AttentionSet", "capture_attention"],
        "gradient_recorder": ["GradientRecorder"],
        "gradient_widget": ["GradientFlowWidget"],
        "rollout": ["attention_rollout"],
        "saliency": [
            "SaliencyResult",
            "gradient_x_input",
            "integrated_gradients",
            "token_saliency",
        ],
        "saliency_widget": ["SaliencyWidget"],
        "tokens": ["group_tokens"],
    },
)

if TYPE_CHECKING:  # pragma: no cover
    from lmbook.viz.attention_widget import AttentionWidget
    from lmbook.viz.capture import AttentionSet, capture_attention
    from lmbook.viz.gradient_recorder import GradientRecorder
    from lmbook.viz.gradient_widget import GradientFlowWidget
    from lmbook.viz.rollout import attention_rollout
    from lmbook.viz.saliency import (
        SaliencyResult,
        gradient_x_input,
        integrated_gradients,
        token_saliency,
    )
    from lmbook.viz.saliency_widget import SaliencyWidget
    from lmbook.viz.tokens import group_tokens
