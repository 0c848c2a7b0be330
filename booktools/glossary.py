"""Sphinx extension: the glossary (术语表) built from the definitions in the chapters.

The convention: a chapter defines a term where it first explains it, with Sphinx's standard
``dfn`` role in MyST syntax, the Chinese name and then the English name in full-width
parentheses::

    一个分布的{dfn}`熵（entropy）`是信息量的期望

Inside the parentheses, parts separated by “，” that contain Chinese are other Chinese names
(``{dfn}`KL 散度（Kullback-Leibler divergence，相对熵）` ``); of the others the first is the
English name and the rest are abbreviations
(``{dfn}`最大似然估计（maximum likelihood estimate，MLE）` ``).

What the extension does with each ``{dfn}``:

- in the text it reads as before: the name in bold, the parentheses as written, with an anchor
  (``term-entropy``) that the glossary links to and a light highlight when a link lands on it;
- every name (Chinese, English, abbreviations) becomes an index entry: the book's index lists it,
  and a search for it has the definition itself as the first result (:mod:`booktools.search`);
- the page with a ``dfn-glossary`` directive (book/glossary.md) lists every term of the book,
  sorted by pinyin and grouped by initial, each with its English name and a link to the section
  that defines it. The list is made at build time from what Sphinx read, so it is never out of
  date; a page that changes rebuilds the glossary.

:func:`book_terms` reads the same definitions straight from the sources in ``_toc.yml`` order
(the tests compare the built glossary and the search with it).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.util.nodes import make_id

__all__ = [
    "DFN",
    "Term",
    "book_terms",
    "markdown_of",
    "parse_term",
    "setup",
    "sort_key",
    "terms_in",
    "toc_files",
]

# {dfn}`...` in MyST markdown (the role's content has no backquote)
DFN = re.compile(r"\{dfn\}`([^`]+)`")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_PARTS = re.compile(r"\s*[，,；;]\s*")
_CSS = "booktools-glossary.css"
_STYLE = """\
/* booktools.glossary: a definition a link lands on, and the glossary page */
span.dfn { scroll-margin-top: 6em; }  /* a link lands with the lines before it in view */
span.dfn:target { background: var(--pst-color-target, #fff3b0); border-radius: 2px; }
dl.dfn-glossary dt { margin-top: 0.4em; }
dl.dfn-glossary .dfn-english {
  margin-left: 0.6em; font-weight: normal; color: var(--pst-color-text-muted, #555);
}
dl.dfn-glossary dd { margin-bottom: 0.2em; }
"""


@dataclass(frozen=True)
class Term:
    """One ``{dfn}``: its Chinese name, English name, other Chinese names and abbreviations."""

    name: str
    english: str = ""
    aliases: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    text: str = field(default="", compare=False)  # the role's content as written

    @property
    def names(self) -> list[str]:
        """Every name a reader may look the term up by."""
        names = [self.name, self.english, *self.aliases, *self.abbreviations]
        return [n for n in dict.fromkeys(names) if n]


def parse_term(text: str) -> Term:
    """Split a ``{dfn}`` text such as ``熵（entropy）`` into a :class:`Term`."""
    text = " ".join(text.split())
    match = re.fullmatch(r"(?P<name>[^（]+?)\s*（(?P<inner>.+)）", text)
    if match is None:
        return Term(name=text, text=text)
    chinese, latin = [], []
    for part in _PARTS.split(match["inner"].strip()):
        if part:
            (chinese if _HAN.search(part) else latin).append(part)
    return Term(
        name=match["name"],
        english=latin[0] if latin else "",
        aliases=tuple(chinese),
        abbreviations=tuple(latin[1:]),
        text=text,
    )


def sort_key(name: str) -> tuple[tuple[str, ...], str]:
    """Syllable by syllable, the pinyin without tones (a Latin word as one lower-case syllable),
    as a dictionary orders it (cha before chao); then the name itself."""
    from pypinyin import lazy_pinyin

    syllables = (re.sub(r"[^a-z0-9]", "", s.lower()) for s in lazy_pinyin(name))
    return tuple(s for s in syllables if s), name


def _initial(name: str) -> str:
    syllables = sort_key(name)[0]
    first = syllables[0][:1].upper() if syllables else ""
    return first if first.isalpha() else "#"


# ---------------------------------------------------------------- the sources, without Sphinx
def toc_files(root: Path | str) -> list[Path]:
    """The book's pages (notebooks and markdown) in ``_toc.yml`` order."""
    import yaml

    root = Path(root)
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    names: list[str] = [toc["root"]]

    def walk(entries: list[dict[str, Any]]) -> None:
        for entry in entries or []:
            if "file" in entry:
                names.append(entry["file"])
            for key in ("parts", "chapters", "sections"):
                walk(entry.get(key, []))

    walk(toc.get("parts", []) + toc.get("chapters", []) + toc.get("sections", []))
    files = []
    for name in names:
        for suffix in ("", ".ipynb", ".md"):
            path = root / f"{name}{suffix}"
            if path.is_file():
                files.append(path)
                break
    return files


def markdown_of(path: Path | str) -> list[str]:
    """The markdown of a page: a notebook's markdown cells, or the whole ``.md`` file."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".ipynb":
        return [text]
    cells = json.loads(text)["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]


_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*(.*?)\s*$")


def _rendered_text(markdown: str) -> str:
    """``markdown`` less what MyST does not render as text: code blocks and ``%`` comment lines.
    A directive's fence (```` ```{exercise} ````) is kept: its content is text."""
    kept, fences = [], []  # fences: the open ones, (marker, is code)
    for line in markdown.splitlines():
        fence = _FENCE.match(line)
        in_code = any(code for _, code in fences)
        if fence and fences and fence[1].startswith(fences[-1][0]) and not fence[2]:
            fences.pop()  # the closing fence of the innermost block
        elif fence and not in_code:
            fences.append((fence[1], not fence[2].startswith("{")))
        elif not in_code and not line.startswith("%"):
            kept.append(line)
    return "\n".join(kept)


def terms_in(path: Path | str) -> list[Term]:
    """The terms a page defines, in order (none from code blocks or comments)."""
    return [parse_term(m) for text in markdown_of(path) for m in DFN.findall(_rendered_text(text))]


def book_terms(root: Path | str) -> list[tuple[Path, Term]]:
    """Every ``{dfn}`` of the book, with its page, in ``_toc.yml`` order."""
    return [(path, term) for path in toc_files(root) for term in terms_in(path)]


# ---------------------------------------------------------------- Sphinx
class glossary_list(nodes.General, nodes.Element):
    """Where the glossary goes; replaced once every page has been read."""


class GlossaryDirective(Directive):
    """``dfn-glossary``: the book's glossary (no arguments, no content)."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        return [glossary_list("")]


def _entries(env: Any) -> dict[str, list[dict[str, Any]]]:
    if not hasattr(env, "booktools_dfns"):
        env.booktools_dfns = {}
    return env.booktools_dfns


def _glossary_docs(env: Any) -> set[str]:
    if not hasattr(env, "booktools_glossary_docs"):
        env.booktools_glossary_docs = set()
    return env.booktools_glossary_docs


class DefinitionTransform(SphinxTransform):
    """Give each ``{dfn}`` an anchor, index entries and a place in the glossary."""

    # before SphinxDomains (850), which collects the index entries for the book's index
    default_priority = 700

    def apply(self, **kwargs: Any) -> None:
        docname = self.env.docname
        found = []
        for node in list(self.document.findall(nodes.emphasis)):
            if "dfn" not in node.get("classes", []):
                continue
            term = parse_term(node.astext())
            anchor = make_id(self.env, self.document, "term", term.english or term.name)
            new = nodes.inline("", classes=["dfn"], ids=[anchor])
            new += nodes.strong(term.name, term.name)
            rest = node.astext()[len(term.name) :] if node.astext().startswith(term.name) else ""
            if rest:
                new += nodes.Text(rest)
            self.document.ids[anchor] = new
            # the names as typed, too: Eckart-Young for Eckart–Young
            names = dict.fromkeys(n for name in term.names for n in (name, _typed(name)))
            entries = [("single", name, anchor, "main", None) for name in names]
            index = addnodes.index(entries=entries)
            node.replace_self([index, new])
            section = _section_of(new)
            found.append(
                {
                    "name": term.name,
                    "english": term.english,
                    "aliases": list(term.aliases),
                    "abbreviations": list(term.abbreviations),
                    "anchor": anchor,
                    "section": section[0],
                    "section_anchor": section[1],
                }
            )
        if found:
            _entries(self.env)[docname] = found
        else:
            _entries(self.env).pop(docname, None)
        if any(True for _ in self.document.findall(glossary_list)):
            _glossary_docs(self.env).add(docname)


def _typed(name: str) -> str:
    return re.sub("[\u2010-\u2015]", "-", name).replace("\u2019", "'")


def _section_of(node: nodes.Node) -> tuple[str, str]:
    """(title, id) of the section a node is in: the nearest one with a title of its own (an
    exercise's content is an untitled section)."""
    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.section) and parent.children:
            first = parent.children[0]
            if isinstance(first, nodes.title):
                return first.astext(), (parent["ids"][0] if parent["ids"] else "")
        parent = parent.parent
    return "", ""


def _purge(app: Any, env: Any, docname: str) -> None:
    _entries(env).pop(docname, None)
    _glossary_docs(env).discard(docname)


def _merge(app: Any, env: Any, docnames: set[str], other: Any) -> None:
    for docname in docnames:
        if docname in _entries(other):
            _entries(env)[docname] = _entries(other)[docname]
        if docname in _glossary_docs(other):
            _glossary_docs(env).add(docname)


def _outdated(app: Any, env: Any, added: set, changed: set, removed: set) -> list[str]:
    """Any page read again may define other terms: read the glossary page again too."""
    if added or changed or removed:
        return sorted(_glossary_docs(env) - added - changed)
    return []


def _toc_order(env: Any) -> dict[str, int]:
    order: dict[str, int] = {}

    def walk(docname: str) -> None:
        if docname in order:
            return
        order[docname] = len(order)
        for child in env.toctree_includes.get(docname, []):
            walk(child)

    walk(env.config.root_doc)
    return order


def _resolve(app: Any, doctree: nodes.document, fromdocname: str) -> None:
    lists = list(doctree.findall(glossary_list))
    if not lists:
        return
    env = app.env
    order = _toc_order(env)
    rows = []
    for docname, found in _entries(env).items():
        for i, entry in enumerate(found):
            place = (order.get(docname, len(order)), i)
            rows.append((sort_key(entry["name"]), place, docname, entry))
    rows.sort(key=lambda row: (row[0], row[1]))

    # one entry per name; a term defined in two places links to both, in reading order
    terms: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for _key, _place, docname, entry in rows:
        terms.setdefault(entry["name"], []).append((docname, entry))

    content: list[nodes.Node] = []
    groups: dict[str, nodes.definition_list] = {}
    for name, places in terms.items():
        initial = _initial(name)
        if initial not in groups:
            content.append(nodes.rubric(initial, initial, classes=["dfn-initial"]))
            groups[initial] = nodes.definition_list(classes=["dfn-glossary"])
            content.append(groups[initial])
        first = places[0][1]
        term = nodes.term()
        term += nodes.strong(name, name)
        english = ", ".join(n for n in [first["english"], *first["abbreviations"]] if n)
        if english:
            term += nodes.inline(english, english, classes=["dfn-english"])
        body = nodes.paragraph()
        if first["aliases"]:
            body += nodes.Text("又称" + "、".join(first["aliases"]) + "。")
        for k, (docname, entry) in enumerate(places):
            if k:
                body += nodes.Text("；")
            uri = app.builder.get_relative_uri(fromdocname, docname) + "#" + entry["anchor"]
            label = _place_label(env, docname, entry)
            body += nodes.reference(label, label, internal=True, refuri=uri)
        item = nodes.definition_list_item()
        item += term
        item += nodes.definition("", body)
        groups[initial] += item
    for placeholder in lists:
        placeholder.replace_self(content or [nodes.paragraph(text="（本书还没有定义任何术语。）")])


def _place_label(env: Any, docname: str, entry: dict[str, Any]) -> str:
    page = env.titles[docname].astext() if docname in env.titles else docname
    section = entry["section"]
    return page if not section or section == page else f"{page} › {section}"


def _write_css(app: Any, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        static = Path(app.outdir) / "_static"
        static.mkdir(parents=True, exist_ok=True)
        (static / _CSS).write_text(_STYLE, encoding="utf-8")


def setup(app: Any) -> dict[str, Any]:
    """Register the ``{dfn}`` transform, the ``dfn-glossary`` directive and the page's style."""
    app.add_node(glossary_list)
    app.add_directive("dfn-glossary", GlossaryDirective)
    app.add_transform(DefinitionTransform)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-get-outdated", _outdated)
    app.connect("doctree-resolved", _resolve)
    app.connect("build-finished", _write_css)
    app.add_css_file(_CSS)
    return {
        "version": "1",
        "env_version": 2,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
