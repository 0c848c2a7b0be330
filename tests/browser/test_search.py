"""The built book's search and glossary, used the way a reader uses them (headless Chromium).

The queries come from the book's own sources, so the list grows with the book: every name of
every term a chapter defines with ``{dfn}`` (Chinese, English, abbreviations), every heading and
every short bold phrase, plus a few queries as a reader types them (mixed Chinese and English,
an ASCII hyphen for an en dash). Each must find its page on ``search.html?q=…``; a defined term's
first result must open the definition itself (an anchor inside the section that defines it).
The book is opened from disk (file://), as ``make book`` tells a reader to, with every request
outside the book refused.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import pytest

from booktools.glossary import book_terms, markdown_of, toc_files
from booktools.search import query_terms

ROOT = Path(__file__).resolve().parents[2]
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")

# as a reader types them: (query, the page it must find, whether the first result is a definition)
READER_QUERIES = [
    ("LoRA 秩", "book/ch02/2-3-linear-algebra", False),
    ("KL 散度", "book/ch02/2-2-information-theory", True),
    ("softmax", "book/ch02/2-1-probability", False),
    ("perplexity", "book/ch02/2-2-information-theory", True),
    ("最大似然", "book/ch02/2-1-probability", False),
    ("n 元语言模型", "book/ch02/2-1-probability", False),
    ("n-gram", "book/ch02/2-1-probability", False),
    ("Eckart-Young 定理", "book/ch02/2-3-linear-algebra", True),
    ("Zipf's law", "book/ch02/2-2-information-theory", True),
    ("注意力机制", "book/tour", True),
]


@dataclass
class Query:
    text: str
    pages: set[str] = field(default_factory=set)  # docnames it must find
    definition: str | None = None  # docname whose {dfn} must be the first result
    name: str = ""  # the defined term's Chinese name (shown in bold at the anchor)
    kinds: set[str] = field(default_factory=set)


def _docname(path: Path) -> str:
    return path.relative_to(ROOT).with_suffix("").as_posix()


def _plain(text: str) -> str:
    text = re.sub(r"\{[a-z-]+\}`([^`]*)`", r"\1", text)  # roles: keep their text
    return re.sub(r"[`*$]", "", text).strip()


def book_queries() -> list[Query]:
    """Every query the test makes, from the sources (``_toc.yml`` order)."""
    queries: dict[str, Query] = {}

    def add(text: str, docname: str, kind: str) -> Query:
        query = queries.setdefault(text, Query(text))
        query.pages.add(docname)
        query.kinds.add(kind)
        return query

    for path, term in book_terms(ROOT):
        for name in term.names:
            query = add(name, _docname(path), "dfn")
            query.definition = query.definition or _docname(path)
            query.name = query.name or term.name
    for path in toc_files(ROOT):
        for text in markdown_of(path):
            for heading in re.findall(r"^#+\s+(.+)$", text, flags=re.M):
                title = re.sub(r"^\d+(\.\d+)*\s*", "", _plain(heading))
                if title:
                    add(title, _docname(path), "heading")
            for bold in re.findall(r"\*\*(.+?)\*\*", text):
                bold = _plain(bold).rstrip("。.")
                if "$" not in bold and "`" not in bold and 1 <= len(bold) <= 10:
                    add(bold, _docname(path), "bold")
    for text, docname, definition in READER_QUERIES:
        query = add(text, docname, "reader")
        if definition:
            query.definition = docname
    return list(queries.values())


@pytest.fixture(scope="module")
def html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The book as `make book` builds it (warnings are errors)."""
    out = tmp_path_factory.mktemp("book")
    build = ["build", "-W", "-n", "--keep-going", "--path-output", str(out), "."]
    proc = subprocess.run(
        [str(JUPYTER_BOOK), *build], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    yield out / "_build" / "html"
    shutil.rmtree(out, ignore_errors=True)


def search(page: Any, html: Path, query: str) -> list[str]:
    """The result links (relative to the book's root) that ``search.html?q=query`` shows."""
    page.goto(f"{(html / 'search.html').as_uri()}?q={quote(query)}")
    page.wait_for_function(
        "() => (document.querySelector('#search-results .search-summary') || {}).innerText",
        timeout=30_000,
    )
    return page.eval_on_selector_all(
        "#search-results ul.search li > a", "links => links.map(a => a.getAttribute('href'))"
    )


# the search page's own code, without drawing the results: Sphinx's searchtools.js computes them
# with _parseQuery and _performSearch and shows them last to first, each linked as docname +
# LINK_SUFFIX + anchor
_SEARCH_ALL = """queries => queries.map(q => {
    const parsed = Search._parseQuery(q);
    return Search._performSearch(...parsed).reverse()
        .map(r => r[0] + DOCUMENTATION_OPTIONS.LINK_SUFFIX + r[2]);
})"""


def search_all(page: Any, html: Path, queries: list[str]) -> dict[str, list[str]]:
    """The result links of each query, computed by the search page's code in one page."""
    page.goto((html / "search.html").as_uri())
    page.wait_for_function("() => Search.hasIndex()", timeout=30_000)
    return dict(zip(queries, page.evaluate(_SEARCH_ALL, queries), strict=True))


def _definition_at(html: Path, link: str) -> tuple[str, str]:
    """(docname, bold name) of the {dfn} a result link points at (name '' if it is not one)."""
    parts = urlsplit(link)
    text = (html / parts.path).read_text(encoding="utf-8")
    anchor = re.escape(unquote(parts.fragment))
    match = re.search(rf'<span class="dfn" id="{anchor}"><strong>([^<]+)</strong>', text)
    return parts.path.removesuffix(".html"), match[1] if match else ""


def test_the_query_list_comes_from_the_book() -> None:
    queries = book_queries()
    kinds = {kind: sum(kind in q.kinds for q in queries) for kind in ("dfn", "heading", "bold")}
    assert len(queries) >= 30 and kinds["dfn"] >= 30, kinds
    texts = {q.text for q in queries}
    for needed in ("熵", "困惑度", "交叉熵", "最大似然估计", "奇异值分解", "KL 散度", "perplexity"):
        assert needed in texts


def _check(html: Path, query: Query, links: list[str]) -> list[str]:
    """What is wrong with the results of ``query`` (nothing: [])."""
    problems = []
    found = {urlsplit(link).path.removesuffix(".html") for link in links}
    if not query.pages <= found:
        problems.append(f"{query.text!r} misses {sorted(query.pages - found)}")
    if query.definition:
        docname, name = _definition_at(html, links[0]) if links else ("", "")
        if docname != query.definition or not name or (query.name and name != query.name):
            problems.append(f"{query.text!r}: the first result {links[:1]} is not the definition")
    return problems


def test_the_search_page_cuts_a_query_as_the_index_expects(html: Path, page: Any) -> None:
    """The page's splitQuery (language_data.js) and booktools.search.query_terms agree."""
    samples = [q.text for q in book_queries()]
    samples += ["Eckart–Young", "n-gram 模型", "2.3 节", "x_1 与 y", "𠀀𠀁𠀂", "ＫＬ散度", "  "]
    page.goto((html / "search.html").as_uri())
    page.wait_for_function("() => Search.hasIndex()")
    cut = page.evaluate("queries => queries.map(q => splitQuery(q))", samples)
    assert dict(zip(samples, cut, strict=True)) == {q: query_terms(q) for q in samples}


def test_every_term_heading_and_bold_phrase_finds_its_page(html: Path, page: Any) -> None:
    queries = book_queries()
    results = search_all(page, html, [q.text for q in queries])
    problems = [p for q in queries for p in _check(html, q, results[q.text])]
    assert not problems, f"{len(problems)} problems in {len(queries)} queries: {problems[:10]}"
    assert not page.blocked, f"the search page tried to load {page.blocked[:3]}"


@pytest.mark.parametrize(
    "text",
    [q for q, _, _ in READER_QUERIES] + ["熵", "困惑度", "交叉熵", "最大似然估计", "奇异值分解"],
)
def test_a_reader_query_on_the_search_page(html: Path, page: Any, text: str) -> None:
    """Through ``search.html?q=…`` as a reader gets there: the same results, drawn on the page."""
    query = next(q for q in book_queries() if q.text == text)
    links = search(page, html, text)
    assert not _check(html, query, links), links[:3]
    assert links == search_all(page, html, [text])[text]
    assert not page.blocked, page.blocked[:3]


def test_a_result_opens_the_definition(html: Path, page: Any) -> None:
    """Click the first result for 困惑度: the page scrolls to the highlighted definition."""
    assert search(page, html, "困惑度")
    page.click("#search-results ul.search li > a >> nth=0")
    page.wait_for_load_state()
    assert page.url.split("#")[0].endswith("book/ch02/2-2-information-theory.html")
    target = page.locator(":target")
    assert target.get_attribute("class") == "dfn"
    assert target.locator("strong").inner_text() == "困惑度"
    assert target.is_visible()
    box = target.bounding_box()
    assert box is not None and 0 <= box["y"] < 900, box  # in the viewport: scrolled to it
    section = target.locator("xpath=ancestor::section[1]")
    assert (
        section.locator("h2").first.inner_text().endswith("交叉熵与困惑度")
    )  # the section, whatever its number
    assert not page.blocked, page.blocked[:3]


def test_the_search_box_of_a_chapter_page(html: Path, page: Any) -> None:
    """Type into the search field of a chapter page (the theme's Ctrl+K dialog) and press Enter."""
    page.goto((html / "book" / "ch02" / "2-1-probability.html").as_uri())
    page.keyboard.press("Control+k")
    field = page.locator("form.bd-search input[name='q']").first
    field.wait_for(state="visible")
    field.fill("熵")
    field.press("Enter")
    page.wait_for_url("**/search.html?q=*")
    page.wait_for_function(
        "() => (document.querySelector('#search-results .search-summary') || {}).innerText"
    )
    first = page.locator("#search-results ul.search li > a").first.get_attribute("href")
    assert first.startswith("book/ch02/2-2-information-theory.html#term-"), first
    assert not page.blocked, page.blocked[:3]


def test_glossary_lists_every_definition_and_links_to_it(html: Path, page: Any) -> None:
    terms = book_terms(ROOT)
    glossary = html / "book" / "glossary.html"
    page.goto(glossary.as_uri())
    rows = page.eval_on_selector_all(
        "dl.dfn-glossary > dt",
        """dts => dts.map(dt => [dt.querySelector('strong').innerText,
            (dt.querySelector('.dfn-english') || {innerText: ''}).innerText,
            Array.from(dt.nextElementSibling.querySelectorAll('a'))
                 .map(a => a.getAttribute('href'))])""",
    )
    listed = {name: (english, links) for name, english, links in rows}
    assert len(rows) == len(listed), "a term is listed twice"
    for path, term in terms:
        assert term.name in listed, f"{term.name} ({path.name}) is not in the glossary"
        english, links = listed[term.name]
        if term.english:
            assert english.replace("’", "'").startswith(term.english), (term.name, english)
        docname = _docname(path).removeprefix("book/")
        assert any(link.startswith(f"{docname}.html#term-") for link in links), (term, links)
        for link in links:
            assert _definition_at(html / "book", link)[1] == term.name, (term.name, link)
    names = [name for name, _, _ in rows]
    assert names.index("贝叶斯公式") < names.index("熵") < names.index("张量"), "not by pinyin"

    # a reader clicks one: the defining section opens, scrolled to the definition
    page.click("dl.dfn-glossary > dt:has-text('KL 散度') + dd a >> nth=0")
    page.wait_for_load_state()
    target = page.locator(":target")
    assert target.locator("strong").inner_text() == "KL 散度"
    assert target.locator("xpath=ancestor::section[1]/h2").inner_text().endswith("KL 散度")
    assert not page.blocked, page.blocked[:3]
