"""Count-based language models and statistics of text (chapter 2; reused in 1, 4 and 6).

- :mod:`~lmbook.text.ngram`: the character n-gram language model :class:`NGramLM` (MLE,
  add-k, interpolated Kneser-Ney) that scores, compares and samples sentences;
- :mod:`~lmbook.text.information`: entropy, cross-entropy, KL, mutual information and PMI from
  scratch, and dictionary-free new-word discovery;
- :mod:`~lmbook.text.cooccurrence`: character co-occurrence counts and PPMI (sparse);
- :mod:`~lmbook.text.fluency`: the share of two-character words (jieba) that are dictionary words;
- :mod:`~lmbook.text.pii`: personal information in Chinese text (phone, ID, e-mail, names):
  detection, scoring, scrubbing and a synthetic annotated sample (chapter 8).

Every public name is exported here and imported on first use, so ``import lmbook.text`` is cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submodules=["cooccurrence", "fluency", "information", "ngram", "pii"],
    submod_attrs={
        "cooccurrence": ["cooccurrence_counts", "ppmi", "top_characters"],
        "fluency": ["dictionary_word_share", "dictionary_words"],
        "information": [
            "adjacent_pairs",
            "cross_entropy",
            "discover_words",
            "entropy",
            "kl_divergence",
            "mutual_information",
            "pmi_table",
        ],
        "ngram": ["BOS", "DISCOUNTS", "EOS", "SMOOTHING", "UNK", "NGramLM", "best_kneser_ney"],
        "pii": [
            "KINDS",
            "PLACEHOLDERS",
            "Span",
            "find_names",
            "find_pii",
            "id_check_digit",
            "is_valid_id",
            "random_id",
            "random_phone",
            "scrub",
            "span_scores",
            "synthetic_pii_sample",
        ],
    },
)

if TYPE_CHECKING:  # pragma: no cover
    from lmbook.text import cooccurrence, fluency, information, ngram, pii
    from lmbook.text.cooccurrence import cooccurrence_counts, ppmi, top_characters
    from lmbook.text.fluency import dictionary_word_share, dictionary_words
    from lmbook.text.information import (
        adjacent_pairs,
        cross_entropy,
        discover_words,
        entropy,
        kl_divergence,
        mutual_information,
        pmi_table,
    )
    from lmbook.text.ngram import (
        BOS,
        DISCOUNTS,
        EOS,
        SMOOTHING,
        UNK,
        NGramLM,
        best_kneser_ney,
    )
    from lmbook.text.pii import (
        KINDS,
        PLACEHOLDERS,
        Span,
        find_names,
        find_pii,
        id_check_digit,
        is_valid_id,
        random_id,
        random_phone,
        scrub,
        span_scores,
        synthetic_pii_sample,
    )
