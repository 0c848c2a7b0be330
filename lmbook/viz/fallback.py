"""Static PNG pictures of the widgets, for PDF, nbviewer and any viewer without JavaScript.

Each widget puts one of these into its display bundle next to the live view (``image/png``), so a
saved notebook keeps a picture even where the widget cannot run. Uses the book's CJK font.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["figure_png", "gradient_flow_png", "heatmaps_png", "token_strip_png"]


def _figure(width: float, height: float) -> Any:
    """A matplotlib Figure with the CJK font configured, not attached to pyplot."""
    from matplotlib.figure import Figure

    from lmbook.fonts import use_cjk_font

    use_cjk_font()
    return Figure(figsize=(width, height), layout="constrained")


def figure_png(fig: Any, dpi: int = 90) -> bytes:
    """Render a Figure to PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def heatmaps_png(
    panels: Sequence[tuple[str, np.ndarray, bool]],
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    masked: np.ndarray | None = None,
    max_labels: int = 40,
) -> bytes:
    """Side-by-side heatmaps ``(title, matrix, signed)``; ``masked`` cells grey; few -> labels."""
    from matplotlib import colormaps

    fig = _figure(3.6 * len(panels) + 0.6, 3.8)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (title, matrix, signed) in zip(axes, panels, strict=True):
        shown = np.ma.masked_array(matrix, mask=masked)
        if signed:
            limit = float(np.abs(matrix).max()) or 1.0
            cmap = colormaps["RdBu_r"].with_extremes(bad="0.6")
            image = ax.imshow(shown, cmap=cmap, vmin=-limit, vmax=limit)
        else:
            cmap = colormaps["viridis"].with_extremes(bad="0.6")
            image = ax.imshow(shown, cmap=cmap, vmin=0)
        fig.colorbar(image, ax=ax, shrink=0.8)
        ax.set_title(title, fontsize=10)
        if len(row_labels) <= max_labels and len(col_labels) <= max_labels:
            ax.set_yticks(range(len(row_labels)), row_labels, fontsize=7)
            ax.set_xticks(range(len(col_labels)), col_labels, fontsize=7, rotation=90)
        ax.set_xlabel("键（被关注的词元）")
        ax.set_ylabel("查询（发出注意力的词元）")
    return figure_png(fig)


def _label_width(token: str) -> float:
    """Width of a token's box in slots: one slot holds one CJK character; Latin letters and
    digits are narrower, so a special token such as ``[CLS]`` takes a little more than one."""
    wide = sum(1 for c in token if ord(c) > 0x2E7F)
    return max(1.0, 0.95 * wide + 0.42 * (len(token) - wide) + 0.3)


def token_strip_png(
    tokens: Sequence[str], scores: np.ndarray, title: str, per_line: int = 24
) -> bytes:
    """Tokens as coloured boxes (red positive, blue negative), wrapped into lines of at most
    ``per_line`` slots; a box is as wide as its token, so neighbouring labels never overlap."""
    from matplotlib import colormaps

    limit = float(np.abs(scores).max()) or 1.0
    cmap = colormaps["RdBu_r"]
    places, x, line = [], 0.0, 0
    for token in tokens:
        width = _label_width(token)
        if x > 0 and x + width > per_line:
            x, line = 0.0, line + 1
        places.append((x + width / 2, line))
        x += width
    n_lines = line + 1
    used = per_line if n_lines > 1 else max(x, 1.0)
    fig = _figure(min(12.0, 0.45 * used + 1.0), 0.5 * n_lines + 0.45)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_xlim(0, used)
    ax.set_ylim(n_lines, 0)
    ax.set_title(title, fontsize=10, loc="left")
    for (cx, row), token, score in zip(places, tokens, scores, strict=True):
        strength = abs(score) / limit
        ax.text(
            cx,
            row + 0.5,
            token,
            ha="center",
            va="center",
            fontsize=11,
            color="white" if strength > 0.6 else "black",
            bbox={"boxstyle": "round,pad=0.2", "fc": cmap(0.5 + 0.5 * score / limit), "ec": "none"},
        )
    return figure_png(fig)


def gradient_flow_png(
    values: np.ndarray,
    names: Sequence[str],
    steps: Sequence[int],
    clipped: Sequence[bool],
    label: str,
    step_index: int,
) -> bytes:
    """Rows x steps heatmap of log10 values; clipping events as red ticks; the step marked."""
    fig = _figure(9.0, 1.2 + 0.22 * len(names))
    ax = fig.add_subplot()
    positive = np.where(values > 0, values, np.nan)
    image = ax.imshow(np.log10(positive), aspect="auto", cmap="viridis", interpolation="nearest")
    fig.colorbar(image, ax=ax, label=f"log10 {label}", pad=0.01)
    ax.set_yticks(range(len(names)), names, fontsize=7)
    ticks = np.linspace(0, len(steps) - 1, min(len(steps), 8)).round().astype(int)
    ax.set_xticks(ticks, [str(steps[i]) for i in ticks])
    ax.set_xlabel("训练步")
    for i in np.flatnonzero(clipped):
        ax.plot(i, -0.5, marker="v", color="red", markersize=5, clip_on=False)
    ax.axvline(step_index, color="white", linewidth=1, alpha=0.8)
    ax.set_title(f"{label}（▼ 梯度裁剪）", fontsize=10, loc="left")
    return figure_png(fig)
