"""NF4 from scratch (lmbook.nn.quant): QLoRA's code values, rounding, double quantisation."""

from __future__ import annotations

import pytest
import torch

from lmbook.nn import (
    INT8_CODEBOOK,
    NF4_BNB,
    UNIFORM4_CODEBOOK,
    bits_per_parameter,
    dequantize_blockwise,
    double_quantize,
    nf4_codebook,
    quantize_blockwise,
)


def test_nf4_built_from_normal_quantiles_is_bitsandbytes_table() -> None:
    torch.testing.assert_close(nf4_codebook(), NF4_BNB, rtol=0, atol=2e-7)
    assert len(NF4_BNB) == 16 and NF4_BNB[7] == 0 and NF4_BNB[0] == -1 and NF4_BNB[-1] == 1


def test_rounds_to_nearest_code_and_keeps_absmax() -> None:
    w = torch.randn(300, 70, generator=torch.Generator().manual_seed(0))
    q = quantize_blockwise(w)
    back = dequantize_blockwise(q)
    assert back.shape == w.shape and q.codes.max() < 16
    flat = torch.nn.functional.pad(w.reshape(-1), (0, (-w.numel()) % 64)).reshape(-1, 64)
    normed = flat / flat.abs().amax(1, keepdim=True)
    brute = (normed[..., None] - NF4_BNB).abs().argmin(-1)
    assert torch.equal(q.codes.long(), brute)
    # the largest value of each block is represented exactly (code +-1)
    torch.testing.assert_close(back.abs().max(), w.abs().max())


def test_nf4_beats_uniform_4bit_on_normal_weights_and_int8_beats_both() -> None:
    w = torch.randn(512, 512, generator=torch.Generator().manual_seed(0)) * 0.02
    err = {
        name: (dequantize_blockwise(quantize_blockwise(w, book)) - w).pow(2).mean()
        for name, book in [("nf4", NF4_BNB), ("u4", UNIFORM4_CODEBOOK), ("int8", INT8_CODEBOOK)]
    }
    assert err["int8"] < err["nf4"] < err["u4"]


def test_double_quantization_saving() -> None:
    assert bits_per_parameter(4, 64) == 4.5
    assert bits_per_parameter(4, 64, double=True) == pytest.approx(4.127, abs=1e-3)
    assert bits_per_parameter(4, 64) - bits_per_parameter(4, 64, double=True) == pytest.approx(
        0.373, abs=1e-3
    )
    absmax = quantize_blockwise(torch.randn(1 << 16)).absmax
    back, offset = double_quantize(absmax)
    assert offset > 0 and (back - absmax).abs().max() < 0.01 * absmax.max()


def test_matches_bitsandbytes_when_installed() -> None:
    bnb = pytest.importorskip("bitsandbytes.functional")
    w = torch.randn(256, 128, generator=torch.Generator().manual_seed(0))
    packed, state = bnb.quantize_4bit(w, blocksize=64, quant_type="nf4")
    assert torch.equal(
        bnb.dequantize_4bit(packed, state), dequantize_blockwise(quantize_blockwise(w))
    )
