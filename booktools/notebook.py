"""Conventions shared by every notebook of the book (checked by ``tests/test_notebooks.py``).

The first two code cells of every chapter, verbatim (``docs/notebooks.md``).
"""

from __future__ import annotations

import lmbook

__all__ = ["INSTALL_CELL", "REPOSITORY_URL", "SETUP_CELL", "install_cell"]

REPOSITORY_URL = "https://github.com/lmbook/lmbook"


def install_cell(version: str) -> str:
    """The first code cell: install the ``lmbook`` release that produced the stored outputs.

    From the release's source archive (no clone, no history); an older or newer ``lmbook``
    already installed is replaced. Locally (``make setup``) that version is installed, so the
    cell does nothing.
    """
    return f"""\
# 安装产生本页输出的 lmbook 版本（Colab 等环境）；本地已是这个版本时，这个单元什么也不做。
import importlib.metadata
import subprocess
import sys

LMBOOK = "{version}"
try:
    installed = importlib.metadata.version("lmbook")
except importlib.metadata.PackageNotFoundError:
    installed = None
if installed != LMBOOK:
    source = f"{REPOSITORY_URL}/archive/refs/tags/v{{LMBOOK}}.zip"
    pip = [sys.executable, "-m", "pip", "install", "-q"]
    subprocess.run([*pip, f"lmbook[peft] @ {{source}}"], check=True)
    if "lmbook" in sys.modules:
        print(f"已安装 lmbook {{LMBOOK}}：请重启内核（Runtime → Restart）后再运行。")"""


INSTALL_CELL = install_cell(lmbook.__version__)

SETUP_CELL = """\
import lmbook

device = lmbook.setup()"""
