"""Compact binary payload for the widgets: attention rows quantised to uint8, then deflated.

Every row of an attention matrix is stored as ``round(255 * a / max(row))`` plus its float32
maximum, so a weight comes back within ``max(row) / 510``; causal self-attention stores only the
lower triangle. All rows go into one zlib (deflate) stream, which the browser inflates with its
built-in ``DecompressionStream``. ``benchmarks/viz_payload.py`` compares it with JSON of floats.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = ["pack_matrices", "quantisation_error_bound", "unpack_matrices"]

Section = tuple[str, np.ndarray, bool]


def _lower(matrices: np.ndarray) -> np.ndarray:
    """Flatten the lower triangle (diagonal included) of every ``[..., T, T]`` matrix, row-major."""
    rows, cols = np.tril_indices(matrices.shape[-1])
    return matrices[..., rows, cols]


def _quantise(matrices: np.ndarray, triangular: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per-row float32 maxima and uint8 values (lower triangle only when ``triangular``)."""
    data = np.asarray(matrices, dtype=np.float32)
    if np.any(data < 0):
        raise ValueError("attention payloads hold non-negative weights; got negative values")
    if triangular:
        data = np.tril(data)
    scales = data.max(axis=-1)
    safe = np.where(scales > 0, scales, 1.0)[..., None]
    values = np.rint(data / safe * 255.0).astype(np.uint8)
    if triangular:
        values = _lower(values)
    return scales.astype(np.float32).ravel(), values.ravel()


def pack_matrices(sections: Iterable[Section], level: int = 6) -> tuple[bytes, dict[str, Any]]:
    """Pack ``(key, array [..., Q, K], triangular)`` sections into deflated bytes plus a layout."""
    scale_parts, value_parts, layout = [], [], {}
    n_scales = n_values = 0
    for key, array, triangular in sections:
        if triangular and array.shape[-1] != array.shape[-2]:
            raise ValueError(f"section {key!r}: a triangular section needs square matrices")
        scales, values = _quantise(array, triangular)
        layout[key] = {
            "shape": list(array.shape),
            "tri": bool(triangular),
            "scale_offset": n_scales,
            "value_offset": n_values,
        }
        scale_parts.append(scales)
        value_parts.append(values)
        n_scales += scales.size
        n_values += values.size
    raw = b"".join([np.concatenate(scale_parts).tobytes(), np.concatenate(value_parts).tobytes()])
    meta = {"encoding": "deflate-u8-rowmax", "n_scales": n_scales, "n_values": n_values}
    return zlib.compress(raw, level), {**meta, "sections": layout}


def unpack_matrices(payload: bytes, meta: dict[str, Any]) -> dict[str, np.ndarray]:
    """Inverse of :func:`pack_matrices` (as the browser does it): key -> float32 array."""
    raw = zlib.decompress(payload)
    n_scales = meta["n_scales"]
    scales = np.frombuffer(raw, dtype="<f4", count=n_scales)
    values = np.frombuffer(raw, dtype=np.uint8, offset=4 * n_scales)
    out = {}
    for key, info in meta["sections"].items():
        shape = tuple(info["shape"])
        n_rows, n_cols = int(np.prod(shape[:-1])), shape[-1]
        row_scale = scales[info["scale_offset"] : info["scale_offset"] + n_rows] / 255.0
        start = info["value_offset"]
        if info["tri"]:
            size = n_cols * (n_cols + 1) // 2
            flat = values[start : start + size * (n_rows // n_cols)].reshape(-1, size)
            full = np.zeros((n_rows // n_cols, n_cols, n_cols), dtype=np.float32)
            rows, cols = np.tril_indices(n_cols)
            full[:, rows, cols] = flat
            q = full.reshape(n_rows, n_cols)
        else:
            q = values[start : start + n_rows * n_cols].reshape(n_rows, n_cols).astype(np.float32)
        out[key] = (q * row_scale[:, None]).reshape(shape)
    return out


def quantisation_error_bound(matrices: np.ndarray) -> np.ndarray:
    """Largest round-trip error per row: half a quantisation step, ``max(row) / 510``."""
    return np.asarray(matrices, dtype=np.float32).max(axis=-1) / 510.0
