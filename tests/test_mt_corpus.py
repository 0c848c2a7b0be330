"""Tests of lmbook.data.mt and scripts/build_mt_corpus.py: sizes, hashes, leak-free splits, text.

The rebuild test needs the three Debian packages: set ``LMBOOK_MT_DEBS`` to a folder holding them
(``apt-get download libreoffice-help-zh-cn libreoffice-help-en-us libreoffice-l10n-zh-cn``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
from pathlib import Path

import pytest

from lmbook.data import mt

ROOT = Path(__file__).resolve().parents[1]
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN = re.compile(r"[A-Za-z]")
MARKUP = re.compile(r"</?(span|a|p|div|h\d|img)\b|\b(class|href|id)=\"|&(amp|lt|gt|nbsp|#\d+);")


def _script():
    """``scripts/build_mt_corpus.py`` as a module."""
    spec = importlib.util.spec_from_file_location(
        "build_mt_corpus", ROOT / "scripts/build_mt_corpus.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus():
    return mt.load_mt()


@pytest.fixture(scope="module")
def build():
    return _script()


def test_splits_match_metadata(corpus):
    meta = mt.mt_metadata()
    assert list(corpus) == ["train", "validation", "test"]
    assert {s: len(d) for s, d in corpus.items()} == {
        s: info["pairs"] for s, info in meta["splits"].items()
    }
    assert {s: len(corpus[s]) for s in ("validation", "test")} == {"validation": 1000, "test": 2000}
    assert sum(len(d) for d in corpus.values()) == meta["unique_pairs"]
    for split, info in meta["splits"].items():
        sources = corpus[split]["source"]
        assert {s: sources.count(s) for s in ("help", "ui")} == {s: info[s] for s in ("help", "ui")}
    assert corpus["train"].column_names == list(mt.MT_FIELDS)


def test_files_match_their_hashes():
    meta = mt.mt_metadata()
    for info in meta["splits"].values():
        digest = hashlib.sha256((mt.MT_DIR / info["file"]).read_bytes()).hexdigest()
        assert digest == info["sha256"]
    assert "Mozilla Public License" in (mt.MT_DIR / "LICENSE.txt").read_text(encoding="utf-8")


def test_no_text_is_shared_between_splits(corpus, build):
    for side in ("zh", "en"):
        for key in (str, build.loose):
            seen: dict[str, str] = {}
            for split, data in corpus.items():
                for text in data[side]:
                    assert seen.setdefault(key(text), split) == split, (side, text)


def test_every_pair_is_clean_and_unique(corpus):
    max_chars = mt.mt_metadata()["cleaning"]["max_chars"]
    rows = [r for data in corpus.values() for r in data]
    assert len({(r["zh"], r["en"]) for r in rows}) == len(rows)
    assert len({(r["source"], r["id"]) for r in rows}) == len(rows)
    for r in rows:
        zh, en = r["zh"], r["en"]
        assert HAN.search(zh) and LATIN.search(en) and zh != en, r
        assert max(len(zh), len(en)) <= max_chars
        assert zh == " ".join(zh.split()) and en == " ".join(en.split())
        if r["source"] == "help":  # UI strings may quote markup (<BR>, &#1234;) as text
            assert not MARKUP.search(zh + en), r


def test_help_page_keeps_default_switch_case(build):
    page = build._HelpPage()
    page.feed(
        '<h2 id="hd_1"><a href="x">Styles</a></h2><div><p id="par_2" class="paragraph">Use '
        '<span class="switchinline"><span hidden="true" id="MACx" class="MAC">Command</span>'
        '<span hidden="true" id="defaultx">Ctrl</span></span> + F<br>now.</p>'
        '<p class="embedded">no id</p><p id="bm_3">bookmark</p></div>'
    )
    assert page.units == [("hd_1", "Styles"), ("par_2", "Use Ctrl + F now.")]


def test_mnemonics_are_removed(build):
    assert build._strip_mnemonic("文件(_F)", "_File", True) == ("文件", "File")
    assert build._strip_mnemonic("对象(~O)", "~Object", False) == ("对象", "Object")
    assert build._strip_mnemonic("自动_下划线_", "Automatic _underline_", False) == (
        "自动_下划线_",
        "Automatic _underline_",
    )
    assert build._strip_mnemonic("a__b", "a__b", True) == ("a_b", "a_b")


def test_cleaning_drops_what_it_should(build):
    assert build._keep("", "File") == "empty"
    assert build._keep("Rows Above", "Rows Above") == "untranslated"
    assert build._keep("%1", "%1") == "untranslated"
    assert build._keep("「%1」", "%1") == "untranslated"
    assert build._keep("第 %1 页", "%1") == "no_latin_text"
    assert build._keep("字" * 201, "word") == "too_long"
    assert build._keep("插入表格", "Insert Table") == ""


def _debs() -> dict[str, Path]:
    """The three packages under ``$LMBOOK_MT_DEBS``, or skip with the reason."""
    folder = os.environ.get("LMBOOK_MT_DEBS")
    if not folder:
        pytest.skip("set LMBOOK_MT_DEBS to a folder with the three LibreOffice .deb files")
    meta = mt.mt_metadata()["packages"]
    debs = {p: Path(folder) / info["file"] for p, info in meta.items()}
    missing = [p.name for p in debs.values() if not p.is_file()]
    if missing:
        pytest.skip(f"not in $LMBOOK_MT_DEBS (other versions cannot reproduce): {missing}")
    return debs


def test_build_reproduces_the_shipped_files(tmp_path, build):
    debs = _debs()
    meta = build.build(debs, tmp_path)
    shipped = mt.mt_metadata()
    assert {k: v for k, v in meta.items() if k != "built"} == {
        k: v for k, v in shipped.items() if k != "built"
    }
    for info in shipped["splits"].values():
        assert (tmp_path / info["file"]).read_bytes() == (mt.MT_DIR / info["file"]).read_bytes()
    assert json.loads((tmp_path / "metadata.json").read_text(encoding="utf-8")) == meta
