"""The book's Chinese search index (booktools.search): what is indexed and what is looked up.

A query finds a page when every piece it is cut into was indexed for that page, so the test that
matters is that the pieces of any Chinese string are among the words indexed for a text that
contains it, whatever the words around it. The JavaScript twin of ``query_terms`` runs in the
browser tests (tests/browser/test_search.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from booktools.glossary import book_terms
from booktools.search import SearchChineseNgrams, query_terms, split_index

ROOT = Path(__file__).resolve().parents[1]


def test_split_index_keeps_every_character_and_pair() -> None:
    assert split_index("困惑度") == ["困", "惑", "度", "困惑", "惑度"]
    assert split_index("LoRA 的秩") == ["LoRA", "的", "秩", "的秩"]
    assert split_index("KL散度，熵") == ["KL", "散", "度", "散度", "熵"]


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("熵", ["熵"]),
        ("困惑度", ["困惑", "惑度"]),
        ("最大似然估计", ["最大", "大似", "似然", "然估", "估计"]),
        ("KL 散度", ["KL", "散度"]),
        ("n 元语言模型", ["元语", "语言", "言模", "模型"]),  # a one-letter word is not indexed
        ("Eckart–Young 定理", ["Eckart", "Young", "定理"]),
        ("softmax", ["softmax"]),
        ("2.3 节", ["2", "3", "节"]),
    ],
)
def test_query_terms(query: str, terms: list[str]) -> None:
    assert query_terms(query) == terms


def test_a_term_is_found_inside_any_sentence() -> None:
    # jieba cuts 困惑度 as 困惑/度 and 交叉熵 as 交叉/熵: as words these queries found nothing
    sentences = {
        "模型的困惑度越低越好": "困惑度",
        "所以交叉熵越低，模型越接近真实分布": "交叉熵",
        "一个分布的熵是信息量的期望": "熵",
        "可以用奇异值分解把矩阵拆开": "奇异值分解",
    }
    for sentence, term in sentences.items():
        assert set(query_terms(term)) <= set(split_index(sentence)), term


def test_every_defined_term_is_found_in_its_own_definition() -> None:
    language = SearchChineseNgrams({})
    for _path, term in book_terms(ROOT):
        indexed = {language.stem(w).lower() for w in language.split(term.text)}
        indexed = {w for w in indexed if language.word_filter(w)}
        for name in term.names:
            pieces = {language.stem(t).lower() for t in query_terms(name)}
            assert pieces <= indexed, (name, pieces - indexed)


def test_the_filter_keeps_one_chinese_character_and_drops_one_letter() -> None:
    language = SearchChineseNgrams({})
    assert language.word_filter("熵")
    assert language.word_filter("秩")
    assert not language.word_filter("n")
    assert language.word_filter("kl")
