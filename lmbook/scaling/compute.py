"""Training compute and the compute-optimal allocation; the memory of long context (chapter 8).

- :func:`training_flops`: ``C ~ 6 N D``. A weight matrix of ``N_W`` entries costs ``2 N_W``
  FLOPs per token forward (one multiply and one add per entry) and ``4 N_W`` backward (the
  gradients with respect to its input and to itself), so a model of ``N`` matrix weights costs
  ``6 N`` per token; attention scores add ``12 * layers * d_model * T`` per token (counted by
  :func:`attention_training_flops`), small while the context ``T`` is short next to ``6N``.
- :func:`chinchilla_optimal`: minimise ``L(N, D)`` (:func:`lmbook.scaling.chinchilla_loss`)
  subject to ``6 N D = C``, in closed form (Hoffmann et al. 2022, eq. 4);
  :func:`rule_of_thumb_optimal`: ``D = 20 N``; :data:`CHINCHILLA_TABLE3`: the paper's approach 1
  projections.
- :func:`kv_cache_bytes`, :func:`attention_scores_bytes`: the two memories that grow with the
  context length.
"""

from __future__ import annotations

from typing import Any

from lmbook.scaling.laws import CHINCHILLA_FIT, ChinchillaParams

__all__ = [
    "CHINCHILLA_TABLE3",
    "attention_scores_bytes",
    "attention_training_flops",
    "chinchilla_optimal",
    "kv_cache_bytes",
    "rule_of_thumb_optimal",
    "training_flops",
]

# Hoffmann et al. 2022, Table 3 (approach 1): (parameters, training FLOPs, training tokens) of a
# compute-optimal model of each size; the 67B row is Gopher's budget.
CHINCHILLA_TABLE3: list[tuple[float, float, float]] = [
    (400e6, 1.92e19, 8.0e9),
    (1e9, 1.21e20, 20.2e9),
    (10e9, 1.23e22, 205.1e9),
    (67e9, 5.76e23, 1.5e12),
    (175e9, 3.85e24, 3.7e12),
    (280e9, 9.90e24, 5.9e12),
    (520e9, 3.43e25, 11.0e12),
    (1e12, 1.27e26, 21.2e12),
    (10e12, 1.30e28, 216.2e12),
]


def training_flops(n_params: Any, n_tokens: Any) -> Any:
    """Training compute ``6 N D`` (FLOPs) of ``N`` matrix weights over ``D`` tokens."""
    return 6 * n_params * n_tokens


def attention_training_flops(n_layers: int, d_model: int, seq_len: int, n_tokens: Any) -> Any:
    """FLOPs of the attention scores and their weighted sum, forward and backward, over
    ``n_tokens`` tokens in sequences of ``seq_len`` (full, unmasked ``T x T`` products)."""
    return 12 * n_layers * d_model * seq_len * n_tokens


def chinchilla_optimal(compute: Any, params: ChinchillaParams = CHINCHILLA_FIT) -> tuple[Any, Any]:
    """``(N_opt, D_opt)`` minimising ``L(N, D)`` at ``6 N D = compute``:
    ``N_opt = G (C/6)**a``, ``D_opt = (C/6)**b / G`` with ``a = beta/(alpha+beta)``,
    ``b = alpha/(alpha+beta)``, ``G = (alpha A / (beta B))**(1/(alpha+beta))``."""
    s = params.alpha + params.beta
    g = (params.alpha * params.A / (params.beta * params.B)) ** (1 / s)
    base = compute / 6
    return g * base ** (params.beta / s), base ** (params.alpha / s) / g


def rule_of_thumb_optimal(compute: Any, tokens_per_param: float = 20.0) -> tuple[Any, Any]:
    """``(N, D)`` with ``D = tokens_per_param * N`` and ``6 N D = compute``."""
    n = (compute / (6 * tokens_per_param)) ** 0.5
    return n, tokens_per_param * n


def kv_cache_bytes(
    n_layers: int,
    n_kv_heads: int,
    head_dim: int,
    seq_len: int,
    batch: int = 1,
    bytes_per_value: int = 2,
) -> int:
    """Bytes of the key and value cache: ``2 * layers * kv_heads * head_dim * seq * batch *
    bytes`` (the 2 counts keys and values)."""
    return 2 * n_layers * n_kv_heads * head_dim * seq_len * batch * bytes_per_value


def attention_scores_bytes(
    n_heads: int, seq_len: int, batch: int = 1, bytes_per_value: int = 4
) -> int:
    """Bytes of one layer's ``T x T`` attention score matrix over all heads."""
    return n_heads * seq_len * seq_len * batch * bytes_per_value
