"""Base class of the lmbook widgets: an anywidget whose display bundle also holds a PNG picture.

JupyterLab, Colab and the HTML book show the live widget; PDF output and viewers without
JavaScript fall back to the ``image/png`` of the same output.
"""

from __future__ import annotations

import base64
from typing import Any

import anywidget

from lmbook.viz.assets import widget_css

__all__ = ["PictureWidget"]


class PictureWidget(anywidget.AnyWidget):
    """AnyWidget with a static PNG of its current state in every display bundle."""

    _css = widget_css()

    def picture(self) -> bytes:
        """PNG bytes of the widget's current view."""
        raise NotImplementedError(f"{type(self).__name__} must define picture()")

    def summary(self) -> str:
        """One short line describing the widget (its plain-text representation)."""
        return type(self).__name__

    def __repr__(self) -> str:
        return self.summary()

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        png = base64.b64encode(self.picture()).decode("ascii")
        return {**data, "image/png": png}, metadata
