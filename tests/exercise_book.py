"""A synthetic two-page book in the exercise format, with canaries (for tests/test_editions.py).

``make_book(root)`` writes ``root/_config.yml`` (the real one), ``_toc.yml``, ``book/tour.ipynb``
and ``book/ch09/9-1-demo.ipynb`` (with stored outputs), ``book/references.bib`` and the hidden
checks in ``root/grading/``. Every solution carries a unique canary in its code, prose, outputs
(text, image, widget state), cell metadata and attachments, and every hidden check one too:
``CANARIES["solution"]`` and ``CANARIES["hidden"]`` list them (lower-case single words, so a
search index cannot split them).
"""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import nbformat

from booktools.exercises import SOLUTION_METADATA, write_hidden_checks

ROOT = Path(__file__).resolve().parents[1]
md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}

CANARIES: dict[str, list[str]] = {"solution": [], "hidden": []}


def canary(kind: str, where: str) -> str:
    word = f"zqx{kind}{where}canary"
    CANARIES["hidden" if kind == "hid" else "solution"].append(word)
    return word


def _png_with(text: str) -> str:
    """A tiny valid PNG whose bytes carry ``text`` (in a tEXt chunk), base64-encoded."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"\x00\xff\xff\xff"
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    png += chunk(b"tEXt", b"Comment\x00" + text.encode()) + chunk(b"IDAT", zlib.compress(raw))
    png += chunk(b"IEND", b"")
    return base64.b64encode(png).decode()


def _stream(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def _exercise(label: str, prompt: str, written: bool = False) -> nbformat.NotebookNode:
    cls = ":class: written\n" if written else ""
    return md(f"```{{exercise}}\n:label: {label}\n{cls}\n{prompt}\n```")


def _start(label: str, prose: str, tag: str) -> nbformat.NotebookNode:
    cell = md(f"```{{solution-start}} {label}\n:class: dropdown\n\n{prose}\n```")
    # an attachment (not shown: myst-nb resolves none inside a directive) that must not leak
    cell.attachments = {f"{tag}.png": {"image/png": _png_with(canary("sol", f"attach{tag}"))}}
    cell.metadata["lmbook_canary"] = canary("sol", f"startmeta{tag}")
    return cell


def _solution(source: str, tag: str, count: int) -> nbformat.NotebookNode:
    word = canary("sol", f"code{tag}")
    cell = code(f"# 解答\n{source}\nprint('{canary('sol', f'out{tag}')}')  # {word}")
    cell.metadata["jupyter"] = dict(SOLUTION_METADATA)
    cell.metadata["lmbook_canary"] = canary("sol", f"meta{tag}")
    cell.execution_count = count
    widget_id = f"{abs(hash(tag)) % 16**12:012x}abcd"
    cell.outputs = [
        _stream(f"{canary('sol', f'stream{tag}')}\n"),
        nbformat.v4.new_output(
            "display_data",
            data={
                "image/png": _png_with(canary("sol", f"png{tag}")),
                "text/plain": f"<Figure {canary('sol', f'plain{tag}')}>",
                "application/vnd.jupyter.widget-view+json": {
                    "model_id": widget_id, "version_major": 2, "version_minor": 0,
                },
            },
        ),
    ]  # fmt: skip
    cell.metadata["_widget"] = widget_id  # dropped by every scrub; used by _widget_state
    return cell


def _end() -> nbformat.NotebookNode:
    return md("```{solution-end}\n```")


def _check(label: str, source: str, count: int) -> nbformat.NotebookNode:
    cell = code(f"# 检查 {label}\n{source}")
    cell.execution_count = count
    return cell


def _head(title: str, body: str, content: str) -> list[nbformat.NotebookNode]:
    """Title, text and one content cell (no install/setup cells: importing torch is slow)."""
    cells = [md(title), md(body), code(content)]
    cells[2].execution_count = 3
    return cells


def _widget_state(nb: nbformat.NotebookNode) -> None:
    state = {}
    for cell in nb.cells:
        wid = cell.metadata.pop("_widget", None)
        if wid:
            state[wid] = {
                "model_name": "HTMLModel", "model_module": "@jupyter-widgets/controls",
                "model_module_version": "2.0.0",
                "state": {"value": canary("sol", f"widget{wid[:4]}")},
            }  # fmt: skip
    nb.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {
            "state": state,
            "version_major": 2,
            "version_minor": 0,
        }
    }


def tour() -> nbformat.NotebookNode:
    cells = _head(
        "# 导览：一个小例子",
        "这一页用一个小数组演示练习的格式，参见 {cite:t}`shannon1948mathematical`。",
        "import numpy as np\n\nxs = np.arange(1, 11)\nprint(xs.sum())",
    )
    cells[-1].outputs = [_stream("55\n")]
    cells += [
        md("## 练习"),
        _exercise("ex-tour-1", "**求和。** 计算 $1+2+\\dots+10$，把结果存进 `total`（一个整数）。"),
        _start("ex-tour-1", f"等差数列求和：$n(n+1)/2$。{canary('sol', 'prosetour1')}", "t1"),
        _solution("total = int(xs.sum())", "t1", 4),
        _end(),
        _check("ex-tour-1", "assert isinstance(total, int)", 5),
        _exercise(
            "ex-tour-2",
            "**为什么？** 用一句话说明为什么 $\\sum_{k=1}^n k = n(n+1)/2$。",
            written=True,
        ),
        _start(
            "ex-tour-2",
            f"把数列倒过来与自己相加，每一对的和都是 $n+1$。{canary('sol', 'prosetour2')}",
            "t2",
        ),
        _end(),
    ]
    nb = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": KERNEL})
    nb.metadata["lmbook_canary"] = "public notebook metadata"
    _widget_state(nb)
    return nb


def section() -> nbformat.NotebookNode:
    cells = _head(
        "# 9.1 演示",
        "一段正文。{dfn}`熵（entropy）`是信息量的期望 {cite:p}`shannon1948mathematical`。\n\n"
        "(sec-demo)=\n% 注释不会出现在任何版本里",
        "import numpy as np\n\nrng = np.random.default_rng(0)\nprobs = np.array([0.5, 0.25, 0.25])",
    )
    cells += [
        md("## 小结\n\n- 熵是平均信息量。\n\n## 练习"),
        _exercise(
            "ex-9-1-1", "**熵。** 计算 `probs` 的熵（以 2 为底），存进 `entropy`（浮点数）。"
        ),
        _start("ex-9-1-1", f"按定义 $H=-\\sum p\\log_2 p$。{canary('sol', 'prose911')}", "s1"),
        _solution("entropy = float(-(probs * np.log2(probs)).sum())", "s1", 4),
        _end(),
        _check("ex-9-1-1", "assert isinstance(entropy, float)\nassert entropy > 0", 5),
        _exercise("ex-9-1-2", "**最大值。** 找出 `probs` 中最大的概率，存进 `biggest`。"),
        _start("ex-9-1-2", f"用 `max`。{canary('sol', 'prose912')}", "s2"),
        _solution("biggest = float(probs.max())", "s2", 6),
        _end(),
        _check("ex-9-1-2", "assert 0 <= biggest <= 1", 7),
        _exercise("ex-9-1-3", "**推导。** 证明均匀分布的熵最大。", written=True),
        _start("ex-9-1-3", f"用 Jensen 不等式。{canary('sol', 'prose913')}", "s3"),
        _end(),
    ]
    nb = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": KERNEL})
    _widget_state(nb)
    return nb


def _why(tag: str) -> str:
    """An assert message carrying a hidden-check canary (otter drops comments from tests)."""
    return repr(canary("hid", tag))


HIDDEN = {
    "tour": lambda: {"ex-tour-1": ["assert total == 55, " + _why("tour1a")]},
    "ch09/9-1-demo": lambda: {
        "ex-9-1-1": [
            "assert abs(entropy - 1.5) < 1e-9, " + _why("911a"),
            "assert round(entropy, 3) == 1.5, " + _why("911b"),
        ],
        "ex-9-1-2": ["assert biggest == 0.5, " + _why("912a")],
    },
}

TOC = """format: jb-book
root: book/intro
parts:
  - caption: 导览
    chapters:
      - file: book/tour
  - caption: 演示
    chapters:
      - file: book/ch09/index
        sections:
          - file: book/ch09/9-1-demo
  - caption: 附录
    chapters:
      - file: book/references
"""


def make_book(root: Path) -> list[Path]:
    """Write the synthetic book under ``root``; return its two notebooks."""
    for kind in CANARIES.values():
        kind.clear()
    (root / "book" / "ch09").mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "_config.yml", root / "_config.yml")
    (root / "_toc.yml").write_text(TOC, encoding="utf-8")
    shutil.copy2(ROOT / "book" / "references.bib", root / "book" / "references.bib")
    (root / "book" / "intro.md").write_text("# 演示书\n\n只用于测试。\n", encoding="utf-8")
    (root / "book" / "ch09" / "index.md").write_text("# 第 9 章 演示\n", encoding="utf-8")
    (root / "book" / "references.md").write_text(
        "# 参考文献\n\n```{bibliography}\n```\n", encoding="utf-8"
    )
    offline = ROOT / "book" / "_offline"
    if offline.is_dir():
        shutil.copytree(offline, root / "book" / "_offline", dirs_exist_ok=True)
    paths = [root / "book" / "tour.ipynb", root / "book" / "ch09" / "9-1-demo.ipynb"]
    for path, nb in zip(paths, (tour(), section()), strict=True):
        nbformat.validate(nb)
        nbformat.write(nb, path)
    for rel, checks in HIDDEN.items():
        write_hidden_checks(root / "grading" / f"{rel}.py", f"book/{rel}.ipynb", checks())
    return paths
