"""Scaling laws and compute calculators (chapter 8).

- :mod:`~lmbook.scaling.laws`: power-law fits of loss against compute, parameters or tokens with
  bootstrap intervals; the Chinchilla parametric loss :math:`L(N,D)=E+A/N^\\alpha+B/D^\\beta`,
  its published fit and a fitter (Hoffmann et al. 2022, approach 3); Kaplan et al.'s exponents.
- :mod:`~lmbook.scaling.compute`: training FLOPs :math:`\\approx 6ND`, the compute-optimal
  allocation (closed form of approach 3, the 20-tokens-per-parameter rule, Table 3 of the
  paper), and the memory of long context (KV cache, attention scores).

The recorded runs these are fitted to are :mod:`lmbook.zoo.scaling`'s. Names are imported on
first use, so ``import lmbook.scaling`` is cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submodules=["compute", "laws"],
    submod_attrs={
        "compute": [
            "CHINCHILLA_TABLE3",
            "attention_scores_bytes",
            "attention_training_flops",
            "chinchilla_optimal",
            "kv_cache_bytes",
            "rule_of_thumb_optimal",
            "training_flops",
        ],
        "laws": [
            "CHINCHILLA_FIT",
            "KAPLAN_2020",
            "ChinchillaParams",
            "PowerLaw",
            "bootstrap_power_law",
            "chinchilla_loss",
            "fit_chinchilla",
            "fit_loss_power_law",
        ],
    },
)

if TYPE_CHECKING:  # pragma: no cover
    from lmbook.scaling import compute, laws
    from lmbook.scaling.compute import (
        CHINCHILLA_TABLE3,
        attention_scores_bytes,
        attention_training_flops,
        chinchilla_optimal,
        kv_cache_bytes,
        rule_of_thumb_optimal,
        training_flops,
    )
    from lmbook.scaling.laws import (
        CHINCHILLA_FIT,
        KAPLAN_2020,
        ChinchillaParams,
        PowerLaw,
        bootstrap_power_law,
        chinchilla_loss,
        fit_chinchilla,
        fit_loss_power_law,
    )
