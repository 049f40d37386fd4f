"""Every character the platform writes has a glyph in its font: no boxes on any machine.

Pages, the big screen and PDFs set text in Noto Sans/Serif CJK SC (fonts-noto-cjk, README):
a character outside those fonts (an emoji such as 🚚 or 🔔) shows as an empty box wherever
no colour-emoji font happens to be installed. Icons are drawn instead (SVG, ECharts paths).
"""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from fontTools.ttLib import TTCollection

PACKAGE = Path(__file__).resolve().parents[2]
FONTS = Path("/usr/share/fonts/opentype/noto")
FACES = {
    "NotoSansCJK-Regular.ttc": "Noto Sans CJK SC",
    "NotoSerifCJK-Regular.ttc": "Noto Serif CJK SC",
}


def _cmap(file: str, face: str) -> set[int]:
    collection = TTCollection(str(FONTS / file), lazy=True)
    font = next(f for f in collection.fonts if f["name"].getDebugName(4) == face)
    return set(font.getBestCmap())


def _texts() -> dict[str, str]:
    """Every template, script and style sheet, and every Chinese translation."""
    texts = {
        str(path.relative_to(PACKAGE)): path.read_text(encoding="utf-8")
        for pattern in ("*/templates/**/*.html", "*/static/**/*.js", "*/static/**/*.css")
        for path in PACKAGE.glob(pattern)
        if "vendor" not in path.parts
    }
    for path in PACKAGE.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"):
        catalogue = polib.pofile(str(path))
        texts[str(path.relative_to(PACKAGE))] = "\n".join(
            [e.msgstr for e in catalogue] + [s for e in catalogue for s in e.msgstr_plural.values()]
        )
    return texts


@pytest.mark.parametrize(("file", "face"), FACES.items())
def test_every_character_we_write_is_in_the_cjk_font(file: str, face: str) -> None:
    covered = _cmap(file, face)
    missing = {
        f"U+{ord(ch):04X} {ch!r} in {name}"
        for name, text in _texts().items()
        for ch in text
        if ch >= " " and ord(ch) not in covered
    }
    assert sorted(missing) == []
