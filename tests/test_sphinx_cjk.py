"""Line breaks inside Chinese text vanish; those next to Latin text stay spaces."""

from __future__ import annotations

import pytest

from lmbook.sphinx_cjk import join_cjk_lines


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
