"""Evaluation metrics of chapter 6 (chapter 4's classification metrics: ``lmbook.train.metrics``).

- :mod:`~lmbook.metrics.calibration`: reliability bins and diagrams, expected calibration error,
  temperature and Platt scaling (section 6.3).
- :mod:`~lmbook.metrics.translation`: corpus BLEU and chrF over ``sacrebleu``, repeated n-grams
  (section 6.4).

Every public name is exported here and imported on first use, so ``import lmbook.metrics`` is
cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submodules=["calibration", "translation"],
    submod_attrs={
        "calibration": [
            "ReliabilityBins",
            "apply_platt",
            "expected_calibration_error",
            "fit_platt",
            "fit_temperature",
            "negative_log_likelihood",
            "plot_reliability",
            "reliability_bins",
            "top_label",
        ],
        "translation": ["corpus_scores", "has_repeated_ngram", "repeated_ngram_share"],
    },
)

if TYPE_CHECKING:  # pragma: no cover
    from lmbook.metrics.calibration import (
        ReliabilityBins,
        apply_platt,
        expected_calibration_error,
        fit_platt,
        fit_temperature,
        negative_log_likelihood,
        plot_reliability,
        reliability_bins,
        top_label,
    )
    from lmbook.metrics.translation import corpus_scores, has_repeated_ngram, repeated_ngram_share
