"""Run a ``transformers`` model on one text and collect its attention weights for the widgets.

Works with decoder-only (GPT), encoder-only (BERT) and encoder-decoder models (encoder, decoder and
cross-attention), plain or wrapped by ``peft``. Attention weights exist only in the "eager"
implementation, so a model loaded with SDPA or flash attention is switched to eager for the one
forward pass and switched back afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lmbook.viz.rollout import attention_rollout
from lmbook.viz.tokens import Token, group_tokens, merge_groups

__all__ = ["AttentionBlock", "AttentionSet", "capture_attention"]

_CAUSAL_TOL = 1e-9


@dataclass
class AttentionBlock:
    """One attention stack: weights ``[layers, heads, queries, keys]`` and which texts they link."""

    name: str
    weights: np.ndarray
    queries: str
    keys: str
    causal: bool
    rollout: np.ndarray | None = None


@dataclass
class AttentionSet:
    """The attention blocks of one model on one text, with the displayed tokens of each sequence."""

    blocks: list[AttentionBlock]
    sequences: dict[str, list[Token]] = field(default_factory=dict)

    @classmethod
    def from_arrays(
        cls, weights: np.ndarray, tokens: Sequence[str], causal: bool | None = None
    ) -> AttentionSet:
        """Self-attention from a plain array ``[layers, heads, T, T]`` and ``T`` token strings."""
        weights = np.asarray(weights, dtype=np.float32)
        if weights.ndim != 4 or weights.shape[-2:] != (len(tokens), len(tokens)):
            raise ValueError(
                f"weights must have shape [layers, heads, {len(tokens)}, {len(tokens)}] for "
                f"{len(tokens)} tokens, got {weights.shape}"
            )
        seq = [Token(str(t), (str(t),), ()) for t in tokens]
        if causal is None:
            causal = _is_causal(weights)
        block = AttentionBlock("self", weights, "text", "text", causal, attention_rollout(weights))
        return cls([block], {"text": seq})

    def block(self, name: str) -> AttentionBlock:
        """The block called ``name`` ("self", "encoder", "decoder" or "cross")."""
        for b in self.blocks:
            if b.name == name:
                return b
        raise KeyError(f"no attention block {name!r}; this set has {[b.name for b in self.blocks]}")


def _is_causal(weights: np.ndarray) -> bool:
    """True when every weight above the diagonal is zero (a causal mask was applied)."""
    return bool(weights.shape[-1] > 1 and np.all(np.triu(weights, 1) <= _CAUSAL_TOL))


@contextmanager
def _eager_eval(model: Any) -> Iterator[None]:
    """Switch to the eager attention implementation and eval mode, restoring both afterwards."""
    config = model.config
    previous = getattr(config, "_attn_implementation", "eager")
    was_training = model.training
    if previous != "eager":
        if not hasattr(model, "set_attn_implementation"):
            raise RuntimeError(
                f"this model computes attention with {previous!r}, which returns no weights: "
                "load it with attn_implementation='eager'."
            )
        model.set_attn_implementation("eager")
    model.eval()
    try:
        yield
    finally:
        model.train(was_training)
        if previous != "eager":
            model.set_attn_implementation(previous)


def _stack(attentions: Sequence[Any] | None, what: str) -> np.ndarray:
    """Per-layer ``[1, heads, Q, K]`` tensors -> one float32 array ``[layers, heads, Q, K]``."""
    if not attentions or any(a is None for a in attentions):
        raise RuntimeError(
            f"the model returned no {what} weights: load it with attn_implementation='eager'."
        )
    return np.stack([a[0].detach().float().cpu().numpy() for a in attentions])


def _decoder_inputs(model: Any, labels: Any) -> Any:
    """Decoder input ids for a target text: the labels shifted right behind the start token."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    if hasattr(base, "prepare_decoder_input_ids_from_labels"):
        return base.prepare_decoder_input_ids_from_labels(labels=labels)
    start = model.config.decoder_start_token_id
    if start is None:
        raise ValueError("set model.config.decoder_start_token_id to build the decoder's input")
    shifted = labels.new_full(labels.shape, start)
    shifted[:, 1:] = labels[:, :-1]
    return shifted


def _self_block(name: str, weights: np.ndarray, seq: str, groups: list[Token]) -> AttentionBlock:
    """Self-attention block with rollout, both carried over to the displayed token groups."""
    causal = _is_causal(weights)
    rollout = merge_groups(attention_rollout(weights), groups, groups)
    return AttentionBlock(name, merge_groups(weights, groups, groups), seq, seq, causal, rollout)


def capture_attention(
    model: Any,
    tokenizer: Any,
    text: str,
    target: str | None = None,
    merge_bytes: bool = True,
    max_tokens: int = 1024,
) -> AttentionSet:
    """Attention of ``model`` on ``text`` (for an encoder-decoder also on the decoder's ``target``).

    ``merge_bytes`` joins byte-level pieces of one character into one displayed token (attention
    is averaged over its query rows and summed over its key columns).
    """
    import torch

    encoded = tokenizer(text, return_tensors="pt")
    ids = encoded["input_ids"]
    n_tokens = ids.shape[1]
    if n_tokens > max_tokens:
        raise ValueError(
            f"the text has {n_tokens} tokens; attention grows with tokens² per head: pass a "
            f"shorter text or raise max_tokens (now {max_tokens})"
        )
    device = next(model.parameters()).device
    inputs = {"input_ids": ids.to(device), "attention_mask": encoded["attention_mask"].to(device)}
    source = group_tokens(tokenizer, ids[0].tolist(), merge_bytes)
    if getattr(model.config, "is_encoder_decoder", False):
        if target is None:
            raise ValueError("an encoder-decoder model needs target='...': the decoder's text")
        labels = tokenizer(text_target=target, return_tensors="pt")["input_ids"]
        decoder_ids = _decoder_inputs(model, labels)
        with _eager_eval(model), torch.no_grad():
            out = model(**inputs, decoder_input_ids=decoder_ids.to(device), output_attentions=True)
        dec = group_tokens(tokenizer, decoder_ids[0].tolist(), merge_bytes)
        cross = merge_groups(_stack(out.cross_attentions, "cross-attention"), dec, source)
        blocks = [
            _self_block("encoder", _stack(out.encoder_attentions, "encoder"), "source", source),
            _self_block("decoder", _stack(out.decoder_attentions, "decoder"), "target", dec),
            AttentionBlock("cross", cross, "target", "source", False),
        ]
        return AttentionSet(blocks, {"source": source, "target": dec})
    if target is not None:
        raise ValueError("target= is only for encoder-decoder models; this model has one stack")
    with _eager_eval(model), torch.no_grad():
        out = model(**inputs, output_attentions=True)
    return AttentionSet(
        [_self_block("self", _stack(out.attentions, "attention"), "text", source)], {"text": source}
    )
