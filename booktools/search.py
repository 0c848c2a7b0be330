"""Sphinx extension: a Chinese full-text search that finds what a reader types.

Sphinx's own Chinese search (``html_search_language: zh``) indexes the words jieba cuts and
drops every one-character word, while the search page splits a query only at spaces and
punctuation: 熵 is never indexed, and 困惑度, 交叉熵 or 奇异值分解 are queried as one word that
jieba has cut differently (困惑/度), so a reader's search finds nothing.

This extension replaces that language with character n-grams, the usual way to index CJK text
without a dictionary. Every run of Han characters is indexed as its single characters and its
overlapping pairs (困惑度 → 困 惑 度 困惑 惑度); a query is cut the same way, into its pairs
(a one-character query stays one character), and Sphinx's search requires every piece on the
same page. So any Chinese string that occurs in a page finds that page, whatever its word
boundaries. Latin words (softmax, LoRA, KL) are indexed and stemmed as before; a one-letter Latin
word (the n of “n 元”) is neither indexed nor queried.

It works from the search box of every page and from ``search.html?q=TERM``, with the index in
``searchindex.js`` (a script, so it also works for a book opened from disk, file://), offline.
The terms the book defines with ``{dfn}`` (:mod:`booktools.glossary`) are also index entries, so
their first search result opens the definition itself.

Use: ``local_extensions: {booktools.search: .}`` in ``_config.yml``, with
``html_search_language: zh``.
"""

from __future__ import annotations

import re
from typing import Any

from sphinx.search import languages
from sphinx.search.zh import SearchChinese

__all__ = ["SPLITTER_JS", "SearchChineseNgrams", "query_terms", "setup", "split_index"]

# Han ideographs: CJK Unified Ideographs and Extension A, compatibility ideographs, and the
# supplementary planes (extensions B and later); the JavaScript below uses the same ranges
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
_RUNS = re.compile(rf"[{_HAN}]+|[^{_HAN}]+")
_IS_HAN = re.compile(rf"[{_HAN}]")


def _pairs(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def split_index(text: str) -> list[str]:
    """The words Sphinx indexes for ``text``: each Han character and each adjacent pair, and the
    Latin words (and numbers) as they are."""
    out: list[str] = []
    for word in re.findall(r"\w+", text):
        for run in _RUNS.findall(word):
            if _IS_HAN.match(run):
                out.extend(run)
                out.extend(_pairs(run))
            else:
                out.append(run)
    return out


def query_terms(query: str) -> list[str]:
    """What the search page looks up for ``query`` (the Python twin of :data:`SPLITTER_JS`):
    a run of Han characters becomes its adjacent pairs (one character stays itself); a Latin word
    stays whole unless it is one letter (never indexed)."""
    out: list[str] = []
    for word in re.findall(r"\w+", query):
        for run in _RUNS.findall(word):
            if _IS_HAN.match(run):
                out.extend(_pairs(run) or [run])
            elif len(run) > 1 or run.isdigit():
                out.append(run)
    return out


# language_data.js defines this before searchtools.js, which then keeps it (it defines its own
# splitQuery only when none exists). Array.from counts a supplementary-plane character as one.
SPLITTER_JS = r"""
var splitQuery = (query) => {
  const han = "\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\u{20000}-\\u{3ffff}";
  const runs = new RegExp(`[${han}]+|[^${han}]+`, "gu");
  const isHan = new RegExp(`^[${han}]`, "u");
  const terms = [];
  for (const word of query.split(/[^\p{Letter}\p{Number}_]+/u)) {
    for (const run of word.match(runs) || []) {
      const chars = Array.from(run);
      if (isHan.test(run)) {
        if (chars.length === 1) terms.push(run);
        for (let i = 0; i + 1 < chars.length; i++) terms.push(chars[i] + chars[i + 1]);
      } else if (chars.length > 1 || /^\d$/.test(run)) {
        terms.push(run);
      }
    }
  }
  return terms;
};
"""


class SearchChineseNgrams(SearchChinese):
    """Sphinx's Chinese search with character unigrams and bigrams instead of jieba's words."""

    js_splitter_code = SPLITTER_JS

    def init(self, options: dict[str, str]) -> None:
        super().init(options)
        self.latin_terms = set()  # per instance (SearchChinese keeps a class-level list)

    def split(self, input: str) -> list[str]:
        words = split_index(input)
        self.latin_terms.update(w for w in words if not _IS_HAN.match(w))
        return words

    def word_filter(self, stemmed_word: str) -> bool:
        return len(stemmed_word) > 1 or bool(_IS_HAN.match(stemmed_word))


def setup(app: Any) -> dict[str, Any]:
    """Make ``html_search_language: zh`` use :class:`SearchChineseNgrams`."""
    languages["zh"] = SearchChineseNgrams
    return {"parallel_read_safe": True, "parallel_write_safe": True}
