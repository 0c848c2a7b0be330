"""Conventions shared by every notebook of the book (checked by the test suite)."""

from __future__ import annotations

__all__ = ["INSTALL_CELL", "REPOSITORY_URL", "SETUP_CELL"]

REPOSITORY_URL = "https://github.com/lmbook/lmbook"

INSTALL_CELL = f"""\
# 在 Colab 等尚未安装 lmbook 的环境中安装它；本地已安装时，这个单元什么也不做。
import importlib.util
import subprocess
import sys

if importlib.util.find_spec("lmbook") is None:
    source = "git+{REPOSITORY_URL}"
    pip = [sys.executable, "-m", "pip", "install", "-q"]
    subprocess.run([*pip, f"lmbook[peft] @ {{source}}"], check=True)"""

SETUP_CELL = """\
import lmbook

device = lmbook.setup()"""
