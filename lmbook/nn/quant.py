"""Block-wise quantisation of weights, as QLoRA does it (Dettmers et al. 2023).

A weight matrix is cut into blocks of ``blocksize`` values (64 in QLoRA); each block is divided
by its absolute maximum (``absmax``, kept in float32), so it lies in [-1, 1], and every value is
replaced by the index of the nearest of 2^k *code values*. 4-bit NormalFloat (NF4) places its 16
code values at quantiles of a normal distribution, because trained weights are roughly normal:
each code value is then used about equally often, which makes it information-theoretically good
for such data. Double quantisation then quantises the float32 absmax constants themselves to
8 bits (blocks of 256), cutting their cost from 32/64 = 0.5 to 8/64 + 32/(64*256) ~ 0.127 bits
per weight. QLoRA stores the frozen base weights this way and *dequantises them to bf16 for every
matrix product*: compute happens in 16-bit, never in 4-bit; the LoRA factors stay in bf16.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

__all__ = [
    "INT8_CODEBOOK",
    "NF4_BNB",
    "UNIFORM4_CODEBOOK",
    "QuantizedTensor",
    "bits_per_parameter",
    "dequantize_blockwise",
    "double_quantize",
    "nf4_codebook",
    "quantize_blockwise",
]

# The 16 NF4 values hard-coded in bitsandbytes (csrc/kernels.cu, ``nf4_dequantization_lut``)
NF4_BNB = torch.tensor(
    [
        -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
        -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
        0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
        0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
    ]
)  # fmt: skip
# Symmetric absmax int8: round(127 x / absmax), i.e. the 255 values k/127
INT8_CODEBOOK = torch.arange(-127, 128, dtype=torch.float32) / 127
# 16 evenly spaced values over [-1, 1]: "uniform 4-bit", the same budget as NF4
UNIFORM4_CODEBOOK = torch.linspace(-1.0, 1.0, 16)


def nf4_codebook(offset: float = 0.9677083) -> torch.Tensor:
    """Build NF4 from normal quantiles, as QLoRA's ``create_normal_map``: 8 positive values at
    the quantiles ``linspace(offset, 0.5, 9)[:-1]`` and 7 negative ones at
    ``linspace(offset, 0.5, 8)[:-1]`` (an asymmetric split, so that 0 is exactly representable),
    plus 0, scaled to [-1, 1]. ``offset`` (= 1 - (1/30 + 1/32) / 2) keeps the end quantiles
    finite."""
    normal = torch.distributions.Normal(0.0, 1.0)
    pos = normal.icdf(torch.linspace(offset, 0.5, 9, dtype=torch.float64)[:-1])
    neg = -normal.icdf(torch.linspace(offset, 0.5, 8, dtype=torch.float64)[:-1])
    values = torch.cat([pos, torch.zeros(1, dtype=torch.float64), neg]).sort().values
    return (values / values.max()).float()


@dataclass
class QuantizedTensor:
    """Indices into ``codebook`` (one byte each here; two 4-bit codes share a byte on disk),
    one ``absmax`` per block, and what is needed to rebuild the original shape."""

    codes: torch.Tensor  # uint8, (n_blocks, blocksize)
    absmax: torch.Tensor  # float32, (n_blocks,)
    codebook: torch.Tensor
    shape: tuple[int, ...]
    blocksize: int

    @property
    def bits(self) -> int:
        """Bits per stored code: 4 for a 16-value codebook, 8 for int8."""
        return max(1, (len(self.codebook) - 1).bit_length())


def quantize_blockwise(
    w: torch.Tensor, codebook: torch.Tensor | None = None, blocksize: int = 64
) -> QuantizedTensor:
    """Absmax-normalise each block of ``blocksize`` values and round to the nearest code value
    (NF4 by default). The last block is padded with zeros."""
    book = (NF4_BNB if codebook is None else codebook).to(torch.float32)
    flat = w.detach().reshape(-1).to(torch.float32)
    pad = (-len(flat)) % blocksize
    blocks = torch.nn.functional.pad(flat, (0, pad)).reshape(-1, blocksize)
    absmax = blocks.abs().amax(dim=1)
    normed = blocks / absmax.clamp(min=torch.finfo(torch.float32).tiny)[:, None]
    # nearest code value: compare with the midpoints between neighbouring code values
    mid = (book[1:] + book[:-1]) / 2
    codes = torch.bucketize(normed, mid).to(torch.uint8)
    return QuantizedTensor(codes, absmax, book, tuple(w.shape), blocksize)


def dequantize_blockwise(q: QuantizedTensor, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Code value times its block's absmax, back in the original shape (in ``dtype``)."""
    values = q.codebook[q.codes.long()] * q.absmax[:, None]
    n = 1
    for s in q.shape:
        n *= s
    return values.reshape(-1)[:n].reshape(q.shape).to(dtype)


def double_quantize(absmax: torch.Tensor, blocksize: int = 256) -> tuple[torch.Tensor, float]:
    """QLoRA's double quantisation of the per-block constants: subtract their mean (they are all
    positive), quantise blocks of ``blocksize`` to 8 bits, and dequantise again. Returns the
    reconstructed constants and the mean. (bitsandbytes uses an 8-bit *dynamic* float code here;
    the linear int8 code keeps the sketch short and costs the same 8 bits.)"""
    offset = float(absmax.mean())
    q = quantize_blockwise(absmax - offset, INT8_CODEBOOK, blocksize)
    return dequantize_blockwise(q) + offset, offset


def bits_per_parameter(
    bits: int = 4, blocksize: int = 64, double: bool = False, blocksize2: int = 256
) -> float:
    """Storage per weight: the code plus its share of the block constants. Without double
    quantisation one float32 absmax per block (``32 / blocksize``); with it one 8-bit constant per
    block plus one float32 per ``blocksize2`` blocks (``8 / blocksize + 32 / (blocksize *
    blocksize2)``)."""
    if double:
        return bits + 8 / blocksize + 32 / (blocksize * blocksize2)
    return bits + 32 / blocksize
