"""Find strings in built editions: every byte of every file, inside zips and base64 too.

``find(path, needles)`` walks a file or a folder and reports each place a needle occurs
(case-insensitive): plain bytes, members of zip files (recursively), base64 runs decoded
(notebook attachments and image outputs, ``data:`` URIs) and JSON ``\\uXXXX`` escapes. The leak
tests put unique canary strings into every solution and hidden check and call it on each
edition; ``make student`` calls it on its own output with the solutions' code lines.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import io
import json
import re
import zipfile
from pathlib import Path

__all__ = ["Hit", "find", "find_in_bytes"]

_B64 = re.compile(rb"(?:[A-Za-z0-9+/]{4}(?:\\n|\s)*){6,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


class Hit(str):
    """Where a needle was found: ``"<file>[!member][ (base64)]: <needle>"``."""


def _decoded_variants(data: bytes) -> list[tuple[str, bytes]]:
    variants = [("", data)]
    for m in _B64.finditer(data):
        run = re.sub(rb"\\n|\s", b"", m.group(0))
        if len(run) < 24:
            continue
        run = run[: len(run) - len(run) % 4]
        try:
            variants.append((" (base64)", base64.b64decode(run, validate=False)))
        except (binascii.Error, ValueError):
            continue
    if b"\\u" in data:
        with contextlib.suppress(ValueError, UnicodeDecodeError):
            unescaped = json.dumps(json.loads(data), ensure_ascii=False).encode()
            variants.append((" (json escapes)", unescaped))
    return variants


def find_in_bytes(name: str, data: bytes, needles: list[str], depth: int = 0) -> list[Hit]:
    """The hits of ``needles`` in ``data`` (named ``name``), recursing into zip members."""
    hits: list[Hit] = []
    lowered = [(n, n.lower().encode()) for n in needles]
    for how, blob in _decoded_variants(data):
        low = blob.lower()
        for needle, raw in lowered:
            if raw in low:
                hits.append(Hit(f"{name}{how}: {needle}"))
    if data[:4] == b"PK\x03\x04" and depth < 4:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                for member in z.namelist():
                    hits += find_in_bytes(f"{name}!{member}", z.read(member), needles, depth + 1)
        except zipfile.BadZipFile:
            pass
    return sorted(set(hits))


def find(path: Path | str, needles: list[str]) -> list[Hit]:
    """Every hit of ``needles`` in the file or folder ``path`` (see the module docstring)."""
    path = Path(path)
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    hits: list[Hit] = []
    for file in files:
        hits += find_in_bytes(str(file), file.read_bytes(), needles)
    return hits
