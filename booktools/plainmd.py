"""MyST markdown as plain CommonMark + HTML, for places without MyST (Colab, student notebooks).

The book's markdown cells use MyST: fenced directives (```` ```{exercise} ````, ``:::{note}``),
roles (``{cite:t}`key```, ``{dfn}`术语```), targets ``(label)=`` and ``%`` comments. Colab shows
all of that as raw text. :func:`to_plain` rewrites one cell's markdown so that nothing of that
syntax is left: exercises become a bold heading and a quote, solutions and dropdowns become
HTML ``<details>`` (which Colab, GitHub and JupyterLab all collapse), citations become
author–year text (from ``book/references.bib``), definitions become bold. Ordinary code fences
and math are left alone.

:func:`parse_blocks` is the small directive parser that :mod:`booktools.exercises` also uses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "Bibliography",
    "Directive",
    "exercise_number",
    "parse_blocks",
    "to_plain",
]

_OPEN = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,}|:{3,})"
    r"\{(?P<name>[\w:.-]+)\}[ \t]*(?P<arg>.*?)[ \t]*$"
)
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})")
_OPTION = re.compile(r"^[ \t]*:(?P<key>[\w-]+):(?:[ \t]+(?P<value>.*?))?[ \t]*$")
_ROLE = re.compile(r"\{(?P<name>[\w:.-]+)\}`(?P<content>[^`]*)`")
_TARGET = re.compile(r"^[ \t]*\([\w:.-]+\)=[ \t]*$")
_COMMENT = re.compile(r"^[ \t]*%")

ADMONITIONS = {
    "note": "注",
    "tip": "提示",
    "hint": "提示",
    "important": "重要",
    "warning": "警告",
    "caution": "注意",
    "attention": "注意",
    "danger": "危险",
    "error": "错误",
    "seealso": "另见",
}
DROPPED = {"bibliography", "dfn-glossary", "toctree", "tableofcontents", "glossary"}


@dataclass
class Directive:
    """One fenced MyST directive: ``name``, its argument, ``:key: value`` options and body."""

    name: str
    argument: str = ""
    options: dict[str, str] = field(default_factory=dict)
    body: str = ""
    raw: str = ""

    @property
    def classes(self) -> list[str]:
        return self.options.get("class", "").split()


def parse_blocks(text: str) -> list[str | Directive]:
    """Split markdown into plain text runs and top-level directives (bodies left unparsed)."""
    lines = text.split("\n")
    out: list[str | Directive] = []
    plain: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        opened = _OPEN.match(line)
        fence = _FENCE.match(line)
        if opened:
            close = re.compile(rf"^[ \t]*{re.escape(opened['fence'])}[ \t]*$")
            j = i + 1
            while j < len(lines) and not close.match(lines[j]):
                j += 1
            body = lines[i + 1 : j]
            options: dict[str, str] = {}
            k = 0
            while k < len(body) and (m := _OPTION.match(body[k])):
                options[m["key"]] = m["value"] or ""
                k += 1
            if k < len(body) and not body[k].strip():
                k += 1
            if plain:
                out.append("\n".join(plain))
                plain = []
            out.append(
                Directive(
                    opened["name"],
                    opened["arg"],
                    options,
                    "\n".join(body[k:]),
                    "\n".join(lines[i : j + 1]),
                )
            )
            i = j + 1
            continue
        if fence:  # an ordinary code fence: copied through untouched, up to its closing fence
            close = re.compile(
                rf"^[ \t]*{re.escape(fence['fence'][0])}{{{len(fence['fence'])},}}[ \t]*$"
            )
            plain.append(line)
            i += 1
            while i < len(lines):
                plain.append(lines[i])
                i += 1
                if close.match(lines[i - 1]):
                    break
            continue
        plain.append(line)
        i += 1
    if plain:
        out.append("\n".join(plain))
    return out


def exercise_number(label: str) -> str:
    """``ex-2-1-3`` → ``2.1.3``; ``ex-tour-2`` → ``2`` (how editions name an exercise)."""
    parts = label.split("-")[1:]
    return parts[-1] if parts[:1] == ["tour"] else ".".join(parts)


class Bibliography:
    """Author–year text for citation keys, from a BibTeX file (``book/references.bib``)."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.entries: dict = {}
        if path is not None and Path(path).is_file():
            from pybtex.database import parse_file

            self.entries = dict(parse_file(str(path)).entries)

    def authors(self, key: str) -> str:
        entry = self.entries.get(key)
        if entry is None:
            return key
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        last = [" ".join(p.last_names) for p in people]
        last = [re.sub(r"[{}]", "", name) for name in last]
        if not last:
            return re.sub(r"[{}]", "", entry.fields.get("organization", key))
        if len(last) == 1:
            return last[0]
        if len(last) == 2:
            return f"{last[0]} and {last[1]}"
        return f"{last[0]} et al."

    def year(self, key: str) -> str:
        entry = self.entries.get(key)
        return entry.fields.get("year", "n.d.") if entry is not None else "n.d."

    def cite(self, role: str, keys: str) -> str:
        """``{cite:t}`a,b``` → ``A (1990); B (2001)``; ``{cite:p}``, ``{cite}`` → ``(A, 1990)``."""
        items = [k.strip() for k in keys.split(",") if k.strip()]
        if role.endswith((":t", ":ts")):
            return "; ".join(f"{self.authors(k)} ({self.year(k)})" for k in items)
        if role.endswith((":authorpar", ":author", ":authors")):
            return "; ".join(self.authors(k) for k in items)
        if role.endswith(":year"):
            return "; ".join(self.year(k) for k in items)
        return "(" + "; ".join(f"{self.authors(k)}, {self.year(k)}" for k in items) + ")"

    def reference(self, key: str) -> str:
        """One line of a reference list: ``Shannon (1948). A Mathematical Theory …. *Bell …*.``"""
        entry = self.entries.get(key)
        if entry is None:
            return key
        title = re.sub(r"[{}]", "", entry.fields.get("title", ""))
        venue = entry.fields.get("journal") or entry.fields.get("booktitle")
        venue = venue or entry.fields.get("publisher") or entry.fields.get("institution") or ""
        venue = re.sub(r"[{}]", "", venue)
        people = entry.persons.get("author") or []
        names = ", ".join(re.sub(r"[{}]", "", str(p)) for p in people) or self.authors(key)
        return f"{names} ({self.year(key)}). {title}." + (f" *{venue}*." if venue else "")


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.strip().split("\n"))


def _details(summary: str, body: str) -> str:
    return f"<details>\n<summary>{summary}</summary>\n\n{body.strip()}\n\n</details>"


def _roles(text: str, bib: Bibliography, cited: list[str]) -> str:
    def role(m: re.Match) -> str:
        name, content = m["name"], m["content"]
        if name.startswith("cite"):
            for key in content.split(","):
                if key.strip() and key.strip() not in cited:
                    cited.append(key.strip())
            return bib.cite(name, content)
        if name == "dfn":
            return f"**{content}**"
        if name == "math":
            return f"${content}$"
        text_target = re.fullmatch(r"(?s)(.*?)\s*<([^<>]+)>", content)
        if text_target and text_target[1]:  # {ref}`显示的文字 <label>`
            return text_target[1]
        if name in ("ref", "numref", "eq", "doc"):
            return f"“{content}”"
        return content

    return _ROLE.sub(role, text)


def _plain_text(text: str, bib: Bibliography, cited: list[str]) -> str:
    kept, fence = [], None
    for line in text.split("\n"):
        if fence is None and (m := _FENCE.match(line)):
            fence = m["fence"]
            kept.append(line)
            continue
        if fence is not None:
            kept.append(line)
            if line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
                fence = None
            continue
        if _TARGET.match(line) or _COMMENT.match(line):
            continue
        kept.append(_roles(line, bib, cited))
    return "\n".join(kept)


def to_plain(
    text: str,
    bib: Bibliography | None = None,
    *,
    cited: list[str] | None = None,
    exercise_note: Callable[[Directive], str] | None = None,
    solution_summary: Callable[[Directive], str] | None = None,
) -> str:
    """Plain CommonMark + HTML for one MyST markdown cell.

    ``cited`` (a list) collects the citation keys used, for a reference list; ``exercise_note``
    may add a line under an exercise's heading (e.g. “人工评分”); ``solution_summary`` names a
    solution's ``<details>`` summary.
    """
    bib = bib or Bibliography()
    cited = [] if cited is None else cited
    parts: list[str] = []
    for block in parse_blocks(text):
        if isinstance(block, str):
            parts.append(_plain_text(block, bib, cited))
            continue
        d = block
        body = to_plain(
            d.body, bib, cited=cited, exercise_note=exercise_note, solution_summary=solution_summary
        )
        name = d.name
        if name in ("exercise", "exercise-start"):
            label = d.options.get("label", "")
            heading = f"**练习 {exercise_number(label)}**" if label else "**练习**"
            if d.argument:
                heading += f"　{_roles(d.argument, bib, cited)}"
            note = exercise_note(d) if exercise_note else ""
            parts.append(_quote(heading + (f"　{note}" if note else "") + "\n\n" + body))
        elif name in ("solution", "solution-start"):
            label = d.argument.strip()
            summary = (
                solution_summary(d)
                if solution_summary
                else f"<b>练习 {exercise_number(label)} 的解答</b>（点击展开）"
            )
            if name == "solution" or body.strip():
                parts.append(_details(summary, body))
            else:
                parts.append(f"<details>\n<summary>{summary}</summary>\n\n</details>")
        elif name in ("solution-end", "exercise-end") or name in DROPPED:
            continue
        elif name == "dropdown" or "dropdown" in d.classes:
            title = _roles(d.argument, bib, cited) or ADMONITIONS.get(name, "详情")
            parts.append(_details(title, body))
        elif name in ADMONITIONS or name == "admonition":
            title = _roles(d.argument, bib, cited) if name == "admonition" else ADMONITIONS[name]
            if name in ADMONITIONS and d.argument:
                title = _roles(d.argument, bib, cited)
            parts.append(_quote(f"**{title}**\n\n{body}"))
        elif name == "math":
            parts.append(f"$$\n{d.body.strip()}\n$$")
        elif name in ("code", "code-block", "code-cell"):
            parts.append(f"```{d.argument}\n{d.body}\n```")
        elif name in ("figure", "image"):
            alt = body.strip().split("\n")[0] if body.strip() else ""
            parts.append(
                f"![{alt}]({d.argument})" + (f"\n\n{body.strip()}" if body.strip() else "")
            )
        else:  # an unknown directive: its title in bold and its content
            title = _roles(d.argument, bib, cited)
            parts.append((f"**{title}**\n\n" if title else "") + body)
    joined = "\n\n".join(p.strip("\n") for p in parts if p.strip())
    return re.sub(r"\n{3,}", "\n\n", joined).strip() + ("\n" if text.endswith("\n") else "")
