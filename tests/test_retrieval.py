"""Tests of lmbook.zoo.retrieval and lmbook.zoo.toolcall: BM25 equals rank_bm25's scores, dense
vectors do not depend on batching, fusion and recall@k follow their definitions, character F1
matches a hand count, and the calculator evaluates arithmetic and refuses everything else."""

from __future__ import annotations

import numpy as np
import pytest
import rank_bm25
import torch

from lmbook.zoo import (
    BM25,
    calculate,
    char_f1,
    char_tokens,
    dense_rank,
    embed_texts,
    exact_match,
    load,
    recall_at_k,
    reciprocal_rank_fusion,
    run_call,
)
from lmbook.zoo.toolcall import arithmetic_problems, target

DOCS = [
    "新华社北京一月一日电",
    "国务院总理李鹏在北京会见外宾",
    "上海浦东新区的建设进展顺利",
    "北京市人民政府召开会议",
    "今天的天气很好。",
]


def test_char_tokens_drop_punctuation_and_add_bigrams():
    assert char_tokens("人民 日报，好！") == ["人", "民", "日", "报", "好"]
    assert char_tokens("人民日", bigrams=True) == ["人", "民", "日", "人民", "民日"]


@pytest.mark.parametrize("bigrams", [False, True])
def test_bm25_equals_rank_bm25(bigrams):
    docs = [char_tokens(d, bigrams) for d in DOCS]
    queries = [char_tokens(q, bigrams) for q in ["北京会见", "上海的天气", "北京北京", "没有"]]
    reference = rank_bm25.BM25Okapi(docs)
    ours = BM25(docs)
    expected = np.array([reference.get_scores(q) for q in queries])
    np.testing.assert_allclose(ours.scores(queries), expected, rtol=1e-12, atol=1e-12)
    assert ours.rank(queries, k=1)[0, 0] == 1  # "北京会见" is the premier's meeting


def test_bm25_negative_idf_floor():
    docs = [["a", "b"], ["a", "c"], ["a", "d"], ["e"]]  # "a" is in more than half
    ours = BM25(docs)
    reference = rank_bm25.BM25Okapi(docs)
    raw = np.log(4 - np.array([3, 1, 1, 1, 1]) + 0.5) - np.log(np.array([3, 1, 1, 1, 1]) + 0.5)
    assert raw[0] < 0 and ours.idf[ours.vocabulary["a"]] == pytest.approx(0.25 * raw.mean())
    for term, value in reference.idf.items():
        assert ours.idf[ours.vocabulary[term]] == pytest.approx(value)


def test_recall_and_fusion():
    ranked = np.array([[3, 1, 2], [0, 2, 1]])
    assert recall_at_k(ranked, [1, 1], ks=(1, 2, 3)) == {1: 0.0, 2: 0.5, 3: 1.0}
    with pytest.raises(ValueError):
        recall_at_k(ranked, [1, 1], ks=(4,))
    a, b = np.array([[0, 1, 2]]), np.array([[1, 2, 0]])
    # 1: 1/62 + 1/61 beats 0: 1/61 + 1/63 and 2: 1/63 + 1/62
    assert reciprocal_rank_fusion([a, b], k=3).tolist() == [[1, 0, 2]]
    assert reciprocal_rank_fusion([a], k=5).tolist() == [[0, 1, 2, -1, -1]]


def test_char_f1_and_exact_match():
    assert char_f1("北京市", "北京") == pytest.approx(2 * (2 / 3) * 1 / (2 / 3 + 1))
    assert char_f1("上海", "北京") == 0.0
    assert char_f1("", "") == 1.0 and char_f1("", "北京") == 0.0
    assert char_f1("京北", "北京") == 1.0 and exact_match("京北", "北京") == 0.0
    assert exact_match("北京。", "北京") == 1.0


def test_embeddings_normalised_and_batch_free():
    torch.set_num_threads(1)
    bert, tok = load("bert-zh-tiny")
    whole = embed_texts(bert, tok, DOCS)
    small = embed_texts(bert, tok, DOCS, batch_size=2)
    np.testing.assert_allclose(np.linalg.norm(whole, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(whole, small, atol=1e-5)
    assert dense_rank(whole, whole[[2]], k=1)[0, 0] == 2  # a text is its own nearest neighbour


def test_calculator_is_safe():
    assert calculate("12+35") == 47 and calculate("(3-5)*-2") == 4
    for bad in ["__import__('os')", "2**10", "abs(-1)", "1/2", "'a'*3", "x+1", "1+"]:
        with pytest.raises(ValueError):
            calculate(bad)
    assert run_call("好<calc>6*7</calc>。") == "42"
    assert run_call("<calc>6/7</calc>") is None and run_call("42") is None
    long_product = "*".join(["99"] * 40)  # 119 characters: an 80-digit number
    with pytest.raises(ValueError):
        calculate(long_product)
    assert calculate("*".join(["99"] * 30)) == 99**30  # 89 characters: still allowed
    assert run_call(f"<calc>{'+'.join(['1'] * 1000)}</calc>") is None  # too long, not a crash


def test_problems_and_targets():
    train = arithmetic_problems(50, seed=0)
    test = arithmetic_problems(20, seed=1, exclude=train)
    assert len(set(train)) == 50 and not set(train) & set(test)
    assert target("12+35", "direct") == "47" and target("12+35", "tool") == "<calc>12+35</calc>"
    with pytest.raises(ValueError):
        target("1+1", "both")
