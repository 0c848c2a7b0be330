"""A multi-class Chinese text-classification task (section 6.2): which LibreOffice module a help
paragraph belongs to, built from the help paragraphs of :func:`lmbook.data.load_mt`
(MPL-2.0, see :mod:`lmbook.data.mt`).

The label is the second path component of the paragraph's ``id``
(``text/swriter/guide/...html#par_id...`` → ``swriter``). Classes (:data:`HELP_MODULES`):
Writer, Calc, Impress, Draw, Math, Basic and Chart. Left out: ``shared`` (help common to every
module, not a module) and ``sdatabase`` (69 paragraphs on 10 pages: too few pages to put any in
validation and test).

Split by page: paragraphs of one help page (the ``.html`` file) share their topic and often
their wording, so every page goes whole into one split. Within each class, pages are ordered by
the SHA-256 of their path and cut so that about 70/10/20 % of the class's paragraphs fall into
train/validation/test (deterministic, independent of the input order). The MT corpus's own split
groups identical sentences, not pages, so the three MT splits are pooled first. Then exact
texts: a text found with two labels is dropped everywhere (``示例``, ``参数``), a text repeated
inside one split is kept once, and a validation or test text that also occurs in an earlier
split is dropped, so no held-out text is seen in training. :func:`help_modules_counts` counts
every step.
"""

from __future__ import annotations

import functools
import hashlib
from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

from lmbook.data.corpora import SPLITS

if TYPE_CHECKING:  # pragma: no cover
    from datasets import DatasetDict

__all__ = [
    "HELP_LABEL_WORDS",
    "HELP_MODULES",
    "HELP_SHARES",
    "help_modules_counts",
    "load_help_modules",
    "page_of",
]

HELP_MODULES = ("swriter", "scalc", "simpress", "sdraw", "smath", "sbasic", "schart")
# one Chinese word per class (same order), for zero-shot label scoring with a language model
HELP_LABEL_WORDS = ("文档", "表格", "演示", "绘图", "公式", "宏", "图表")
HELP_SHARES = {"train": 0.7, "validation": 0.1, "test": 0.2}


def page_of(pair_id: str) -> str:
    """The help page of an MT pair id: ``text/scalc/01/x.html#par_id1`` → ``.../x.html``."""
    return pair_id.split("#", 1)[0]


def _module_of(pair_id: str) -> str:
    return pair_id.split("/")[1]


def _assign_pages(pages: dict[str, int]) -> dict[str, str]:
    """Split name of each page: pages in SHA-256 order; test first (20 % of the paragraphs),
    then validation (10 %), the rest train. ``pages`` maps a page to its paragraph count."""
    total = sum(pages.values())
    order = sorted(pages, key=lambda p: hashlib.sha256(p.encode("utf-8")).hexdigest())
    out, seen = {}, 0
    for page in order:
        if seen < HELP_SHARES["test"] * total:
            out[page] = "test"
        elif seen < (HELP_SHARES["test"] + HELP_SHARES["validation"]) * total:
            out[page] = "validation"
        else:
            out[page] = "train"
        seen += pages[page]
    return out


@functools.lru_cache(maxsize=1)
def _build() -> tuple[dict[str, list[dict[str, Any]]], dict[str, Any]]:
    from lmbook.data.mt import load_mt

    mt = load_mt()
    rows = [
        {"text": zh, "module": _module_of(pair_id), "page": page_of(pair_id)}
        for split in SPLITS
        for zh, pair_id, source in zip(
            mt[split]["zh"], mt[split]["id"], mt[split]["source"], strict=True
        )
        if source == "help"
    ]
    counts: dict[str, Any] = {
        "help_paragraphs": len(rows),
        "by_module": dict(Counter(r["module"] for r in rows).most_common()),
    }
    rows = [r for r in rows if r["module"] in HELP_MODULES]
    labels_of: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        labels_of[r["text"]].add(r["module"])
    ambiguous = {t for t, m in labels_of.items() if len(m) > 1}
    counts["kept_modules"] = len(rows)
    counts["dropped_ambiguous"] = sum(r["text"] in ambiguous for r in rows)
    rows = [r for r in rows if r["text"] not in ambiguous]
    split_of: dict[str, str] = {}
    for module in HELP_MODULES:
        pages = Counter(r["page"] for r in rows if r["module"] == module)
        split_of.update(_assign_pages(pages))
    seen: set[str] = set()
    out: dict[str, list[dict[str, Any]]] = {}
    dropped = {}
    for split in SPLITS:  # train first: a held-out text seen earlier is dropped
        chosen = sorted(
            (r for r in rows if split_of[r["page"]] == split),
            key=lambda r: (HELP_MODULES.index(r["module"]), r["page"], r["text"]),
        )
        out[split] = []
        dropped[split] = 0
        for r in chosen:
            if r["text"] in seen:
                dropped[split] += 1
                continue
            seen.add(r["text"])
            out[split].append({**r, "label": HELP_MODULES.index(r["module"])})
    counts["dropped_repeated"] = dropped
    counts["splits"] = {
        split: {
            "paragraphs": len(out[split]),
            "pages": len({r["page"] for r in out[split]}),
            "by_module": {m: sum(r["module"] == m for r in out[split]) for m in HELP_MODULES},
        }
        for split in SPLITS
    }
    return out, counts


def help_modules_counts() -> dict[str, Any]:
    """Counts of every step of :func:`load_help_modules`: help paragraphs per module, kept,
    dropped as ambiguous, dropped as repeated (per split), and per split paragraphs, pages and
    paragraphs per module. A new dict on each call."""
    import copy

    return copy.deepcopy(_build()[1])


@functools.lru_cache(maxsize=1)
def load_help_modules() -> DatasetDict:
    """train/validation/test with ``text`` (Chinese paragraph), ``label`` (index into
    :data:`HELP_MODULES`), ``module`` and ``page``; no page and no text in two splits."""
    from datasets import ClassLabel, Dataset, DatasetDict, Features, Value

    features = Features(
        {
            "text": Value("string"),
            "label": ClassLabel(names=list(HELP_MODULES)),
            "module": Value("string"),
            "page": Value("string"),
        }
    )
    rows = _build()[0]
    return DatasetDict(
        {
            split: Dataset.from_dict(
                {name: [r[name] for r in rows[split]] for name in features}, features=features
            )
            for split in SPLITS
        }
    )
