"""Character n-gram language models (MLE, add-k, interpolated Kneser-Ney) for chapter 2.

The baseline every later model is compared with: fit on sentences, score held-out text in
bits per character, sample text. Counting is vectorised with NumPy (each n-gram is one int64
key), so a bigram fits on People's Daily (~1.6M characters) in about a second.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["BOS", "DISCOUNTS", "EOS", "SMOOTHING", "UNK", "NGramLM", "best_kneser_ney"]

BOS = "<s>"
EOS = "</s>"
UNK = "<unk>"
SMOOTHING = ("mle", "add-k", "kneser-ney")
DISCOUNTS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)  # the grid best_kneser_ney searches


@dataclass(frozen=True)
class _Table:
    """Counts of the m-grams of one order, sorted by key, with per-context totals."""

    keys: np.ndarray  # sorted int64 keys of the m-grams (context * base + symbol)
    counts: np.ndarray  # their counts (continuation counts for Kneser-Ney's lower orders)
    ctx: np.ndarray  # sorted unique context keys
    ctx_total: np.ndarray  # sum of counts per context
    ctx_types: np.ndarray  # number of distinct symbols seen after each context

    @classmethod
    def from_counts(cls, keys: np.ndarray, counts: np.ndarray, base: int) -> _Table:
        ctx_all = keys // base  # sorted, because the keys are
        starts = np.flatnonzero(np.r_[True, ctx_all[1:] != ctx_all[:-1]])
        total = np.add.reduceat(counts, starts).astype(np.float64)
        types = np.diff(np.append(starts, len(keys))).astype(np.float64)
        return cls(keys, counts.astype(np.float64), ctx_all[starts], total, types)

    def count(self, keys: np.ndarray) -> np.ndarray:
        return _lookup(self.keys, keys, self.counts)[0]

    def context(self, ctx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _lookup(self.ctx, ctx, self.ctx_total, self.ctx_types)


def _lookup(
    sorted_keys: np.ndarray, query: np.ndarray, *values: np.ndarray, missing: float = 0.0
) -> list[np.ndarray]:
    """Each of ``values`` at each query key, ``missing`` where the key is absent (binary search)."""
    i = np.minimum(np.searchsorted(sorted_keys, query), len(sorted_keys) - 1)
    found = sorted_keys[i] == query
    return [np.where(found, v[i], missing) for v in values]


def _unique_sorted(x: np.ndarray) -> np.ndarray:
    """Sorted distinct values (sort + compare: much faster than np.unique's hashing for int64)."""
    s = np.sort(x)
    return s[np.r_[True, s[1:] != s[:-1]]]


class NGramLM:
    """A character n-gram language model: P(text) = prod_t P(c_t | previous order-1 chars).

    Each sentence is padded with ``order - 1`` ``<s>`` symbols and ends with ``</s>``, which is
    predicted like a character (so probabilities of whole sentences sum to 1). Characters seen
    fewer than ``min_count`` times in training, and any unseen at test time, become ``<unk>``.

    smoothing:
      - ``"mle"``: relative frequencies; unseen n-grams get probability 0.
      - ``"add-k"``: (c(h,w) + k) / (c(h) + k V).
      - ``"kneser-ney"``: interpolated Kneser-Ney with absolute ``discount`` D; lower orders use
        continuation counts, and the recursion ends in the uniform distribution 1/V.

    ``k`` and ``discount`` are read when scoring, not when counting: set them on a fitted model
    to tune them on held-out text without refitting.
    """

    def __init__(
        self,
        order: int = 2,
        smoothing: str = "kneser-ney",
        k: float = 1.0,
        discount: float = 0.75,
        min_count: int = 1,
    ) -> None:
        if not isinstance(order, int) or order < 1:
            raise ValueError(f"order must be an int >= 1 (1 = unigram, 2 = bigram), got {order!r}")
        if smoothing not in SMOOTHING:
            raise ValueError(f"smoothing must be one of {SMOOTHING}, got {smoothing!r}")
        if smoothing == "add-k" and not k > 0:
            raise ValueError(f"add-k smoothing needs k > 0, got k={k}")
        if smoothing == "kneser-ney" and not 0 < discount < 1:
            raise ValueError(f"the Kneser-Ney discount must lie in (0, 1), got {discount}")
        if min_count < 1:
            raise ValueError(f"min_count must be >= 1, got {min_count}")
        self.order = order
        self.smoothing = smoothing
        self.k = k
        self.discount = discount
        self.min_count = min_count
        self.vocab: list[str] = []
        self._tables: list[_Table] = []

    def __repr__(self) -> str:
        param = {"add-k": f", k={self.k}", "kneser-ney": f", discount={self.discount}"}
        size = f", vocab_size={self.vocab_size}" if self.vocab else ", unfitted"
        head = f"NGramLM(order={self.order}, smoothing={self.smoothing!r}"
        return f"{head}{param.get(self.smoothing, '')}{size})"

    @property
    def vocab_size(self) -> int:
        """Number of symbols the model predicts: the characters, ``<unk>`` and ``</s>``."""
        return len(self.vocab)

    # ------------------------------------------------------------------ fitting
    def fit(self, texts: Iterable[str]) -> NGramLM:
        """Count the n-grams of ``texts`` (one sentence per string) and return ``self``."""
        texts = _as_texts(texts)
        if not texts:
            raise ValueError("fit() needs at least one training text; got an empty collection.")
        freq = Counter("".join(texts))
        chars = sorted(
            (c for c, n in freq.items() if n >= self.min_count), key=lambda c: (-freq[c], c)
        )
        self.vocab = [EOS, UNK, *chars]
        self._eos, self._unk, self._bos = 0, 1, len(self.vocab)
        self._base = len(self.vocab) + 1  # one more id for <s>, which is never predicted
        if self._base**self.order >= 2**62:
            raise ValueError(
                f"order={self.order} with {self.vocab_size} symbols overflows int64 n-gram keys; "
                "use a lower order or raise min_count to shrink the vocabulary."
            )
        cps = np.array([ord(c) for c in chars], dtype=np.int64)
        sorter = np.argsort(cps)
        self._cps, self._cp_ids = cps[sorter], sorter + 2
        seq, targets = self._pad(texts)
        self._tables = self._count(seq, targets)
        return self

    def _count(self, seq: np.ndarray, targets: np.ndarray) -> list[_Table]:
        """One table per order 1..n: raw counts on top, continuation counts below (Kneser-Ney)."""
        base = self._base
        keys = self._ngram_keys(seq, targets)  # keys[m-1] holds the m-gram ending at each target
        top_keys, top_counts = np.unique(keys[-1], return_counts=True)
        tables = [_Table.from_counts(top_keys, top_counts, base)]
        if self.smoothing != "kneser-ney":
            return tables  # MLE and add-k use the top order only
        types = top_keys
        for m in range(self.order - 1, 0, -1):
            # continuation count of an m-gram: how many distinct symbols precede it
            suffix_keys, cont = np.unique(types % base**m, return_counts=True)
            tables.insert(0, _Table.from_counts(suffix_keys, cont, base))
            types = _unique_sorted(keys[m - 1])
        return tables

    def _ngram_keys(self, seq: np.ndarray, pos: np.ndarray) -> list[np.ndarray]:
        """Keys of the 1..n-grams ending at ``pos``: sum_j seq[pos - j] * base**j."""
        keys, key = [], seq[pos].astype(np.int64)
        keys.append(key)
        for j in range(1, self.order):
            key = key + seq[pos - j] * self._base**j
            keys.append(key)
        return keys

    # ------------------------------------------------------------------ encoding
    def encode(self, text: str) -> np.ndarray:
        """Symbol ids of the characters of ``text`` (no padding); unknown ones become <unk>."""
        self._check_fitted()
        cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        if len(self._cps) == 0:  # trained on empty sentences only: every character is unknown
            return np.full(len(cps), self._unk, dtype=np.int64)
        return _lookup(self._cps, cps, self._cp_ids, missing=self._unk)[0]

    def _pad(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """All texts as one id array, each as <s>*(n-1) + chars + </s>; and the target positions."""
        lens = np.array([len(t) for t in texts], dtype=np.int64)
        chars = self.encode("".join(texts))
        width = lens + self.order  # (n - 1) pads, the characters, </s>
        starts = np.concatenate([[0], np.cumsum(width)[:-1]])
        seq = np.full(int(width.sum()), self._bos, dtype=np.int64)
        first_char = np.concatenate([[0], np.cumsum(lens)[:-1]])
        shift = np.repeat(starts + self.order - 1 - first_char, lens)
        seq[shift + np.arange(len(chars))] = chars
        seq[starts + self.order - 1 + lens] = self._eos
        return seq, np.flatnonzero(seq != self._bos)

    # ------------------------------------------------------------------ probabilities
    def _probs(self, seq: np.ndarray, pos: np.ndarray, words: np.ndarray) -> np.ndarray:
        """P(words | the order-1 symbols before ``pos`` in ``seq``), vectorised over positions."""
        if self.smoothing == "kneser-ney":
            return self._kn_mix(self._kn_counts(seq, pos, words), self.discount)
        n_sym = self.vocab_size
        top = self._tables[-1]
        h = self._contexts(seq, pos)[-1]
        c_hw = top.count(h * self._base + words)
        c_h, _ = top.context(h)
        if self.smoothing == "add-k":
            return (c_hw + self.k) / (c_h + self.k * n_sym)
        return np.divide(c_hw, c_h, out=np.zeros(len(pos)), where=c_h > 0)

    def _contexts(self, seq: np.ndarray, pos: np.ndarray) -> list[np.ndarray]:
        """Keys of the 0..order-1 symbols before each position (the m-gram contexts, m = 1..n)."""
        ctx = np.zeros(len(pos), dtype=np.int64)
        contexts = [ctx]
        for j in range(1, self.order):
            ctx = ctx + seq[pos - j] * self._base ** (j - 1)
            contexts.append(ctx)
        return contexts

    def _kn_counts(
        self, seq: np.ndarray, pos: np.ndarray, words: np.ndarray
    ) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """For each order, lowest first: c(h w), c(h .) and N1+(h .) at every position."""
        out = []
        for table, h in zip(self._tables, self._contexts(seq, pos), strict=True):
            c_h, types_h = table.context(h)
            out.append((table.count(h * self._base + words), c_h, types_h))
        return out

    def _kn_mix(
        self, counts: list[tuple[np.ndarray, np.ndarray, np.ndarray]], d: float
    ) -> np.ndarray:
        """Interpolated Kneser-Ney from :meth:`_kn_counts`: discount each order by ``d`` and give
        what is saved to the order below; the recursion starts from the uniform 1/V."""
        p = np.full(len(counts[0][0]), 1.0 / self.vocab_size)
        for c_hw, c_h, types_h in counts:
            seen = c_h > 0
            safe = np.where(seen, c_h, 1.0)
            p = np.where(seen, (np.maximum(c_hw - d, 0.0) + d * types_h * p) / safe, p)
        return p

    def _context_seq(self, context: str) -> np.ndarray:
        """The last order-1 symbols of ``context`` (left-padded with <s>), then a slot for w."""
        ids = self.encode(context)[max(0, len(context) - self.order + 1) :]
        pad = np.full(self.order - 1 - len(ids), self._bos, dtype=np.int64)
        return np.concatenate([pad, ids, [0]])

    def next_distribution(self, context: str = "") -> np.ndarray:
        """P(w | context) for every symbol w of ``vocab`` (``context`` = the sentence so far)."""
        self._check_fitted()
        seq = self._context_seq(context)
        pos = np.full(self.vocab_size, len(seq) - 1)
        p = self._probs(seq, pos, np.arange(self.vocab_size))
        if self.smoothing == "mle" and p.sum() == 0:
            raise ValueError(
                f"context {context[-(self.order - 1) :]!r} never occurs in training, so the MLE "
                "distribution after it is undefined; use smoothing='add-k' or 'kneser-ney'."
            )
        return p

    def prob(self, symbol: str, context: str = "") -> float:
        """P(symbol | context); ``symbol`` is one character or ``EOS``."""
        self._check_fitted()
        if symbol == EOS:
            w = self._eos
        elif len(symbol) == 1:
            w = int(self.encode(symbol)[0])
        else:
            raise ValueError(f"prob() scores one character or EOS at a time, got {symbol!r}")
        seq = self._context_seq(context)
        return float(self._probs(seq, np.array([len(seq) - 1]), np.array([w]))[0])

    def token_logprobs(self, text: str) -> np.ndarray:
        """ln P of each character of ``text`` and of the final </s> given its history."""
        self._check_fitted()
        seq, pos = self._pad([text])
        with np.errstate(divide="ignore"):
            return np.log(self._probs(seq, pos, seq[pos]))

    def logprob(self, text: str) -> float:
        """ln P(text), including the end-of-sentence symbol; -inf if the model gives it 0."""
        return float(self.token_logprobs(text).sum())

    def cross_entropy(self, texts: Iterable[str]) -> float:
        """Bits per character on ``texts``: -sum log2 P / N, where </s> counts as a character."""
        self._check_fitted()
        texts = _as_texts(texts)
        if not texts:
            raise ValueError("cross_entropy() needs at least one text to evaluate.")
        seq, pos = self._pad(texts)
        return _bits_per_symbol(self._probs(seq, pos, seq[pos]))

    def perplexity(self, texts: Iterable[str]) -> float:
        """2 ** cross_entropy: the effective number of equally likely next characters."""
        return float(2.0 ** self.cross_entropy(texts))

    # ------------------------------------------------------------------ sampling
    def sample(
        self,
        rng: np.random.Generator,
        max_len: int = 50,
        temperature: float = 1.0,
        prefix: str = "",
    ) -> str:
        """Generate one sentence starting with ``prefix``: draw characters until </s> or max_len.

        ``temperature`` rescales the distribution as p**(1/T): T < 1 sharpens it, T > 1 flattens it.
        """
        self._check_fitted()
        if not temperature > 0:
            raise ValueError(f"temperature must be > 0, got {temperature}")
        text = prefix
        for _ in range(max_len):
            p = self.next_distribution(text)
            if temperature != 1.0:
                with np.errstate(divide="ignore"):
                    logits = np.log(p) / temperature
                p = np.exp(logits - logits.max())
                p /= p.sum()
            w = int(rng.choice(self.vocab_size, p=p))
            if w == self._eos:
                break
            text += self.vocab[w]
        return text

    def _lower_order(self, order: int, texts: Sequence[str]) -> NGramLM:
        """The Kneser-Ney model of a lower ``order`` on the same ``texts``, without refitting.

        Its continuation counts for orders below ``order`` are this model's (the count of an
        m-gram's distinct predecessors does not depend on the model's order); only the raw counts
        of the top ``order``-grams are counted again. Equal to ``NGramLM(order).fit(texts)``.
        """
        if self.smoothing != "kneser-ney" or not 1 <= order <= self.order:
            raise ValueError(f"need a Kneser-Ney model of order >= {order}, have {self!r}")
        if order == self.order:
            return self
        lm = NGramLM(order=order, discount=self.discount, min_count=self.min_count)
        for name in ("vocab", "_eos", "_unk", "_bos", "_base", "_cps", "_cp_ids"):
            setattr(lm, name, getattr(self, name))
        seq, targets = self._pad(texts)
        top_keys, top_counts = np.unique(
            self._ngram_keys(seq, targets)[order - 1], return_counts=True
        )
        lm._tables = [
            *self._tables[: order - 1],
            _Table.from_counts(top_keys, top_counts, lm._base),
        ]
        return lm

    def _check_fitted(self) -> None:
        if not self.vocab:
            raise RuntimeError("this NGramLM is not fitted yet; call .fit(texts) first.")


def _bits_per_symbol(p: np.ndarray) -> float:
    """-mean log2 p: the cross-entropy in bits of the probabilities given to the symbols seen."""
    with np.errstate(divide="ignore"):
        return float(-np.log(p).sum() / len(p) / math.log(2))


def _as_texts(texts: Iterable[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("pass a list of sentences, not a single string (wrap it: [text]).")
    return list(texts)


def best_kneser_ney(
    train: Iterable[str],
    validation: Iterable[str],
    orders: Sequence[int] = (2, 3, 4, 5),
    discounts: Sequence[float] = DISCOUNTS,
) -> NGramLM:
    """The strongest count-based baseline: interpolated Kneser-Ney fitted on ``train``, with the
    order and discount that give the lowest cross-entropy on ``validation`` (never the test set).

    Each order is counted once, and the counts each validation symbol needs are looked up once;
    the discount enters only the final mixing, so the grid costs little more than one scoring
    per order. The returned model carries the chosen ``order`` and ``discount``.
    """
    train, validation = _as_texts(train), _as_texts(validation)
    best: tuple[float, NGramLM, float] | None = None
    top = NGramLM(order=max(orders, default=1)).fit(train)
    for order in orders:
        lm = top._lower_order(order, train)
        seq, pos = lm._pad(validation)
        counts = lm._kn_counts(seq, pos, seq[pos])
        for d in discounts:
            bpc = _bits_per_symbol(lm._kn_mix(counts, d))  # == cross_entropy with discount d
            if best is None or bpc < best[0]:
                best = (bpc, lm, d)
    if best is None:
        raise ValueError("best_kneser_ney() needs at least one order and one discount to try.")
    _, lm, lm.discount = best
    return lm
