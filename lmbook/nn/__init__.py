"""From-scratch reference implementations of what the book explains, each tested against the
library it explains (``tests/test_nn_*.py``).

- :class:`LoRALinear`, :func:`add_lora`, :func:`merge_lora`, :func:`unload_lora` — LoRA
  (Hu et al. 2021) on ``nn.Linear`` and GPT-2's ``Conv1D``; identical to ``peft``'s LoRA.
- :func:`nf4_codebook`, :func:`quantize_blockwise`, :func:`dequantize_blockwise`,
  :func:`double_quantize` — QLoRA's 4-bit NormalFloat and double quantisation (Dettmers et al.
  2023), compared with int8 and uniform 4-bit.
- :class:`ManualMLP`, :data:`ACTIVATIONS`, :func:`init_weight` — an MLP with a hand-written
  backward pass, activations with their derivatives, Xavier / He initialisation (section 3.1).
- :class:`RNN`, :class:`LSTM`, :class:`GRU` and their cells — recurrent layers from scratch,
  identical to ``torch.nn``'s; :func:`state_jacobian_norms` (sections 3.3-3.5).
- :class:`CharLM`, :func:`bits_per_character` — a character RNN language model scored like the
  n-gram models of chapter 2.
- :func:`scaled_dot_product_attention`, :class:`MultiHeadAttention`, :class:`TransformerBlock`,
  :func:`sinusoidal_encoding`, :func:`rope` — attention and positional encodings (section 3.6).
- :func:`conv1d`, :func:`receptive_field`, :class:`TextCNN` — convolution from scratch (stride,
  padding, dilation, groups) and Kim's TextCNN over characters (sections 3.2 and 6.2).
- :class:`SGD`, :class:`RMSProp`, :class:`Adam`, :class:`AdamW` — optimisers from scratch,
  identical to ``torch.optim``'s step for step (section 4.3).
- :func:`log_softmax`, :func:`cross_entropy_loss`, :func:`focal_loss`, :func:`lm_loss` — stable
  log-softmax, cross-entropy with weights and label smoothing, focal loss, the causal LM loss
  (section 4.2), equal to PyTorch's and transformers'.
- :func:`measure_cost`, :func:`peak_memory`, :func:`fit_power_law` — time and peak memory of a
  call, and the exponent of its growth (3.6; the long-context cost of chapter 8).
- :class:`MoELayer`, :func:`load_balancing_loss` — a top-k routed mixture-of-experts layer and
  the Switch Transformer load-balancing loss (section 8.1).

Names are imported lazily: ``import lmbook.nn`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submodules=[
        "attention",
        "charlm",
        "conv",
        "cost",
        "lora",
        "losses",
        "mlp",
        "moe",
        "optim",
        "positional",
        "quant",
        "recurrent",
        "textcnn",
    ],
    submod_attrs={
        "attention": [
            "MultiHeadAttention",
            "TransformerBlock",
            "causal_mask",
            "padding_mask",
            "scaled_dot_product_attention",
        ],
        "charlm": ["CharLM", "bits_per_character", "sentence_batches"],
        "conv": ["conv1d", "conv1d_output_length", "conv1d_param_count", "receptive_field"],
        "cost": ["Cost", "fit_power_law", "measure_cost", "peak_memory"],
        "lora": [
            "LoRALinear",
            "add_lora",
            "lora_parameters",
            "matches_target",
            "merge_lora",
            "unload_lora",
        ],
        "losses": ["cross_entropy_loss", "focal_loss", "lm_loss", "log_softmax"],
        "mlp": [
            "ACTIVATIONS",
            "INIT_SCHEMES",
            "Activation",
            "ManualMLP",
            "init_weight",
            "softmax_cross_entropy",
        ],
        "moe": ["MoELayer", "MoEOutput", "load_balancing_loss"],
        "optim": ["SGD", "Adam", "AdamW", "RMSProp"],
        "positional": ["rope", "rope_angles", "sinusoidal_encoding"],
        "quant": [
            "INT8_CODEBOOK",
            "NF4_BNB",
            "UNIFORM4_CODEBOOK",
            "QuantizedTensor",
            "bits_per_parameter",
            "dequantize_blockwise",
            "double_quantize",
            "nf4_codebook",
            "quantize_blockwise",
        ],
        "recurrent": [
            "GATES",
            "GRU",
            "LSTM",
            "RNN",
            "gru_cell",
            "gru_cell_cho",
            "lstm_cell",
            "recurrent_param_count",
            "rnn_cell",
            "state_jacobian_norms",
        ],
        "textcnn": ["CharVocab", "TextCNN"],
    },
)

if TYPE_CHECKING:  # pragma: no cover
    from lmbook.nn.attention import (
        MultiHeadAttention,
        TransformerBlock,
        causal_mask,
        padding_mask,
        scaled_dot_product_attention,
    )
    from lmbook.nn.charlm import CharLM, bits_per_character, sentence_batches
    from lmbook.nn.conv import conv1d, conv1d_output_length, conv1d_param_count, receptive_field
    from lmbook.nn.cost import Cost, fit_power_law, measure_cost, peak_memory
    from lmbook.nn.lora import (
        LoRALinear,
        add_lora,
        lora_parameters,
        matches_target,
        merge_lora,
        unload_lora,
    )
    from lmbook.nn.losses import cross_entropy_loss, focal_loss, lm_loss, log_softmax
    from lmbook.nn.mlp import (
        ACTIVATIONS,
        INIT_SCHEMES,
        Activation,
        ManualMLP,
        init_weight,
        softmax_cross_entropy,
    )
    from lmbook.nn.moe import MoELayer, MoEOutput, load_balancing_loss
    from lmbook.nn.optim import SGD, Adam, AdamW, RMSProp
    from lmbook.nn.positional import rope, rope_angles, sinusoidal_encoding
    from lmbook.nn.quant import (
        INT8_CODEBOOK,
        NF4_BNB,
        UNIFORM4_CODEBOOK,
        QuantizedTensor,
        bits_per_parameter,
        dequantize_blockwise,
        double_quantize,
        nf4_codebook,
        quantize_blockwise,
    )
    from lmbook.nn.recurrent import (
        GATES,
        GRU,
        LSTM,
        RNN,
        gru_cell,
        gru_cell_cho,
        lstm_cell,
        recurrent_param_count,
        rnn_cell,
        state_jacobian_norms,
    )
    from lmbook.nn.textcnn import CharVocab, TextCNN
