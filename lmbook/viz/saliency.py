"""Input saliency per token: gradient x input and integrated gradients on the token embeddings.

Both attribute a scalar score ``f`` (the log-probability of a class, or of a next / masked token)
to the input embeddings ``x``; a token's saliency is the sum over its embedding dimensions.

- gradient x input: ``x * df/dx``;
- integrated gradients (Sundararajan et al. 2017): ``(x - x') * ∫_0^1 df/dx(x' + a (x - x')) da``,
  the integral by Gauss-Legendre quadrature (as captum does by default); the attributions sum to
  ``f(x) - f(x')`` (completeness), and the gap is reported as ``delta``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lmbook.viz.tokens import Token, group_tokens

__all__ = [
    "METHODS",
    "SaliencyResult",
    "gradient_x_input",
    "integrated_gradients",
    "token_saliency",
]

METHODS = ("grad_x_input", "integrated_gradients")


@dataclass
class SaliencyResult:
    """Per-token saliency of one text: scores per method, what was explained, and its value."""

    tokens: list[Token]
    scores: dict[str, np.ndarray]
    target: str
    value: float | None = None
    delta: float | None = None


def gradient_x_input(score: Callable[[Any], Any], inputs: Any) -> Any:
    """``inputs * d score / d inputs``; ``score`` maps ``[batch, ...]`` to ``[batch]``."""
    import torch

    x = inputs.detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(score(x).sum(), x)
    return (x * grad).detach()


def integrated_gradients(
    score: Callable[[Any], Any],
    inputs: Any,
    baseline: Any | None = None,
    steps: int = 32,
    batch_size: int = 16,
) -> Any:
    """Integrated gradients of ``score`` from ``baseline`` (default: zeros) to ``inputs``."""
    import torch

    if steps < 2:
        raise ValueError(f"steps must be >= 2, got {steps}")
    base = torch.zeros_like(inputs) if baseline is None else baseline.to(inputs)
    nodes, weights = np.polynomial.legendre.leggauss(steps)
    alphas = torch.tensor(0.5 * (nodes + 1.0), dtype=inputs.dtype, device=inputs.device)
    weights_t = torch.tensor(0.5 * weights, dtype=inputs.dtype, device=inputs.device)
    diff = (inputs - base).detach()
    total = torch.zeros_like(inputs)
    for start in range(0, steps, batch_size):
        a = alphas[start : start + batch_size].view(-1, *([1] * (inputs.dim() - 1)))
        path = (base + a * diff).detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(score(path).sum(), path)
        w = weights_t[start : start + batch_size].view_as(a)
        total += (grad * w).sum(dim=0, keepdim=True)
    return (diff * total).detach()


def _target_position(tokenizer: Any, ids: list[int]) -> int:
    """Where an LM's prediction is explained: the first mask token, else the last ordinary token."""
    mask = getattr(tokenizer, "mask_token_id", None)
    if mask is not None and mask in ids:
        return ids.index(mask)
    special = set(getattr(tokenizer, "all_special_ids", []))
    ordinary = [i for i, t in enumerate(ids) if t not in special]
    return ordinary[-1] if ordinary else len(ids) - 1


def _single_token(tokenizer: Any, target: str | int) -> int:
    if isinstance(target, int):
        return target
    ids = tokenizer(target, add_special_tokens=False)["input_ids"]
    if len(ids) != 1:
        raise ValueError(f"target {target!r} is {len(ids)} tokens; give one token or its id")
    return ids[0]


def token_saliency(
    model: Any,
    tokenizer: Any,
    text: str,
    target: str | int | None = None,
    methods: Sequence[str] = METHODS,
    steps: int = 32,
    baseline: str = "zeros",
    merge_bytes: bool = True,
) -> SaliencyResult:
    """Saliency of each token of ``text`` for a classifier's class or an LM's predicted token.

    Classifier (logits ``[batch, classes]``): ``target`` is a class index, default the predicted
    one. LM (logits ``[batch, T, vocab]``): the token at the text's first mask token (masked LM),
    else the token after its last ordinary token (causal LM); ``target`` is that token (string or
    id), default the predicted one. The score is its log-probability. ``baseline``: "zeros" or
    "pad" (the pad token's embedding).
    """
    import torch

    unknown = sorted(set(methods) - set(METHODS))
    if unknown:
        raise ValueError(f"unknown methods {unknown}; choose from {list(METHODS)}")
    if baseline not in ("zeros", "pad"):
        raise ValueError(f"baseline must be 'zeros' or 'pad', got {baseline!r}")
    encoded = tokenizer(text, return_tensors="pt")
    device = next(model.parameters()).device
    ids = encoded["input_ids"].to(device)
    mask = encoded["attention_mask"].to(device)
    embed = model.get_input_embeddings()
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            x = embed(ids)
            logits = model(inputs_embeds=x, attention_mask=mask).logits
        if logits.dim() == 2:
            index = int(logits[0].argmax()) if target is None else int(target)
            labels = getattr(model.config, "id2label", {}) or {}
            what = f"类别 {index} ({labels.get(index, index)})"

            def pick(out: Any) -> Any:
                return out.log_softmax(-1)[:, index]
        else:
            pos = _target_position(tokenizer, ids[0].tolist())
            index = (
                int(logits[0, pos].argmax()) if target is None else _single_token(tokenizer, target)
            )
            what = f"位置 {pos} 的 token {tokenizer.convert_ids_to_tokens(index)!r}"

            def pick(out: Any) -> Any:
                return out[:, pos].log_softmax(-1)[:, index]

        def score(e: Any) -> Any:
            out = model(inputs_embeds=e, attention_mask=mask.expand(e.shape[0], -1)).logits
            return pick(out)

        base = None
        if baseline == "pad":
            if tokenizer.pad_token_id is None:
                raise ValueError("baseline='pad' needs a tokenizer with a pad token")
            base = embed(torch.full_like(ids, tokenizer.pad_token_id)).detach()
        value = float(score(x).detach()[0])
        tokens = group_tokens(tokenizer, ids[0].tolist(), merge_bytes)
        sizes = np.cumsum([0] + [len(t.ids) for t in tokens])[:-1]
        scores, delta = {}, None
        for method in methods:
            if method == "grad_x_input":
                attr = gradient_x_input(score, x)
            else:
                attr = integrated_gradients(score, x, base, steps)
                with torch.no_grad():
                    reference = float(score(torch.zeros_like(x) if base is None else base)[0])
                delta = float(attr.sum()) - (value - reference)
            per_token = attr[0].sum(-1).float().cpu().numpy()
            scores[method] = np.add.reduceat(per_token, sizes)
    finally:
        model.train(was_training)
    return SaliencyResult(tokens, scores, what, value, delta)
