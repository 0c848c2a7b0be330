"""One version names a release everywhere: the package, the install cell, the citation."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

import lmbook
from booktools.notebook import INSTALL_CELL

ROOT = Path(__file__).resolve().parents[1]


def test_every_place_names_the_package_version():
    version = lmbook.__version__
    assert f'LMBOOK = "{version}"' in INSTALL_CELL
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["version"] == version
    intro = (ROOT / "book" / "intro.md").read_text(encoding="utf-8")
    assert re.findall(r"version\s*=\s*\{([^}]*)\}", intro) == [version]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.findall(r"/tags/v([\w.]+)\.zip", readme) == [version]
