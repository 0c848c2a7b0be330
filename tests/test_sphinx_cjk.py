"""Line breaks inside Chinese text vanish; those next to Latin text stay spaces."""

from __future__ import annotations

import pytest

from booktools.sphinx_cjk import join_cjk_lines


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("用代码检查\n自己的结论", "用代码检查自己的结论"),
        ("句号。\n下一句", "句号。下一句"),
        ("全角，\n  缩进的下一行", "全角，缩进的下一行"),
        ("一个\nJupyter 笔记本", "一个\nJupyter 笔记本"),
        ("English\nwraps", "English\nwraps"),
        ("数字 3\n个", "数字 3\n个"),
    ],
)
def test_join_cjk_lines(source: str, expected: str) -> None:
    assert join_cjk_lines(source) == expected


def test_only_the_break_between_cjk_is_dropped_when_equal_texts_repeat() -> None:
    from docutils import nodes

    from booktools.sphinx_cjk import _join

    # “线性层\n$W$ 旁边……时，\n模型”: two identical "\n" Text nodes; only the second joins CJK
    paragraph = nodes.paragraph()
    paragraph += [nodes.Text("线性层"), nodes.Text("\n"), nodes.math(text="W")]
    paragraph += [nodes.Text(" 旁边，所以挂上时，"), nodes.Text("\n"), nodes.Text("模型")]
    _join(None, paragraph)
    assert paragraph.astext() == "线性层\nW 旁边，所以挂上时，模型"
