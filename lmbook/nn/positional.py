"""Positional information for attention: sinusoidal encodings and rotary embeddings (3.6).

- :func:`sinusoidal_encoding`: PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(...)
  (Vaswani et al. 2017), added to the token embeddings.
- :func:`rope`: rotary position embedding (Su et al. 2024): rotate each pair of coordinates
  (x_{2i}, x_{2i+1}) of a query or key at position p by the angle p * theta_i,
  theta_i = base^(-2i/d). Then q_m . k_n depends on m and n only through m - n.
  (Hugging Face's Llama pairs coordinate i with i + d/2 instead: the same idea with the
  coordinates permuted.)
"""

from __future__ import annotations

import torch

__all__ = ["rope", "rope_angles", "sinusoidal_encoding"]

Tensor = torch.Tensor


def sinusoidal_encoding(n_positions: int, dim: int, base: float = 10000.0) -> Tensor:
    """``[n_positions, dim]`` sinusoids: sin in even columns, cos in odd ones."""
    if dim % 2:
        raise ValueError(f"dim must be even, got {dim}")
    pos = torch.arange(n_positions, dtype=torch.float64)[:, None]
    freq = base ** (-torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    pe = torch.zeros(n_positions, dim, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(pos * freq)
    pe[:, 1::2] = torch.cos(pos * freq)
    return pe.float()


def rope_angles(positions: Tensor, dim: int, base: float = 10000.0) -> Tensor:
    """``[len(positions), dim / 2]`` rotation angles p * base^(-2i/dim)."""
    if dim % 2:
        raise ValueError(f"dim must be even, got {dim}")
    theta = base ** (-torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    return positions.to(torch.float64)[:, None] * theta


def rope(x: Tensor, positions: Tensor, base: float = 10000.0) -> Tensor:
    """Rotate the coordinate pairs of ``x`` ``[..., n, dim]`` by the angles of ``positions``."""
    angles = rope_angles(positions, x.shape[-1], base).to(x.dtype)
    cos, sin = torch.cos(angles), torch.sin(angles)
    even, odd = x[..., 0::2], x[..., 1::2]
    out = torch.empty_like(x)
    out[..., 0::2] = even * cos - odd * sin
    out[..., 1::2] = even * sin + odd * cos
    return out
