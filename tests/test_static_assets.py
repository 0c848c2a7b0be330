"""The widget JavaScript the book serves itself stays in step with the pinned Python packages."""

from __future__ import annotations

from importlib.metadata import version
from importlib.resources import files
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WIDGETS = ROOT / "book" / "_static_widgets" / "widgets"


def _normalised(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip().splitlines()]


def test_served_anywidget_is_the_installed_front_end() -> None:
    installed = files("anywidget") / "nbextension" / "index.js"
    served = WIDGETS / "anywidget" / "index.js"
    assert _normalised(served.read_text(encoding="utf-8")) == _normalised(
        installed.read_text(encoding="utf-8")
    ), f"re-copy anywidget {version('anywidget')}'s dist/index.js into {served.parent}"


def test_config_points_requirejs_at_served_files() -> None:
    config = (WIDGETS / "config.js").read_text(encoding="utf-8")
    assert 'anywidget: here + "anywidget/index"' in config
    assert (WIDGETS / "html-manager" / "embed-amd.js").is_file()
    assert (WIDGETS / "require.js").is_file()
