"""Count-based word vectors: character vocabularies, window co-occurrence counts and PPMI.

Chapter 2 builds a "trained matrix" without any neural network: the positive pointwise mutual
information (PPMI) of characters that occur near each other in a corpus. Its SVD gives dense
character vectors and shows what a low-rank approximation keeps (section 2.3).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
from scipy import sparse

__all__ = ["cooccurrence_counts", "ppmi", "top_characters"]


def top_characters(texts: Iterable[str], k: int, exclude: str = "") -> list[str]:
    """Return the ``k`` most frequent characters of ``texts`` (ties broken by code point).

    ``exclude`` lists characters to leave out (e.g. whitespace or punctuation), so that a
    vocabulary is built from the symbols one wants vectors for.
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    counts = Counter()
    for text in texts:
        counts.update(text)
    for ch in exclude:
        counts.pop(ch, None)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [ch for ch, _ in ranked[:k]]


def cooccurrence_counts(
    texts: Iterable[str], vocab: Sequence[str], window: int = 2
) -> sparse.csr_matrix:
    """Count how often two vocabulary characters occur at most ``window`` positions apart.

    Returns a symmetric ``len(vocab) x len(vocab)`` sparse matrix ``C`` where ``C[i, j]`` is the
    number of positions ``t`` and offsets ``1 <= d <= window`` with ``{x_t, x_{t+d}} = {i, j}``
    (each unordered pair counted once in each direction). Windows never cross from one text to
    the next, and characters outside ``vocab`` are skipped (they still take up a position).
    """
    if window < 1:
        raise ValueError(f"window must be >= 1, got {window}")
    index = {ch: i for i, ch in enumerate(vocab)}
    if len(index) != len(vocab):
        raise ValueError("vocab contains duplicate characters; pass each character once")
    pad = [-1] * window  # keeps windows from crossing text boundaries
    ids: list[int] = list(pad)
    for text in texts:
        ids.extend(index.get(ch, -1) for ch in text)
        ids.extend(pad)
    seq = np.asarray(ids, dtype=np.int64)
    rows, cols = [], []
    for d in range(1, window + 1):
        left, right = seq[:-d], seq[d:]
        keep = (left >= 0) & (right >= 0)
        rows += [left[keep], right[keep]]
        cols += [right[keep], left[keep]]
    row = np.concatenate(rows)
    col = np.concatenate(cols)
    n = len(vocab)
    data = np.ones(len(row), dtype=np.float64)
    return sparse.coo_matrix((data, (row, col)), shape=(n, n)).tocsr()  # sums duplicates


def ppmi(counts: sparse.spmatrix | np.ndarray, alpha: float = 1.0) -> sparse.csr_matrix:
    """Positive PMI of a word-context count matrix, with context smoothing ``alpha``.

    ``PPMI(w, c) = max(0, log(P(w, c) / (P(w) * P_alpha(c))))`` with ``P(w, c) = C[w, c] / N``,
    ``P(w) = sum_c C[w, c] / N`` and ``P_alpha(c) = (sum_w C[w, c])**alpha / sum_c' (...)**alpha``.
    ``alpha = 0.75`` (Levy et al., 2015) raises the probability of rare contexts and so lowers
    the very large PMI they would otherwise get. Pairs never seen together get 0.
    """
    if not 0 < alpha <= 1:
        raise ValueError(f"alpha must be in (0, 1], got {alpha}")
    c = sparse.csr_matrix(counts, dtype=np.float64)
    if c.shape[0] == 0 or c.shape[1] == 0:
        raise ValueError(f"counts must be a non-empty 2-D matrix, got shape {c.shape}")
    if c.nnz and c.data.min() < 0:
        raise ValueError("counts must be non-negative co-occurrence counts")
    c.eliminate_zeros()
    total = c.sum()
    if total == 0:
        raise ValueError("counts are all zero: there is nothing to compute PMI from")
    p_w = np.asarray(c.sum(axis=1)).ravel() / total
    ctx = np.asarray(c.sum(axis=0)).ravel() ** alpha
    p_c = ctx / ctx.sum()
    coo = c.tocoo()
    pmi = np.log(coo.data / total) - np.log(p_w[coo.row]) - np.log(p_c[coo.col])
    keep = pmi > 0
    out = sparse.coo_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=c.shape)
    return out.tocsr()
