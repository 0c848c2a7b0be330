"""PII detection, scoring and scrubbing (lmbook.text.pii)."""

import random

import pytest

from lmbook.text import (
    Span,
    find_pii,
    id_check_digit,
    is_valid_id,
    random_id,
    random_phone,
    scrub,
    span_scores,
    synthetic_pii_sample,
)

# the examples printed in GB 11643-1999
STANDARD_EXAMPLES = ["11010519491231002X", "440524188001010014"]


@pytest.mark.parametrize("number", STANDARD_EXAMPLES)
def test_check_digit_matches_the_standard(number):
    assert id_check_digit(number[:17]) == number[17] and is_valid_id(number)
    total = sum(int(a) * 2 ** (17 - i) for i, a in enumerate(number[:17]))
    check = 10 if number[17] == "X" else int(number[17])
    assert (total + check) % 11 == 1


def test_is_valid_id_rejects_typos_dates_and_regions():
    assert is_valid_id("11010519491231002X") and is_valid_id("11010519491231002x")
    assert not is_valid_id("110105194912310021")  # wrong check character
    assert not is_valid_id("110105194902300021")  # 30 February
    assert not is_valid_id("99010519491231002X")  # no such province
    assert not is_valid_id("11010519491231002")  # 17 characters
    rng = random.Random(0)
    assert all(is_valid_id(random_id(rng)) for _ in range(200))
    assert not any(is_valid_id(random_id(rng, valid=False)) for _ in range(200))


def test_find_pii_types_and_boundaries():
    phone = random_phone(random.Random(1), "dash")
    text = f"电话{phone}，身份证11010519491231002X，邮箱li.ming@163.com，日期19980101。"
    spans = find_pii(text, ["PHONE", "ID", "EMAIL"])
    assert [text[s.start : s.end] for s in spans] == [
        phone,
        "11010519491231002X",
        "li.ming@163.com",
    ]
    assert [s.kind for s in spans] == ["PHONE", "ID", "EMAIL"]
    # 11 digits inside a longer number are not a phone number
    assert find_pii("编号1381234567890", ["PHONE"]) == []
    with pytest.raises(ValueError):
        find_pii("x", ["ADDRESS"])


def test_names_and_scrub():
    text = "江泽民会见了客人，电话13812345678。"
    spans = find_pii(text)
    assert Span(0, 3, "NAME") in spans
    assert scrub(text, spans) == "[姓名]会见了客人，电话[手机号]。"


def test_span_scores_counts_exact_matches():
    gold = [[Span(0, 3, "NAME"), Span(5, 16, "PHONE")], [Span(2, 4, "NAME")]]
    pred = [[Span(0, 2, "NAME"), Span(5, 16, "PHONE")], [Span(2, 4, "NAME"), Span(6, 8, "NAME")]]
    s = span_scores(gold, pred, ["NAME", "PHONE"])
    assert s["NAME"]["precision"] == pytest.approx(1 / 3)
    assert s["NAME"]["recall"] == pytest.approx(1 / 2)
    assert s["PHONE"]["f1"] == 1.0 and s["PHONE"]["support"] == 1


def test_synthetic_sample_is_seeded_and_consistent():
    sentences = [["今天", "天气", "很", "好", "。"], ["人民", "日报", "报道", "。"]]
    a = synthetic_pii_sample(sentences, n=50, seed=3)
    assert a == synthetic_pii_sample(sentences, n=50, seed=3)
    assert a != synthetic_pii_sample(sentences, n=50, seed=4)
    easy = synthetic_pii_sample(sentences, n=100, seed=0, hard=0.0)
    pred = [find_pii(t, ["PHONE", "ID", "EMAIL"]) for t, _ in easy]
    scores = span_scores([g for _, g in easy], pred, ["PHONE", "ID", "EMAIL"])
    assert all(v["precision"] == v["recall"] == 1.0 for v in scores.values())
    hard = synthetic_pii_sample(sentences, n=100, seed=0, hard=1.0)
    pred = [find_pii(t, ["PHONE", "ID", "EMAIL"]) for t, _ in hard]
    assert span_scores([g for _, g in hard], pred, ["PHONE", "ID", "EMAIL"])["ID"]["recall"] == 0
