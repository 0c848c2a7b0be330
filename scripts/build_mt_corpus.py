"""Build the Chinese–English translation corpus of section 6.4 from Debian's LibreOffice packages.

Run from the repository root: ``python scripts/build_mt_corpus.py [--debs DIR] [--out DIR]``.
``DIR`` holds the three packages (Debian bookworm, MPL-2.0)::

    libreoffice-help-zh-cn  libreoffice-help-en-us  libreoffice-l10n-zh-cn

fetched with ``apt-get download <name>`` (done here when they are missing and ``apt-get``
exists). The packages are read in memory (``ar`` archive, then ``data.tar.*``), so neither
``dpkg`` nor Debian is needed. Two sources of pairs:

- ``help``: the zh-CN and en-US help pages (HTML) pair paragraph by paragraph through their
  ``(file path, element id, occurrence)``; inline system/module switches keep their default case.
- ``ui``: the gettext catalogues (``.mo``) of the l10n package map each English source string
  (``msgid``) to its Chinese translation (``msgstr``); mnemonics (``~O``, ``_O``, ``(_O)``) go.

Cleaning: markup stripped, whitespace collapsed, Unicode NFKC (:func:`lmbook.data.normalize`);
pairs dropped when a side is empty, untranslated (zh equals en, or zh has no Han character), the
English side has no Latin letter outside placeholders (``%1``, ``$(ARG1)``, ``%PRODUCTNAME``), or
a side is longer than :data:`MAX_CHARS`; exact ``(zh, en)`` duplicates are kept once. Split:
pairs are grouped (union-find) when they share a loosely normalised English or Chinese text
(:func:`loose`), and whole groups go to one split, drawn with :data:`SEED`, so no text recurs
across splits. Writes ``{train,validation,test}.jsonl.gz`` (fields ``zh en source id``,
byte-reproducible, rows in seeded random order) and ``metadata.json`` into
``lmbook/assets/data/mt/``; ``LICENSE.txt`` there (the MPL-2.0 notice) is kept as it is.
"""

from __future__ import annotations

import argparse
import datetime
import gettext
import gzip
import hashlib
import io
import json
import random
import re
import shutil
import subprocess
import sys
import tarfile
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from lmbook.data.corpora import SPLITS, normalize
from lmbook.data.mt import MT_DIR

PACKAGES = ("libreoffice-help-zh-cn", "libreoffice-help-en-us", "libreoffice-l10n-zh-cn")
SEED = 64  # section 6.4
MAX_CHARS = 200
HELD_OUT = {"test": 2000, "validation": 1000}

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_PLACEHOLDER = re.compile(r"%[A-Z][A-Z0-9_]*%?|%\d+|%[sdu]|\$\([A-Za-z0-9_]+\)|\$\d+|\{[^}]*\}|#")
_ZH_MNEMONIC = re.compile(r"\s*\(([~_])([A-Za-z0-9])\)")
_UNIT_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6"}
_UNIT_ID = re.compile(r"(par|hd)_")
_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "wbr",
}


def loose(text: str) -> str:
    """Grouping key: casefolded, letters, digits and Han only (``Rows:`` and ``rows`` meet)."""
    return "".join(c for c in text.casefold() if c.isalnum())


class _HelpPage(HTMLParser):
    """Collect ``(id, text)`` of the ``<p>``/``<hN>`` elements whose id is ``par_*`` or ``hd_*``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.units: list[tuple[str, str]] = []
        self._stack: list[tuple[str, str]] = []  # (tag, role): role "unit", "hide" or ""
        self._unit: tuple[str, list[str]] | None = None
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            if tag == "br" and self._unit is not None:
                self._unit[1].append(" ")
            return
        a = dict(attrs)
        uid = a.get("id") or ""
        role = ""
        if self._unit is None and tag in _UNIT_TAGS and _UNIT_ID.match(uid):
            self._unit, role = (uid, []), "unit"
        elif self._unit is not None and "hidden" in a and not uid.startswith("default"):
            role = "hide"  # a non-default case of a system/module switch
            self._hidden += 1
        self._stack.append((tag, role))

    def handle_endtag(self, tag: str) -> None:
        if all(t != tag for t, _ in self._stack):
            return
        while self._stack:
            t, role = self._stack.pop()
            if role == "hide":
                self._hidden -= 1
            elif role == "unit" and self._unit is not None:
                self.units.append((self._unit[0], "".join(self._unit[1])))
                self._unit = None
            if t == tag:
                return

    def handle_data(self, data: str) -> None:
        if self._unit is not None and not self._hidden:
            self._unit[1].append(data)


def clean(text: str) -> str:
    """NFKC, whitespace collapsed to single spaces."""
    return " ".join(normalize(text).split())


def _deb_members(deb: Path) -> Iterator[tuple[str, bytes]]:
    """Yield ``(path, content)`` of every regular file in a ``.deb`` (``ar`` + ``data.tar.*``)."""
    blob = deb.read_bytes()
    if not blob.startswith(b"!<arch>\n"):
        raise ValueError(f"{deb} is not a Debian package (no ar header)")
    pos = 8
    while pos < len(blob):
        name = blob[pos : pos + 16].decode().strip().rstrip("/")
        size = int(blob[pos + 48 : pos + 58])
        pos += 60
        if name.startswith("data.tar"):
            with tarfile.open(fileobj=io.BytesIO(blob[pos : pos + size])) as tar:
                for member in tar:
                    if member.isfile():
                        handle = tar.extractfile(member)
                        assert handle is not None
                        yield member.name.removeprefix("./"), handle.read()
            return
        pos += size + size % 2
    raise ValueError(f"{deb} has no data.tar member")


def help_units(deb: Path, lang: str) -> dict[tuple[str, str, int], str]:
    """``(page path, element id, occurrence) -> text`` of one help package."""
    prefix = f"usr/share/libreoffice/help/{lang}/"
    units: dict[tuple[str, str, int], str] = {}
    for name, content in _deb_members(deb):
        if not (name.startswith(prefix) and name.endswith(".html")):
            continue
        page = _HelpPage()
        page.feed(content.decode("utf-8"))
        page.close()
        seen: Counter[str] = Counter()
        for uid, text in page.units:
            units[name.removeprefix(prefix), uid, seen[uid]] = text
            seen[uid] += 1
    return units


def _strip_mnemonic(zh: str, en: str, ui_file: bool) -> tuple[str, str]:
    """Remove access-key markers: ``文件(_F)`` / ``_File``, ``对象(~O)`` / ``~Object``.

    ``~`` marks the key everywhere; ``_`` does in strings from ``.ui`` dialog files (context
    ``dialog|widget``) and in the stock button labels (context ``stock``), where a literal
    underscore is written ``__``.
    """
    zh, en = _ZH_MNEMONIC.sub("", zh).replace("~", ""), en.replace("~", "")
    if ui_file:
        zh, en = (re.sub(r"_(.)", r"\1", t) for t in (zh, en))
    return zh, en


def ui_strings(deb: Path) -> dict[tuple[str, str, int], tuple[str, str]]:
    """``(catalogue, msgctxt, occurrence) -> (zh, en)`` from the l10n package's ``.mo`` files."""
    pairs: dict[tuple[str, str, int], tuple[str, str]] = {}
    for name, content in _deb_members(deb):
        if not name.endswith(".mo"):
            continue
        catalog = gettext.GNUTranslations(io.BytesIO(content))._catalog  # type: ignore[attr-defined]
        seen: Counter[str] = Counter()  # string arrays (function names, languages) share a context
        for key, zh in sorted(catalog.items(), key=lambda item: str(item[0])):
            if not isinstance(key, str) or not key:  # plural forms (a dozen), the header
                continue
            context, _, en = key.rpartition("\x04")
            pairs[Path(name).name, context, seen[context]] = _strip_mnemonic(
                zh, en, "|" in context or context == "stock"
            )
            seen[context] += 1
    return pairs


def _keep(zh: str, en: str) -> str:
    """``""`` if the pair is kept, else the reason it is dropped."""
    if not zh or not en:
        return "empty"
    if zh == en or not _HAN.search(zh):
        return "untranslated"
    if not _LATIN.search(_PLACEHOLDER.sub("", en)):
        return "no_latin_text"
    if max(len(zh), len(en)) > MAX_CHARS:
        return "too_long"
    return ""


def _groups(pairs: list[dict[str, str]]) -> list[list[int]]:
    """Connected components of pairs linked by a shared :func:`loose` English or Chinese text."""
    parent = list(range(len(pairs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple[str, str], int] = {}
    for i, pair in enumerate(pairs):
        for side in ("zh", "en"):
            j = first.setdefault((side, loose(pair[side])), i)
            parent[find(i)] = find(j)
    components: dict[int, list[int]] = {}
    for i in range(len(pairs)):
        components.setdefault(find(i), []).append(i)
    return list(components.values())


def _split(pairs: list[dict[str, str]], rng: random.Random) -> dict[str, list[dict[str, str]]]:
    """Draw whole groups into test, then validation, until each holds :data:`HELD_OUT` pairs."""
    groups = _groups(pairs)
    rng.shuffle(groups)
    out: dict[str, list[dict[str, str]]] = {s: [] for s in SPLITS}
    for group in groups:
        split = next((s for s, n in HELD_OUT.items() if len(out[s]) + len(group) <= n), "train")
        out[split].extend(pairs[i] for i in group)
    for rows in out.values():
        rng.shuffle(rows)
    return out


def _naive_leaks(pairs: list[dict[str, str]], rng: random.Random) -> dict[str, int]:
    """Held-out pairs whose loose zh or en text is in train under a pair-level random split."""
    order = rng.sample(range(len(pairs)), len(pairs))
    n_test, n_val = HELD_OUT["test"], HELD_OUT["validation"]
    held = {"test": order[:n_test], "validation": order[n_test : n_test + n_val]}
    train = order[n_test + n_val :]
    seen = {(s, loose(pairs[i][s])) for i in train for s in ("zh", "en")}
    return {
        split: sum(any((s, loose(pairs[i][s])) in seen for s in ("zh", "en")) for i in idx)
        for split, idx in held.items()
    }


def _write_jsonl_gz(path: Path, rows: list[dict[str, str]]) -> None:
    """Byte-reproducible gzip'd JSON lines (no file name or time stamp in the gzip header)."""
    text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)
    with path.open("wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as gz:
        gz.write(text.encode("utf-8"))


def find_debs(folder: Path) -> dict[str, Path]:
    """The three packages in ``folder``; fetched with ``apt-get download`` when missing."""
    found = {p: sorted(folder.glob(f"{p}_*.deb")) for p in PACKAGES}
    missing = [p for p, paths in found.items() if not paths]
    if missing:
        if shutil.which("apt-get") is None:
            sys.exit(f"missing in {folder}: {' '.join(missing)} (run `apt-get download` on Debian)")
        print(f"missing in {folder}: {' '.join(missing)}; fetching them with apt-get download")
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(["apt-get", "download", *missing], cwd=folder, check=True)
        found = {p: sorted(folder.glob(f"{p}_*.deb")) for p in PACKAGES}
    return {p: paths[-1] for p, paths in found.items()}


def _version(deb: Path) -> str:
    """The package version from the file name (``name_4%3a7.4.7-1+deb12u14_all.deb``)."""
    return deb.name.split("_")[1].replace("%3a", ":")


def build(debs: dict[str, Path], out: Path) -> dict:
    """Extract, clean, deduplicate and split; write the corpus into ``out``; return the metadata."""
    zh_help = help_units(debs["libreoffice-help-zh-cn"], "zh-CN")
    en_help = help_units(debs["libreoffice-help-en-us"], "en-US")
    raw: dict[str, dict[tuple[str, str, int], tuple[str, str]]] = {
        "help": {k: (zh_help[k], en_help[k]) for k in sorted(en_help.keys() & zh_help.keys())},
        "ui": dict(sorted(ui_strings(debs["libreoffice-l10n-zh-cn"]).items())),
    }
    steps: dict[str, dict[str, int]] = {}
    kept: list[dict[str, str]] = []
    for source, units in raw.items():
        reasons: Counter[str] = Counter()
        for (path, uid, occurrence), (zh, en) in units.items():
            zh, en = clean(zh), clean(en)
            reason = _keep(zh, en)
            reasons[reason or "kept"] += 1
            if not reason:
                ident = f"{path}#{uid}" + (f"#{occurrence}" if occurrence else "")
                kept.append({"zh": zh, "en": en, "source": source, "id": ident})
        steps[source] = {"aligned": len(units), **dict(sorted(reasons.items()))}
    steps["help"] |= {"en_units": len(en_help), "zh_units": len(zh_help)}
    unique: dict[tuple[str, str], dict[str, str]] = {}
    for row in kept:
        unique.setdefault((row["zh"], row["en"]), row)
    pairs = list(unique.values())
    leaks = _naive_leaks(pairs, random.Random(SEED))
    splits = _split(pairs, random.Random(SEED))
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for split, rows in splits.items():
        path = out / f"{split}.jsonl.gz"
        _write_jsonl_gz(path, rows)
        files[split] = {
            "file": path.name,
            "pairs": len(rows),
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            **{s: sum(r["source"] == s for r in rows) for s in raw},
        }
    meta = {
        "source": "LibreOffice 7.4 help and UI translations (Debian bookworm), MPL-2.0",
        "packages": {
            p: {
                "file": d.name,
                "version": _version(d),
                "sha256": hashlib.sha256(d.read_bytes()).hexdigest(),
            }
            for p, d in debs.items()
        },
        "cleaning": {"max_chars": MAX_CHARS, "steps": steps, "kept": len(kept)},
        "unique_pairs": len(pairs),
        "unique_by_source": {s: sum(r["source"] == s for r in pairs) for s in raw},
        "exact_duplicates": len(kept) - len(pairs),
        "groups": len(_groups(pairs)),
        "naive_split_leaks": leaks,
        "seed": SEED,
        "splits": files,
        "built": datetime.date.today().isoformat(),
    }
    (out / "metadata.json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return meta


def main() -> None:
    """Command line: ``--debs`` (default: the current folder), ``--out`` (the shipped folder)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debs", type=Path, default=Path.cwd())
    parser.add_argument("--out", type=Path, default=MT_DIR)
    args = parser.parse_args()
    meta = build(find_debs(args.debs), args.out)
    print(json.dumps({k: meta[k] for k in ("cleaning", "unique_pairs", "naive_split_leaks")}))
    print({s: f["pairs"] for s, f in meta["splits"].items()})


if __name__ == "__main__":
    main()
