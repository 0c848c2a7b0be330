"""Write a copy of ``_config.yml`` with a JupyterHub launch button for your own hub.

A JupyterHub button needs the address of the hub your students use, so ``_config.yml`` cannot
carry one; ``make book JUPYTERHUB_URL=https://hub.your-school.edu`` calls this script and builds
with the copy (the button opens the notebook on that hub through nbgitpuller).

    python -m booktools.book_config https://hub.your-school.edu _build/_config.yml

The copy names the folders of ``sphinx: local_extensions`` by absolute path, since Jupyter Book
reads them relative to the config file, which now lives elsewhere.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlparse

import yaml

__all__ = ["write_config"]

ROOT = Path(__file__).resolve().parents[1]


def write_config(jupyterhub_url: str, out: Path) -> Path:
    """Copy the book's config to ``out`` with ``launch_buttons.jupyterhub_url`` set."""
    parsed = urlparse(jupyterhub_url)
    if parsed.scheme not in {"http", "https"} or not parsed.netloc:
        raise SystemExit(
            f"JUPYTERHUB_URL must be a full address such as https://hub.your-school.edu, "
            f"got {jupyterhub_url!r}"
        )
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["launch_buttons"]["jupyterhub_url"] = jupyterhub_url.rstrip("/")
    local = config.get("sphinx", {}).get("local_extensions") or {}
    for name, folder in local.items():  # relative to _config.yml, which the copy leaves
        local[name] = str((ROOT / folder).resolve())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    print(write_config(sys.argv[1], Path(sys.argv[2])))
