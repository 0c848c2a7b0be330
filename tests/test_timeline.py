"""Tests of lmbook.data.timeline: every milestone is sourced in the book's bibliography, ordered,
before the cut-off, and its figures are consistent (no guessed sizes)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from lmbook.data import CUTOFF, KINDS, NOT_PUBLISHED, Milestone, milestones, timeline_rows

BIB = Path(__file__).resolve().parent.parent / "book" / "references.bib"


def test_every_source_is_in_the_bibliography():
    keys = set(re.findall(r"^@\w+\{([^,]+),", BIB.read_text(encoding="utf-8"), re.M))
    cited = {m.source for m in milestones()} | {m.params_source for m in milestones()}
    missing = cited - keys - {None}
    assert not missing, f"add these to book/references.bib: {sorted(missing)}"


def test_arxiv_ids_match_the_bibliography():
    text = BIB.read_text(encoding="utf-8")
    for m in milestones():
        if m.arxiv:
            entry = text.split(f"{{{m.source},", 1)[1].split("\n}", 1)[0]
            if "eprint" in entry:  # entries of published papers may cite the venue only
                assert m.arxiv in entry, f"{m.name}: arXiv {m.arxiv} is not in {m.source}"


def test_order_cutoff_and_kinds():
    events = milestones()
    assert [m.year for m in events] == sorted(m.year for m in events)
    assert all(1950 <= m.year <= int(CUTOFF[:4]) for m in events)
    assert {m.kind for m in events} <= set(KINDS)
    assert all(m.changed.endswith("。") for m in events)
    assert len({m.name for m in events}) == len(events)
    for a, b in itertools.pairwise(events):  # within a year, in the order the preprints appeared
        if a.year == b.year and a.arxiv and b.arxiv:
            assert a.arxiv < b.arxiv, (a.name, b.name)


def test_figures_are_consistent():
    for m in milestones():
        assert m.params is None or m.params > 0
        assert m.tokens is None or (m.params is not None and m.tokens > 0)
        if m.active_params is not None:
            assert m.params is not None and m.active_params < m.params
        if m.params is not None:
            assert m.model, f"{m.name}: say which model the parameter count is for"
        assert m.params_note != NOT_PUBLISHED or m.params is None
        assert m.params_source is None or m.params is not None


def test_documented_facts():
    by_name = {m.name: m for m in milestones()}
    assert by_name["GPT-3"].params == 175e9 and by_name["GPT-3"].tokens == 300e9
    assert by_name["Chinchilla"].tokens / by_name["Chinchilla"].params == 20
    v3 = by_name["DeepSeek-V3"]
    assert (v3.params, v3.active_params, v3.tokens, v3.arxiv) == (
        671e9,
        37e9,
        14.8e12,
        "2412.19437",
    )
    # the figures the review of chapter 1 checked against the papers
    assert by_name["BERT"].tokens is None  # the paper states no total (90% of steps at length 128)
    assert by_name["InstructGPT"].params == 175e9  # the family's largest; 1.3B is in the sentence
    assert "1.3B" in by_name["InstructGPT"].changed and "175B" in by_name["InstructGPT"].changed
    assert by_name["GLM-130B"].kind == "prefix-lm"  # GLM blank infilling, not GPT-style
    assert by_name["GPT"].params_source == "radford2019language"  # GPT-2's Table 2
    assert (by_name["序列到序列学习"].params, by_name["Transformer"].params) == (384e6, 213e6)
    assert (by_name["Qwen（通义千问）"].params, by_name["Qwen（通义千问）"].tokens) == (14e9, 3e12)
    assert (by_name["GLM-130B"].tokens, by_name["T5"].tokens) == (400e9, 1e12)
    gpt4 = by_name["GPT-4"]
    assert gpt4.params is None and gpt4.params_note == NOT_PUBLISHED
    assert sum(m.chinese for m in milestones()) >= 4


def test_rows_are_plain_dicts():
    rows = timeline_rows()
    assert len(rows) == len(milestones())
    assert Milestone(**rows[0]) == milestones()[0]
