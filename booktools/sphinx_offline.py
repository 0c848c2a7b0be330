"""Sphinx extension: serve the widget-embedding scripts from the book itself, not public CDNs.

myst-nb embeds saved widget state in each page and loads RequireJS and the Jupyter widgets HTML
manager (by default from CDNs). With this extension (``extensions: [booktools.sphinx_offline]``
or Jupyter Book's ``sphinx: local_extensions``) the pages load the copies vendored in
``booktools/static/embed/lmbook-widgets/`` (see ``booktools/static/VENDORED.md``) and the
``anywidget`` front end copied from the installed Python package, so the widgets work offline.
The 3.8 MB of vendored JavaScript stays with the book: readers who install ``lmbook`` never
download it.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

__all__ = ["EMBED_DIR", "WIDGET_SCRIPTS", "anywidget_script", "setup"]

EMBED_DIR = Path(__file__).resolve().parent / "static" / "embed"
WIDGET_SCRIPTS = {
    "lmbook-widgets/require.js": {},
    "lmbook-widgets/config.js": {},
    "lmbook-widgets/embed-amd.js": {},
}


def anywidget_script() -> Path:
    """The installed anywidget's front end as a RequireJS (AMD) module."""
    import anywidget

    return Path(anywidget.__file__).parent / "nbextension" / "index.js"


def _configure(app: Any, config: Any) -> None:
    config.html_static_path = [*config.html_static_path, str(EMBED_DIR)]
    config.nb_ipywidgets_js = dict(WIDGET_SCRIPTS)


def _copy_anywidget(app: Any, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        target = Path(app.outdir) / "_static" / "lmbook-widgets" / "anywidget.js"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(anywidget_script(), target)


def setup(app: Any) -> dict[str, Any]:
    """Register the extension (needs ``myst_nb``, which defines ``nb_ipywidgets_js``)."""
    app.setup_extension("myst_nb")
    app.connect("config-inited", _configure)
    app.connect("build-finished", _copy_anywidget)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
