"""Save widgets as a static HTML page that works offline, embedded the way the HTML book does it.

The page holds the full widget state (binary buffers base64-encoded) and loads RequireJS, the
Jupyter widgets HTML manager and the anywidget front end from a ``lmbook-widgets/`` folder written
next to it, exactly as :mod:`booktools.sphinx_offline` serves them in the book. It is book
tooling, not part of the installed ``lmbook``: the browser tests and ``benchmarks/viz_payload.py``
use it.
"""

from __future__ import annotations

import html
import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from booktools.sphinx_offline import EMBED_DIR, WIDGET_SCRIPTS, anywidget_script

__all__ = ["save_html"]

_STATE = "application/vnd.jupyter.widget-state+json"
_VIEW = "application/vnd.jupyter.widget-view+json"


def _script_json(data: Any) -> str:
    """JSON safe inside a <script> element."""
    return json.dumps(data).replace("</", "<\\/")


def save_html(widgets: Any | Sequence[Any], directory: str | Path, title: str = "lmbook") -> Path:
    """Write ``index.html`` showing ``widgets`` (with their full state) and its scripts folder."""
    from ipywidgets.embed import dependency_state

    views = list(widgets) if isinstance(widgets, Sequence) else [widgets]
    out = Path(directory)
    scripts = out / "lmbook-widgets"
    shutil.copytree(EMBED_DIR / "lmbook-widgets", scripts, dirs_exist_ok=True)
    shutil.copyfile(anywidget_script(), scripts / "anywidget.js")
    state = {"version_major": 2, "version_minor": 0}
    state["state"] = dependency_state(views, drop_defaults=False)
    tags = "\n".join(f'<script src="{path}"></script>' for path in WIDGET_SCRIPTS)
    body = "\n".join(
        f'<script type="{_VIEW}">{_script_json(w.get_view_spec())}</script>' for w in views
    )
    page = out / "index.html"
    page.write_text(
        f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
<script type="{_STATE}">{_script_json(state)}</script>
{tags}
</head>
<body>
{body}
</body>
</html>
""",
        encoding="utf-8",
    )
    return page
