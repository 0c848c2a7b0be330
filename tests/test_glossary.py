"""The glossary (booktools.glossary): {dfn} terms found in the sources and in a real Sphinx build.

The synthetic book is two pages and a glossary, built in-process with myst-nb like the real one;
a second, incremental build after a notebook gains a term shows the glossary never goes stale.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from booktools.glossary import (
    Term,
    _rendered_text,
    book_terms,
    parse_term,
    sort_key,
    terms_in,
    toc_files,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("熵（entropy）", Term("熵", "entropy")),
        ("困惑度", Term("困惑度")),
        (
            "KL 散度（Kullback-Leibler divergence，相对熵）",
            Term("KL 散度", "Kullback-Leibler divergence", aliases=("相对熵",)),
        ),
        (
            "最大似然估计（maximum likelihood estimate，MLE）",
            Term("最大似然估计", "maximum likelihood estimate", abbreviations=("MLE",)),
        ),
        ("信息量（自信息，surprisal）", Term("信息量", "surprisal", aliases=("自信息",))),
        (
            "LoRA（low-rank adaptation，低秩适配）",
            Term("LoRA", "low-rank adaptation", ("低秩适配",)),
        ),
    ],
)
def test_parse_term(text: str, term: Term) -> None:
    assert parse_term(text) == term


def test_names_and_pinyin_order() -> None:
    term = parse_term("KL 散度（Kullback-Leibler divergence，相对熵）")
    assert term.names == ["KL 散度", "Kullback-Leibler divergence", "相对熵"]
    words = ["张量", "熵", "插值", "超参数", "贝叶斯公式", "KL 散度", "困惑度"]
    assert sorted(words, key=sort_key) == [
        "贝叶斯公式",
        "插值",
        "超参数",
        "KL 散度",
        "困惑度",
        "熵",
        "张量",
    ]


def test_code_blocks_and_comments_define_nothing() -> None:
    text = "\n".join(
        [
            "正文 {dfn}`甲（a）`",
            "% {dfn}`注释（comment）`",
            "```python",
            "s = '{dfn}`代码（code）`'",
            "```",
            "```{exercise}",
            "练习里的 {dfn}`乙（b）`",
            "```",
        ]
    )
    assert re.findall(r"\{dfn\}`(.)", _rendered_text(text)) == ["甲", "乙"]


def _notebook(path: Path, *markdown: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(m) for m in markdown]
    nb.cells.insert(1, nbformat.v4.new_code_cell("x = '{dfn}`不是（not a term）`'"))
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A two-page book and its glossary: Sphinx sources with a _toc.yml beside them."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        "extensions = ['myst_nb', 'sphinx_exercise', 'booktools.glossary', 'booktools.search']\n"
        "language = 'zh_CN'\nhtml_search_language = 'zh'\nnb_execution_mode = 'off'\n"
        "exclude_patterns = ['_build']\nsuppress_warnings = ['mystnb.unknown_mime_type']\n",
        encoding="utf-8",
    )
    (src / "index.md").write_text(
        "# 书\n\n```{toctree}\ninfo\nprob\nglossary\n```\n", encoding="utf-8"
    )
    _notebook(
        src / "info.ipynb",
        "# 信息论\n\n## 熵\n\n一个分布的{dfn}`熵（entropy）`是信息量的期望。",
        "## 交叉熵\n\n平均码长是{dfn}`交叉熵（cross-entropy）`。",
    )
    (src / "prob.md").write_text(
        "# 概率\n\n## 条件\n\n{dfn}`条件概率（conditional probability）`定义为……\n\n"
        "## 练习\n\n```{exercise}\n:label: ex-1\n\n"
        "验证{dfn}`全概率公式（law of total probability）`。\n```\n",
        encoding="utf-8",
    )
    (src / "glossary.md").write_text("# 术语表\n\n```{dfn-glossary}\n```\n", encoding="utf-8")
    (src / "_toc.yml").write_text(
        "format: jb-book\nroot: index\nchapters:\n- file: info\n- file: prob\n- file: glossary\n",
        encoding="utf-8",
    )
    return src


def _build(src: Path) -> Path:
    from sphinx.cmd.build import build_main

    out = src.parent / "html"
    assert build_main(["-W", "-q", "-b", "html", str(src), str(out)]) == 0
    return out


def _glossary(out: Path) -> list[tuple[str, str, str]]:
    """(name, English, link) of each glossary entry, in order."""
    html = (out / "glossary.html").read_text(encoding="utf-8")
    return re.findall(
        r'<dt><strong>([^<]+)</strong><span class="dfn-english">([^<]*)</span></dt>'
        r'<dd><p><a class="reference internal" href="([^"]+)"',
        html,
    )


def test_the_sources_in_toc_order(book: Path) -> None:
    assert [p.name for p in toc_files(book)] == [
        "index.md",
        "info.ipynb",
        "prob.md",
        "glossary.md",
    ]
    assert [t.name for t in terms_in(book / "info.ipynb")] == ["熵", "交叉熵"]  # not the code cell
    assert [(p.name, t.english) for p, t in book_terms(book)] == [
        ("info.ipynb", "entropy"),
        ("info.ipynb", "cross-entropy"),
        ("prob.md", "conditional probability"),
        ("prob.md", "law of total probability"),
    ]


def test_a_sphinx_build_makes_the_glossary(book: Path) -> None:
    out = _build(book)
    assert _glossary(out) == [
        ("交叉熵", "cross-entropy", "info.html#term-cross-entropy"),
        ("全概率公式", "law of total probability", "prob.html#term-law-of-total-probability"),
        ("熵", "entropy", "info.html#term-entropy"),
        ("条件概率", "conditional probability", "prob.html#term-conditional-probability"),
    ]
    page = (out / "info.html").read_text(encoding="utf-8")
    # the definition reads as it was written, the name in bold, with the anchor the glossary uses
    assert '<span class="dfn" id="term-entropy"><strong>熵</strong>（entropy）</span>' in page
    glossary = (out / "glossary.html").read_text(encoding="utf-8")
    assert "信息论 › 熵" in glossary  # where it is defined: page › section
    assert "概率 › 练习" in glossary  # an exercise's content is no section of its own
    # every name is an index entry: a search for it opens the definition
    raw = (out / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(raw[raw.index("(") + 1 : raw.rindex(")")])
    assert index["indexentries"]["熵"][0][1] == "term-entropy"
    assert "熵" in index["terms"] and "困惑" not in index["terms"]
    assert "_static/booktools-glossary.css" in glossary
    assert (out / "_static" / "booktools-glossary.css").is_file()

    # a page gains a term: the next (incremental) build lists it, with nothing else to do
    _notebook(
        book / "info.ipynb",
        "# 信息论\n\n## 熵\n\n一个分布的{dfn}`熵（entropy）`是信息量的期望。",
        "## 困惑度\n\n{dfn}`困惑度（perplexity）`是它的指数。",
    )
    names = [name for name, _, _ in _glossary(_build(book))]
    assert names == ["困惑度", "全概率公式", "熵", "条件概率"]


def test_every_definition_in_the_book_follows_the_convention() -> None:
    """中文（English）: every term has its English name, and no two terms share a name."""
    terms = book_terms(ROOT)
    assert len(terms) >= 30
    for path, term in terms:
        assert term.english, f"{path.name}: {{dfn}}`{term.text}` has no English name"
        assert "（" in term.text, f"{path.name}: write the English in full-width parentheses"
    names = [name for _, term in terms for name in term.names]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert not duplicates, f"defined twice: {duplicates}"
