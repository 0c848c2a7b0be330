"""The Chinese–English translation corpus of section 6.4, shipped in ``lmbook/assets/data/mt``.

Source: the LibreOffice 7.4 help pages and user-interface strings, in Simplified Chinese and
English, from Debian bookworm's ``libreoffice-help-zh-cn``, ``libreoffice-help-en-us`` and
``libreoffice-l10n-zh-cn`` packages (© The Document Foundation and contributors, MPL-2.0,
https://www.mozilla.org/MPL/2.0/; ``NOTICE.txt`` next to the data). ``scripts/build_mt_corpus.py``
builds it from those packages; the built corpus ships so that nothing downloads (Colab too).

- ``help``: help paragraphs and headings, paired through their page path and element id.
- ``ui``: menu, dialog and message strings, each English ``msgid`` with its Chinese ``msgstr``.

Each pair has ``zh``, ``en``, ``source`` (``help`` or ``ui``) and ``id`` (page and element, or
catalogue and context). Texts are NFKC-normalised (:func:`lmbook.data.normalize`) with collapsed
whitespace; untranslated, symbol-only and long (> 200 characters) pairs are dropped, exact
duplicates kept once. The split is by groups: pairs that share an English or a Chinese text
(compared casefolded, letters, digits and Han only) fall into one split, so no sentence of
validation or test is seen in training. :func:`mt_metadata` has the counts of every step.

:func:`load_mt` returns a ``datasets.DatasetDict`` built once per process and cached; ``datasets``
methods return new objects, so do not modify a returned one in place.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lmbook.data.corpora import SPLITS

if TYPE_CHECKING:  # pragma: no cover
    from datasets import DatasetDict

__all__ = ["MT_DIR", "MT_FIELDS", "load_mt", "mt_metadata"]

MT_DIR = Path(__file__).resolve().parent.parent / "assets" / "data" / "mt"
MT_FIELDS = ("zh", "en", "source", "id")


def mt_metadata() -> dict[str, Any]:
    """The build record: package versions and SHA-256, counts at each cleaning step, splits.

    Read afresh on each call (a small file), so a caller may modify the returned dict.
    """
    return json.loads((MT_DIR / "metadata.json").read_text(encoding="utf-8"))


def _read_split(split: str) -> list[dict[str, str]]:
    """The rows of one shipped split, after checking the file's SHA-256 against the metadata."""
    info = mt_metadata()["splits"][split]
    blob = (MT_DIR / info["file"]).read_bytes()
    if hashlib.sha256(blob).hexdigest() != info["sha256"]:
        raise ValueError(f"{info['file']} does not match metadata.json: reinstall lmbook.")
    return [json.loads(line) for line in gzip.decompress(blob).decode("utf-8").splitlines()]


@functools.lru_cache(maxsize=1)
def load_mt() -> DatasetDict:
    """Translation pairs: train/validation/test with ``zh``, ``en``, ``source``, ``id``."""
    from datasets import Dataset, DatasetDict, Features, Value

    features = Features({name: Value("string") for name in MT_FIELDS})
    out = {}
    for split in SPLITS:
        rows = _read_split(split)
        out[split] = Dataset.from_dict(
            {name: [r[name] for r in rows] for name in MT_FIELDS}, features=features
        )
    return DatasetDict(out)
