"""Sphinx extension: no stray spaces where a Chinese paragraph wraps in the source.

Markdown joins the lines of a paragraph with a newline, which browsers show as a space: right
for English, wrong between two Chinese characters (“用代码检查 自己”). This transform drops a
line break that stands between two CJK characters or CJK punctuation marks.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes

__all__ = ["join_cjk_lines", "setup"]

_CJK = "\u2e80-\u9fff\u3000-\u303f\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t]*\n[ \t]*(?=[{_CJK}])")


def join_cjk_lines(text: str) -> str:
    """Remove each line break (with the spaces around it) between two CJK characters."""
    return _BREAK.sub("", text)


def _join(app: Any, doctree: nodes.Node) -> None:
    for paragraph in doctree.findall(nodes.paragraph):
        texts = [t for t in paragraph.findall(nodes.Text) if not _in_literal(t)]
        for i, text in enumerate(texts):
            # the neighbouring characters count too: “检查\n**自己**” spans two text nodes
            before = str(texts[i - 1])[-1:] if i else ""
            after = str(texts[i + 1])[:1] if i + 1 < len(texts) else ""
            joined = join_cjk_lines(before + str(text) + after)
            new = joined[len(before) : len(joined) - len(after)]
            if new != str(text):
                # by identity: Text nodes are strings, and parent.replace() would take the first
                # sibling *equal* to this one (an earlier "\n" beside inline math, say)
                parent = text.parent
                parent[next(j for j, node in enumerate(parent.children) if node is text)] = (
                    nodes.Text(new)
                )


def _in_literal(node: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.literal | nodes.literal_block | nodes.math):
            return True
        parent = parent.parent
    return False


def setup(app: Any) -> dict[str, Any]:
    """Register the transform for every document Sphinx reads (Markdown pages and notebooks)."""
    app.connect("doctree-read", _join)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
