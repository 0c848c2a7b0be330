"""Display tokens: byte-level pieces merged back into whole characters, raw pieces kept for hover.

A byte-level BPE splits a Chinese character (3 UTF-8 bytes) across tokens whose raw pieces read as
mojibake ("ä¸Ń"). ``group_tokens`` joins consecutive tokens until they decode to whole characters;
``merge_groups`` carries an attention matrix over to those groups (mean over query tokens, sum over
key tokens, so every row still sums to one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Token", "group_tokens", "merge_groups", "token_payload"]

_REPLACEMENT = "\ufffd"
_MAX_GROUP = 16  # a UTF-8 character spans at most 4 bytes; chains of split characters stay short


@dataclass(frozen=True)
class Token:
    """One displayed unit: its text, the raw tokenizer pieces behind it and their ids."""

    text: str
    pieces: tuple[str, ...]
    ids: tuple[int, ...]


def _decode(tokenizer: Any, ids: Sequence[int]) -> str:
    """Decode ids with special tokens kept and no space clean-up (HF or raw ``tokenizers``)."""
    if hasattr(tokenizer, "convert_ids_to_tokens"):
        return tokenizer.decode(
            list(ids), skip_special_tokens=False, clean_up_tokenization_spaces=False
        )
    return tokenizer.decode(list(ids), skip_special_tokens=False)


def _pieces(tokenizer: Any, ids: Sequence[int]) -> list[str]:
    """Raw vocabulary pieces of ids (HF tokenizer or raw ``tokenizers.Tokenizer``)."""
    if hasattr(tokenizer, "convert_ids_to_tokens"):
        return list(tokenizer.convert_ids_to_tokens(list(ids)))
    return [tokenizer.id_to_token(int(i)) for i in ids]


def group_tokens(tokenizer: Any, ids: Sequence[int], merge_bytes: bool = True) -> list[Token]:
    """Group token ids into displayable units; with ``merge_bytes`` split characters are joined.

    A group grows while its decoded text still contains the replacement character U+FFFD (an
    incomplete UTF-8 sequence), so tokenizers that never split characters give one group per token.
    """
    ids = [int(i) for i in ids]
    pieces = _pieces(tokenizer, ids)
    groups: list[Token] = []
    start = 0
    while start < len(ids):
        end = start + 1
        text = _decode(tokenizer, ids[start:end])
        limit = min(len(ids), start + _MAX_GROUP) if merge_bytes else end
        while _REPLACEMENT in text and end < limit:
            end += 1
            text = _decode(tokenizer, ids[start:end])
        groups.append(Token(text, tuple(pieces[start:end]), tuple(ids[start:end])))
        start = end
    return groups


def _starts(groups: Sequence[Token]) -> np.ndarray:
    """Index of the first token of each group."""
    sizes = np.array([len(g.ids) for g in groups])
    return np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)


def merge_groups(
    weights: np.ndarray, query_groups: Sequence[Token], key_groups: Sequence[Token]
) -> np.ndarray:
    """Attention over tokens ``[..., Q, K]`` -> over groups: mean over query rows, sum over keys."""
    n_q = sum(len(g.ids) for g in query_groups)
    n_k = sum(len(g.ids) for g in key_groups)
    if weights.shape[-2:] != (n_q, n_k):
        raise ValueError(
            f"attention of shape {weights.shape} does not match {n_q} query and {n_k} key tokens"
        )
    if len(query_groups) == n_q and len(key_groups) == n_k:
        return weights
    summed = np.add.reduceat(weights, _starts(key_groups), axis=-1)
    sizes = np.array([len(g.ids) for g in query_groups], dtype=weights.dtype)
    return np.add.reduceat(summed, _starts(query_groups), axis=-2) / sizes[:, None]


def token_payload(tokens: Sequence[Token]) -> list[dict[str, Any]]:
    """JSON-ready token list for the widgets: text ``t``, raw pieces ``p``, ids ``i``."""
    return [{"t": t.text, "p": list(t.pieces), "i": list(t.ids)} for t in tokens]
