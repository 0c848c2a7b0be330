"""Information theory from scratch (entropy, cross-entropy, KL, MI, PMI) and new-word discovery.

The formulas of section 2.2, written out with NumPy so each line reads like the math; the tests
check them against ``scipy`` and ``sklearn``. ``discover_words`` finds Chinese words in raw text
without a dictionary: a word's characters stick together (high PMI between its parts) and it
combines freely with its neighbours (high left and right branching entropy).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "adjacent_pairs",
    "cross_entropy",
    "discover_words",
    "entropy",
    "kl_divergence",
    "mutual_information",
    "pmi_table",
]


def _distribution(p: Sequence[float] | np.ndarray, name: str) -> np.ndarray:
    """``p`` as a float array, checked to be a probability distribution."""
    arr = np.asarray(p, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of probabilities")
    if (arr < 0).any() or not np.isclose(arr.sum(), 1.0, atol=1e-6):
        raise ValueError(
            f"{name} must be non-negative and sum to 1 (it sums to {arr.sum():.6g}); "
            f"normalise counts first: {name} = counts / counts.sum()"
        )
    return arr


def _pair(p: Sequence[float], q: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    p, q = _distribution(p, "p"), _distribution(q, "q")
    if p.shape != q.shape:
        raise ValueError(
            f"p and q must cover the same outcomes, got shapes {p.shape} and {q.shape}"
        )
    return p, q


def entropy(p: Sequence[float] | np.ndarray, base: float = 2.0) -> float:
    """H(p) = -sum p log p (with 0 log 0 = 0): the average surprise of one draw from p."""
    p = _distribution(p, "p")
    nz = p > 0
    return float(-(p[nz] * np.log(p[nz])).sum() / np.log(base))


def cross_entropy(
    p: Sequence[float] | np.ndarray, q: Sequence[float] | np.ndarray, base: float = 2.0
) -> float:
    """H(p, q) = -sum p log q: the average code length when data from p is coded with q."""
    p, q = _pair(p, q)
    nz = p > 0
    with np.errstate(divide="ignore"):
        return float(-(p[nz] * np.log(q[nz])).sum() / np.log(base))


def kl_divergence(
    p: Sequence[float] | np.ndarray, q: Sequence[float] | np.ndarray, base: float = 2.0
) -> float:
    """KL(p || q) = sum p log(p / q) >= 0: extra cost of coding p with q; inf if q misses p."""
    p, q = _pair(p, q)
    nz = p > 0
    with np.errstate(divide="ignore"):
        return float((p[nz] * (np.log(p[nz]) - np.log(q[nz]))).sum() / np.log(base))


def adjacent_pairs(texts: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
    """(left, right) characters of every pair of neighbours inside a text, as two '<U1' arrays."""
    lefts, rights = [], []
    for text in texts:
        chars = np.array(list(text), dtype="<U1")
        lefts.append(chars[:-1])
        rights.append(chars[1:])
    if not lefts:
        raise ValueError("adjacent_pairs() needs at least one text")
    return np.concatenate(lefts), np.concatenate(rights)


def _joint_counts(x: Sequence, y: Sequence) -> tuple[np.ndarray, ...]:
    """Distinct (x, y) pairs with their counts and the marginal counts of their x and y."""
    x, y = np.asarray(x), np.asarray(y)
    if x.shape != y.shape or x.ndim != 1 or x.size == 0:
        raise ValueError(
            f"x and y must be paired 1-D label arrays, got shapes {x.shape}, {y.shape}"
        )
    xs, xi = _unique_labels(x)
    ys, yi = _unique_labels(y)
    pair, n_xy = np.unique(xi.astype(np.int64) * len(ys) + yi, return_counts=True)
    px, py = pair // len(ys), pair % len(ys)
    return xs[px], ys[py], n_xy, np.bincount(xi)[px], np.bincount(yi)[py]


def _unique_labels(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct labels and each element's index among them (``np.unique``); single
    characters are sorted as their code points, many times faster than as strings."""
    if a.dtype == np.dtype("<U1"):
        codes = a.view(np.uint32)
        distinct = np.unique(codes)  # without return_inverse: that path is slower than a search
        return distinct.view("<U1"), np.searchsorted(distinct, codes)
    return np.unique(a, return_inverse=True)


def mutual_information(x: Sequence, y: Sequence, base: float = 2.0) -> float:
    """I(X; Y) = sum p(x,y) log p(x,y) / (p(x) p(y)) of the empirical joint of paired labels."""
    _, _, n_xy, n_x, n_y = _joint_counts(x, y)
    n = n_xy.sum()
    return float((n_xy / n * np.log(n_xy * n / (n_x * n_y))).sum() / np.log(base))


def pmi_table(x: Sequence, y: Sequence, min_count: int = 1, base: float = 2.0) -> pd.DataFrame:
    """Pointwise MI log p(x,y) / (p(x) p(y)) of each observed pair, highest first.

    Columns: x, y, count, pmi. Rare pairs have noisy, inflated PMI: ``min_count`` drops them.
    """
    import pandas as pd

    xs, ys, n_xy, n_x, n_y = _joint_counts(x, y)
    n = n_xy.sum()
    table = pd.DataFrame(
        {"x": xs, "y": ys, "count": n_xy, "pmi": np.log(n_xy * n / (n_x * n_y)) / np.log(base)}
    )
    table = table[table["count"] >= min_count]
    return table.sort_values(["pmi", "count"], ascending=False, kind="stable", ignore_index=True)


def _is_han(cps: np.ndarray) -> np.ndarray:
    """True for CJK unified ideographs (the basic block and extension A)."""
    return ((cps >= 0x4E00) & (cps <= 0x9FFF)) | ((cps >= 0x3400) & (cps <= 0x4DBF))


def _group_entropy(groups: np.ndarray, symbols: np.ndarray, n_groups: int, base: int) -> np.ndarray:
    """Entropy (bits) of the symbol distribution inside each group id 0..n_groups-1."""
    pairs, c = np.unique(groups * base + symbols, return_counts=True)
    g = pairs // base
    total = np.bincount(g, weights=c, minlength=n_groups)
    sum_clogc = np.bincount(g, weights=c * np.log2(c), minlength=n_groups)
    return np.log2(total) - sum_clogc / total


def discover_words(texts: Iterable[str], max_len: int = 4, min_count: int = 5) -> pd.DataFrame:
    """Rank candidate Chinese words (2..max_len Han characters) found in raw ``texts``.

    For each string w seen at least ``min_count`` times:
      - ``pmi`` (cohesion): min over split points of log2 p(w) / (p(left) p(right)), where p is
        the count divided by the number of characters;
      - ``left_entropy`` / ``right_entropy`` (freedom): entropy in bits of the character just
        before / after w (a sentence boundary counts as one symbol);
      - ``score`` = pmi * min(left_entropy, right_entropy): high only when both hold.
    Returns a DataFrame (word, length, count, pmi, left_entropy, right_entropy, score) sorted by
    score, highest first.
    """
    import pandas as pd

    if max_len < 2:
        raise ValueError(
            f"max_len must be >= 2 (words have at least two characters), got {max_len}"
        )
    texts = [t for t in texts if t]
    if not texts:
        raise ValueError("discover_words() needs at least one non-empty text")
    cps = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    chars, ids = np.unique(cps, return_inverse=True)
    base = len(chars) + 1  # id 0 marks a sentence boundary, characters are 1..len(chars)
    # every text framed by boundaries, with max_len boundaries at the end so windows never overrun
    lens = np.array([len(t) for t in texts], dtype=np.int64)
    starts = np.concatenate([[1], np.cumsum(lens + 1)[:-1] + 1])
    seq = np.zeros(int(lens.sum() + len(texts)) + max_len + 1, dtype=np.int64)
    first_char = np.concatenate([[0], np.cumsum(lens)[:-1]])
    pos = np.repeat(starts - first_char, lens) + np.arange(len(ids))
    seq[pos] = ids + 1
    han = np.zeros(len(seq), dtype=bool)
    han[pos] = _is_han(cps)
    n_chars = len(ids)

    tables: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    found = []
    start = np.flatnonzero(han)
    key = np.zeros(len(start), dtype=np.int64)
    for n in range(1, max_len + 1):
        # n-grams of Han characters only: extend the (n-1)-grams that are followed by a Han char
        if n > 1:
            keep = han[start + n - 1]
            start, key = start[keep], key[keep]
        key = key * base + seq[start + n - 1]
        grams, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        tables[n] = (grams, counts)
        if n == 1:
            continue
        cand = np.flatnonzero(counts >= min_count)
        if len(cand) == 0:
            continue
        cohesion = np.full(len(cand), np.inf)
        for split in range(1, n):
            left, right = grams[cand] // base ** (n - split), grams[cand] % base ** (n - split)
            c_left = _count_of(tables[split], left)
            c_right = _count_of(tables[n - split], right)
            cohesion = np.minimum(cohesion, np.log2(counts[cand] * n_chars / (c_left * c_right)))
        rank = np.full(len(grams), -1)
        rank[cand] = np.arange(len(cand))
        occ = rank[inverse]
        at = occ >= 0
        left_h = _group_entropy(occ[at], seq[start[at] - 1], len(cand), base)
        right_h = _group_entropy(occ[at], seq[start[at] + n], len(cand), base)
        digits = np.stack([(grams[cand] // base**j) % base for j in range(n - 1, -1, -1)], axis=1)
        words = np.ascontiguousarray(chars[digits - 1].astype(np.uint32)).view(f"<U{n}").ravel()
        found.append(
            pd.DataFrame(
                {
                    "word": words,
                    "length": n,
                    "count": counts[cand],
                    "pmi": cohesion,
                    "left_entropy": left_h,
                    "right_entropy": right_h,
                }
            )
        )
    if not found:
        return pd.DataFrame(
            columns=["word", "length", "count", "pmi", "left_entropy", "right_entropy", "score"]
        )
    table = pd.concat(found, ignore_index=True)
    table["score"] = table["pmi"] * np.minimum(table["left_entropy"], table["right_entropy"])
    return table.sort_values(["score", "word"], ascending=[False, True], ignore_index=True)


def _count_of(table: tuple[np.ndarray, np.ndarray], keys: np.ndarray) -> np.ndarray:
    """Counts of ``keys`` in a sorted (keys, counts) table; every key is known to be present."""
    grams, counts = table
    return counts[np.searchsorted(grams, keys)]
