"""One-dimensional convolution from scratch (section 3.2), equal to ``torch.nn.functional.conv1d``.

:func:`conv1d` gathers, for every output position, the ``k`` input positions it reads
(``start = i * stride - padding``, taps ``start + j * dilation``) and multiplies them with the
kernel, group by group. :func:`conv1d_output_length`, :func:`conv1d_param_count` and
:func:`receptive_field` are the formulas the section checks against modules and gradients.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

__all__ = ["conv1d", "conv1d_output_length", "conv1d_param_count", "receptive_field"]

Tensor = torch.Tensor


def conv1d_output_length(
    length: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    """floor((L + 2p - d (k - 1) - 1) / s) + 1, as PyTorch's documentation gives it."""
    return (length + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def conv1d(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    groups: int = 1,
) -> Tensor:
    """Cross-correlation of ``x`` ``[B, C_in, L]`` with ``weight`` ``[C_out, C_in / groups, k]``
    (PyTorch does not flip the kernel): y[b, o, i] = bias[o] + sum_{c, j} w[o, c, j] x[b, g*C + c,
    i*s - p + j*d], where g is the group of output channel o."""
    b, c_in, length = x.shape
    c_out, c_per_group, k = weight.shape
    if c_in != c_per_group * groups or c_out % groups:
        raise ValueError(
            f"channels {c_in} -> {c_out} do not split into {groups} groups "
            f"for a weight of shape {tuple(weight.shape)}"
        )
    x = torch.nn.functional.pad(x, (padding, padding))  # zeros on both ends
    n_out = conv1d_output_length(length, k, stride, padding, dilation)
    taps = torch.arange(n_out)[:, None] * stride + torch.arange(k)[None, :] * dilation  # [n_out, k]
    windows = x[:, :, taps]  # [B, C_in, n_out, k]
    windows = windows.view(b, groups, c_per_group, n_out, k)
    w = weight.view(groups, c_out // groups, c_per_group, k)
    y = torch.einsum("bgcnk,gock->bgon", windows, w).reshape(b, c_out, n_out)
    return y if bias is None else y + bias[None, :, None]


def conv1d_param_count(
    c_in: int, c_out: int, kernel: int, groups: int = 1, bias: bool = True
) -> int:
    """C_out * (C_in / groups) * k weights, plus C_out biases."""
    return c_out * (c_in // groups) * kernel + (c_out if bias else 0)


def receptive_field(
    kernels: Sequence[int],
    strides: Sequence[int] | None = None,
    dilations: Sequence[int] | None = None,
) -> int:
    """Input positions one output of a conv stack sees: 1 + sum_l (k_l - 1) d_l prod_{j<l} s_j."""
    strides = strides or [1] * len(kernels)
    dilations = dilations or [1] * len(kernels)
    field, jump = 1, 1
    for k, s, d in zip(kernels, strides, dilations, strict=True):
        field += (k - 1) * d * jump
        jump *= s
    return field
