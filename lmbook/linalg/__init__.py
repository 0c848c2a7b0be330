"""Linear algebra the book uses (section 2.3, chapter 5): SVD and low-rank approximation.

- :mod:`~lmbook.linalg.lowrank`: truncated SVD, the best rank-k approximation (Eckart–Young),
  its error from the tail of the spectrum, energy fractions and LoRA-style parameter counts.

Every public name is exported here and imported on first use: ``import lmbook.linalg`` does not
import ``torch``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submodules=["lowrank"],
    submod_attrs={
        "lowrank": [
            "energy_fraction",
            "factorize",
            "frobenius_error",
            "low_rank_approx",
            "lowrank_param_count",
            "rank_for_energy",
            "tail_energy",
            "truncated_svd",
        ],
    },
)

if TYPE_CHECKING:  # pragma: no cover
    from lmbook.linalg import lowrank
    from lmbook.linalg.lowrank import (
        energy_fraction,
        factorize,
        frobenius_error,
        low_rank_approx,
        lowrank_param_count,
        rank_for_energy,
        tail_energy,
        truncated_svd,
    )
