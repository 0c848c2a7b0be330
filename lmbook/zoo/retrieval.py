"""Retrieval for retrieval-augmented generation (sections 1.4 and 8.3), and how to score it.

- :func:`char_tokens`: the terms of a Chinese text for lexical retrieval: its characters (and
  optionally adjacent character pairs), punctuation and spaces dropped;
- :class:`BM25`: Okapi BM25 (Robertson and Zaragoza, 2009) over a sparse term-document matrix,
  the same scores as ``rank_bm25.BM25Okapi`` (its idf floor included) but one matrix product for
  a whole batch of queries instead of a Python loop over the documents;
- :func:`embed_texts`: dense vectors, the mean of a BERT's last layer over each text's tokens,
  L2-normalised, so that a dot product is a cosine; :func:`dense_rank` ranks by it;
- :func:`reciprocal_rank_fusion` (Cormack et al., 2009) merges rankings, :func:`recall_at_k`
  measures them;
- :func:`char_f1` and :func:`exact_match`: an answer against the reference, character by
  character (the convention of Chinese reading-comprehension benchmarks such as CMRC 2018).

    bm25 = BM25([char_tokens(t) for t in passages])
    ranked = bm25.rank([char_tokens(q) for q in queries], k=10)     # (queries, 10) indices
    recall_at_k(ranked, gold, ks=(1, 5, 10))
"""

from __future__ import annotations

import collections
import itertools
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import scipy.sparse
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

__all__ = [
    "BM25",
    "char_f1",
    "char_tokens",
    "dense_rank",
    "embed_texts",
    "exact_match",
    "recall_at_k",
    "reciprocal_rank_fusion",
]


def _keep(char: str) -> bool:
    """A character that carries content: not punctuation, symbol-free space or a control."""
    return unicodedata.category(char)[0] not in "PZC"


def char_tokens(text: str, bigrams: bool = False) -> list[str]:
    """The characters of ``text`` without punctuation and spaces; with ``bigrams`` also each pair
    of adjacent kept characters (``"人民日报"`` gives ``人 民 日 报`` + ``人民 民日 日报``)."""
    chars = [c for c in text if _keep(c)]
    if not bigrams:
        return chars
    return chars + [a + b for a, b in itertools.pairwise(chars)]


class BM25:
    """Okapi BM25 over tokenised documents, with the conventions of ``rank_bm25.BM25Okapi``.

    ``score(q, d) = sum over query terms t of idf(t) * f(t,d) (k1 + 1) / (f(t,d) + k1 (1 - b +
    b |d| / avgdl))``, ``idf(t) = ln((N - n_t + 0.5) / (n_t + 0.5))``; a term in more than half of
    the documents would get a negative idf, and gets ``epsilon`` times the mean idf instead. A
    query term that occurs twice counts twice; an unknown term counts zero.
    """

    def __init__(
        self,
        documents: Sequence[Sequence[str]],
        k1: float = 1.5,
        b: float = 0.75,
        epsilon: float = 0.25,
    ) -> None:
        import scipy.sparse

        self.k1, self.b, self.epsilon = k1, b, epsilon
        self.vocabulary: dict[str, int] = {}
        rows, cols, vals = [], [], []
        for j, doc in enumerate(documents):
            for term, count in collections.Counter(doc).items():
                rows.append(self.vocabulary.setdefault(term, len(self.vocabulary)))
                cols.append(j)
                vals.append(count)
        n_docs = len(documents)
        tf = scipy.sparse.csc_matrix(
            (np.array(vals, dtype=np.float64), (rows, cols)), shape=(len(self.vocabulary), n_docs)
        )
        doc_len = np.array([len(d) for d in documents], dtype=np.float64)
        df = np.diff(tf.tocsr().indptr).astype(np.float64)
        idf = np.log(n_docs - df + 0.5) - np.log(df + 0.5)
        idf[idf < 0] = epsilon * idf.mean()
        self.idf = idf
        norm = k1 * (1 - b + b * doc_len / doc_len.mean())
        weights = tf.copy()  # f (k1 + 1) / (f + norm_d), column by column, then times idf
        for j in range(n_docs):
            part = slice(weights.indptr[j], weights.indptr[j + 1])
            f = weights.data[part]
            weights.data[part] = f * (k1 + 1) / (f + norm[j])
        self.weights = scipy.sparse.csr_matrix(scipy.sparse.diags(idf) @ weights)

    def _query_matrix(self, queries: Sequence[Sequence[str]]) -> scipy.sparse.csr_matrix:
        """Counts of the known terms of each query: a sparse ``(queries, vocabulary)`` matrix."""
        import scipy.sparse

        rows, cols = [], []
        for i, query in enumerate(queries):
            for term in query:
                if term in self.vocabulary:
                    rows.append(i)
                    cols.append(self.vocabulary[term])
        data = np.ones(len(rows))
        shape = (len(queries), len(self.vocabulary))
        return scipy.sparse.csr_matrix((data, (rows, cols)), shape=shape)

    def scores(self, queries: Sequence[Sequence[str]]) -> np.ndarray:
        """``(queries, documents)`` BM25 scores."""
        return np.asarray((self._query_matrix(queries) @ self.weights).todense())

    def rank(self, queries: Sequence[Sequence[str]], k: int = 10) -> np.ndarray:
        """Indices of the ``k`` best documents per query, best first (ties: lower index first)."""
        return _top_k(self.scores(queries), k)


def _top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the ``k`` largest entries of each row, largest first, stable on ties."""
    return np.argsort(-scores, axis=1, kind="stable")[:, :k]


def embed_texts(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    texts: Sequence[str],
    batch_size: int = 100,
    max_length: int = 64,
) -> np.ndarray:
    """``(len(texts), hidden)`` L2-normalised means of the encoder's last layer over each text.

    ``model`` is a BERT (with or without a task head: its ``base_model`` encodes); texts longer
    than ``max_length`` tokens are truncated. Texts are batched by length, so little is padded,
    and padding is excluded from the mean: a text's vector does not depend on its batch.
    """
    import torch

    texts = list(texts)
    order = np.argsort([len(t) for t in texts], kind="stable")
    vectors = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
    for start in range(0, len(texts), batch_size):
        rows = order[start : start + batch_size]
        enc = tokenizer(
            [texts[i] for i in rows],
            padding=True,
            truncation=True,
            max_length=max_length,
            return_tensors="pt",
        )
        with torch.no_grad():
            hidden = model.base_model(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1)
        vectors[rows] = ((hidden * mask).sum(1) / mask.sum(1)).numpy()
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def dense_rank(doc_vectors: np.ndarray, query_vectors: np.ndarray, k: int = 10) -> np.ndarray:
    """The ``k`` documents of largest dot product (cosine, for normalised vectors) per query."""
    return _top_k(query_vectors @ doc_vectors.T, k)


def reciprocal_rank_fusion(
    rankings: Sequence[np.ndarray], k: int = 10, c: float = 60.0
) -> np.ndarray:
    """Merge rankings of the same queries: document ``d`` scores ``sum_r 1 / (c + rank_r(d))``.

    Each ranking is a ``(queries, depth)`` array of document indices, best first (rank 1); a
    document missing from a ranking gets nothing from it. Returns the ``k`` best per query.
    """
    fused = []
    for rows in zip(*rankings, strict=True):
        score: dict[int, float] = collections.defaultdict(float)
        for row in rows:
            for rank, doc in enumerate(row, start=1):
                score[int(doc)] += 1.0 / (c + rank)
        best = sorted(score, key=lambda d: (-score[d], d))[:k]
        fused.append(best + [-1] * (k - len(best)))
    return np.array(fused, dtype=np.int64)


def recall_at_k(
    ranked: np.ndarray, gold: Sequence[int], ks: Sequence[int] = (1, 5, 10)
) -> dict[int, float]:
    """Share of queries whose one relevant document ``gold[i]`` is among the first ``k`` ranked."""
    gold = np.asarray(gold)
    if max(ks) > ranked.shape[1]:
        raise ValueError(f"ranked has depth {ranked.shape[1]} < k = {max(ks)}")
    hit = ranked == gold[:, None]
    return {k: float(hit[:, :k].any(axis=1).mean()) for k in ks}


def char_f1(prediction: str, reference: str) -> float:
    """F1 of the characters shared by ``prediction`` and ``reference`` (as multisets).

    Punctuation and spaces are ignored; two empty strings agree (1.0), one empty string does not
    (0.0).
    """
    pred, ref = char_tokens(prediction), char_tokens(reference)
    if not pred or not ref:
        return float(pred == ref)
    common = sum((collections.Counter(pred) & collections.Counter(ref)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def exact_match(prediction: str, reference: str) -> float:
    """1.0 when the two strings agree after dropping punctuation and spaces, else 0.0."""
    return float(char_tokens(prediction) == char_tokens(reference))
