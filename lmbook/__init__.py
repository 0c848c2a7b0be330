"""lmbook: companion package of the executable textbook 《大语言模型与轻量级微调》.

What readers install is what the chapters import; ``docs/layout.md`` gives each package's home
and what it may import. Submodules and ``setup`` / ``show_source`` load on first use
(``lazy_loader``), so ``import lmbook`` stays cheap: a notebook pays only for what it uses
(``lmbook.data``, ``lmbook.train``, ...), and ``import lmbook`` does not import ``torch``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader

__version__ = "0.3.0"  # bump whenever the stored outputs are regenerated; tag v<version>

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submodules=[
        "adapters",
        "data",
        "device",
        "fonts",
        "gan",
        "linalg",
        "nn",
        "runtime",
        "scaling",
        "seeding",
        "source",
        "text",
        "tokenization",
        "train",
        "viz",
        "zoo",
    ],
    submod_attrs={"runtime": ["setup"], "source": ["show_source"]},
)

if TYPE_CHECKING:  # pragma: no cover
    from lmbook import (
        adapters,
        data,
        device,
        fonts,
        gan,
        linalg,
        nn,
        runtime,
        scaling,
        seeding,
        source,
        text,
        tokenization,
        train,
        viz,
        zoo,
    )
    from lmbook.runtime import setup
    from lmbook.source import show_source
