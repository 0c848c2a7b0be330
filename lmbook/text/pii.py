"""Personal information (PII) in Chinese text: detect, score and scrub (section 8.2).

What it finds, and how:

- ``PHONE``: mainland mobile numbers, ``1[3-9]`` and nine more digits, also written
  ``138-1234-5678`` or ``138 1234 5678``, not inside a longer digit run. Landlines (``010-...``),
  numbers with ``+86`` and numbers written in Chinese numerals are missed.
- ``ID``: 18-character resident identity numbers (GB 11643-1999): a province code, a real birth
  date and the ISO 7064 MOD 11-2 check character (:func:`id_check_digit`). A number with a wrong
  check character is not reported, so a mistyped ID is missed; the old 15-digit numbers too.
- ``EMAIL``: ASCII addresses ``local@domain.tld``; addresses written ``a at b dot com`` are missed.
- ``NAME``: words that ``jieba.posseg`` tags ``nr`` (person name). It is a statistical tagger:
  it misses rare names and tags some ordinary words; :func:`find_names` says how it is used.

    spans = find_pii("请联系张伟，电话13812345678。")
    scrub("请联系张伟，电话13812345678。", spans)   # '请联系[姓名]，电话[手机号]。'

:func:`synthetic_pii_sample` builds an annotated test set (seeded) by inserting generated PII and
hard negatives into real sentences; :func:`span_scores` gives precision and recall per type.
"""

from __future__ import annotations

import datetime
import random
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

__all__ = [
    "KINDS",
    "PLACEHOLDERS",
    "Span",
    "find_names",
    "find_pii",
    "id_check_digit",
    "is_valid_id",
    "random_id",
    "random_phone",
    "scrub",
    "span_scores",
    "synthetic_pii_sample",
]

KINDS = ("PHONE", "ID", "EMAIL", "NAME")
PLACEHOLDERS = {"PHONE": "[手机号]", "ID": "[身份证号]", "EMAIL": "[邮箱]", "NAME": "[姓名]"}

# GB/T 2260 province-level codes (the first two digits of an ID number)
_PROVINCES = frozenset(
    {*map(str, range(11, 16)), *map(str, range(21, 24)), *map(str, range(31, 38))}
    | {*map(str, range(41, 47)), *map(str, range(50, 55)), *map(str, range(61, 66))}
    | {"71", "81", "82"}
)
_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
_PHONE = re.compile(r"(?<![\d-])1[3-9]\d(?:[- ]?\d{4}){2}(?![\d-])")
_ID = re.compile(r"(?<![\dXx])\d{17}[\dXx](?![\dXx])")
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)


class Span(NamedTuple):
    """``text[start:end]`` is personal information of type ``kind`` (one of :data:`KINDS`)."""

    start: int
    end: int
    kind: str


def id_check_digit(first17: str) -> str:
    """The 18th character of an ID number: ISO 7064 MOD 11-2 over the first 17 digits.

    With weights ``W_i = 2^(17-i) mod 11`` the check value ``c`` makes
    ``sum_i a_i W_i + c ≡ 1 (mod 11)``; ``c = 10`` is written ``X``.
    """
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError(f"need 17 digits, got {first17!r}")
    s = sum(int(a) * w for a, w in zip(first17, _WEIGHTS, strict=True))
    return "10X98765432"[s % 11]


def is_valid_id(number: str) -> bool:
    """True for an 18-character ID number with a province code, a real birth date (1800 to
    today) and the right check character (``x`` is accepted for ``X``)."""
    if not _ID.fullmatch(number) or number[:2] not in _PROVINCES:
        return False
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if not datetime.date(1800, 1, 1) <= born <= datetime.date.today():
        return False
    return id_check_digit(number[:17]) == number[17].upper()


def random_id(rng: random.Random, valid: bool = True) -> str:
    """A made-up ID number (province, county, birth date 1930-2005, sequence); ``valid=False``
    gives the same with a wrong check character (a typo: a hard negative)."""
    head = rng.choice(sorted(_PROVINCES)) + f"{rng.randint(1, 99):02d}{rng.randint(1, 99):02d}"
    born = datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randrange(75 * 365))
    first17 = head + born.strftime("%Y%m%d") + f"{rng.randint(0, 999):03d}"
    check = id_check_digit(first17)
    if not valid:
        check = rng.choice([c for c in "0123456789X" if c != check])
    return first17 + check


def random_phone(rng: random.Random, style: str = "plain") -> str:
    """A made-up mobile number; ``style`` "plain" (13812345678), "dash" (138-1234-5678) or
    "space" (138 1234 5678)."""
    digits = f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}"
    sep = {"plain": "", "dash": "-", "space": " "}[style]
    return sep.join([digits[:3], digits[3:7], digits[7:]])


def find_names(text: str) -> list[Span]:
    """``NAME`` spans: maximal runs of adjacent words that ``jieba.posseg`` tags ``nr``.

    Adjacent ``nr`` words are joined (jieba sometimes cuts 江泽民 into 江/泽民), so two names
    written together without a separator become one span.
    """
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    spans: list[Span] = []
    pos = 0
    for pair in jieba.posseg.lcut(text):
        end = pos + len(pair.word)
        if pair.flag == "nr":
            if spans and spans[-1].end == pos:
                spans[-1] = Span(spans[-1].start, end, "NAME")
            else:
                spans.append(Span(pos, end, "NAME"))
        pos = end
    return spans


def find_pii(text: str, kinds: Iterable[str] = KINDS) -> list[Span]:
    """All PII spans of the requested ``kinds`` in ``text``, sorted, without overlaps.

    The rules run first (ID, then PHONE, then EMAIL); a name that overlaps a rule match is dropped.
    """
    kinds = set(kinds)
    unknown = kinds - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kinds {sorted(unknown)}; choose from {KINDS}")
    found: list[Span] = []
    if "ID" in kinds:
        found += [Span(*m.span(), "ID") for m in _ID.finditer(text) if is_valid_id(m.group())]
    if "PHONE" in kinds:
        found += [Span(*m.span(), "PHONE") for m in _PHONE.finditer(text)]
    if "EMAIL" in kinds:
        found += [Span(*m.span(), "EMAIL") for m in _EMAIL.finditer(text)]
    if "NAME" in kinds:
        found += [s for s in find_names(text) if not any(_overlap(s, f) for f in found)]
    return sorted(found)


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def scrub(text: str, spans: Sequence[Span] | None = None) -> str:
    """``text`` with every span replaced by its placeholder (``[手机号]``, ``[姓名]``, ...)."""
    spans = find_pii(text) if spans is None else spans
    out, last = [], 0
    for s in sorted(spans):
        if s.start < last:
            raise ValueError(f"overlapping spans at {s}")
        out += [text[last : s.start], PLACEHOLDERS[s.kind]]
        last = s.end
    return "".join(out) + text[last:]


def span_scores(
    gold: Sequence[Sequence[Span]], pred: Sequence[Sequence[Span]], kinds: Iterable[str] = KINDS
) -> dict[str, dict[str, float]]:
    """Exact-match precision, recall and F1 per kind over a corpus (a list of span lists per text).

    A predicted span counts only if start, end and kind all equal a gold span (the entity-level
    score of CoNLL and ``seqeval``). ``support`` is the number of gold spans; a kind with no
    prediction has precision 0.
    """
    if len(gold) != len(pred):
        raise ValueError("gold and pred must cover the same texts")
    out: dict[str, dict[str, float]] = {}
    for kind in kinds:
        tp = n_gold = n_pred = 0
        for g, p in zip(gold, pred, strict=True):
            gs = {s for s in g if s.kind == kind}
            ps = {s for s in p if s.kind == kind}
            tp += len(gs & ps)
            n_gold += len(gs)
            n_pred += len(ps)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[kind] = {"precision": precision, "recall": recall, "f1": f1, "support": n_gold}
    return out


_FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
_CUES = {
    "PHONE": ["联系电话：", "手机", "请拨打", "热线"],
    "ID": ["身份证号码", "证件号：", "身份证号为"],
    "EMAIL": ["电子邮箱：", "来信请寄", "邮箱"],
}


def _negative(rng: random.Random) -> str:
    """A string that looks like PII and is not: a mistyped ID, a date, a serial or landline."""
    kind = rng.randrange(5)
    if kind == 0:
        return "身份证号码" + random_id(rng, valid=False)
    if kind == 1:
        return f"{rng.randint(1949, 2024)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    if kind == 2:  # 11 digits that do not start like a mobile number
        return f"编号1{rng.choice('012')}{rng.randint(0, 999_999_999):09d}"
    if kind == 3:
        return f"电话010-{rng.randint(10_000_000, 99_999_999)}"
    return f"网址www.{rng.choice(['people', 'xinhua', 'example'])}.com.cn"


def synthetic_pii_sample(
    sentences: Sequence[Sequence[str]],
    n: int = 400,
    seed: int = 0,
    negatives: float = 0.3,
    hard: float = 0.1,
) -> list[tuple[str, list[Span]]]:
    """``n`` annotated texts: real sentences (lists of words) with made-up PII inserted.

    Each text gets one or two PHONE/ID/EMAIL values (mobile numbers in three styles) after a cue
    word, at word boundaries. With probability ``hard`` a value is written the way people hide
    or type it: full-width digits (１３８…) for PHONE and ID, ``name(at)163.com`` for EMAIL (the
    rules of :func:`find_pii` miss these). With probability ``negatives`` a text also gets a hard
    negative (mistyped ID, date, 11-digit serial, landline, web address), not annotated. Names
    already in the sentences are not annotated: score ``NAME`` on real annotations instead.
    """
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    out: list[tuple[str, list[Span]]] = []
    for _ in range(n):
        words = list(rng.choice(sentences))
        inserts: list[tuple[str, str | None]] = []
        for _ in range(rng.choice([1, 1, 2])):
            kind = rng.choice(["PHONE", "ID", "EMAIL"])
            if kind == "PHONE":
                value = random_phone(rng, rng.choice(["plain", "plain", "dash", "space"]))
            elif kind == "ID":
                value = random_id(rng)
            else:
                user = "".join(rng.choice(letters) for _ in range(rng.randint(3, 8)))
                user += str(rng.randint(0, 999)) if rng.random() < 0.5 else ""
                at = "(at)" if rng.random() < hard else "@"
                value = f"{user}{at}{rng.choice(['163.com', 'qq.com', 'sina.com.cn', 'people.cn'])}"
            if kind != "EMAIL" and rng.random() < hard:
                value = value.translate(_FULL_WIDTH)
            inserts.append((rng.choice(_CUES[kind]) + "\x00" + value + "，", kind))
        if rng.random() < negatives:
            inserts.append((_negative(rng) + "，", None))
        for piece, kind in inserts:
            words.insert(rng.randrange(len(words) + 1), (piece, kind))
        text, spans = "", []
        for w in words:
            if isinstance(w, tuple):
                piece, kind = w
                cue, _, value = piece.partition("\x00")
                if kind is not None:
                    start = len(text) + len(cue)
                    spans.append(Span(start, start + len(value) - 1, kind))  # minus the comma
                text += cue + value
            else:
                text += w
        out.append((text, sorted(spans)))
    return out
