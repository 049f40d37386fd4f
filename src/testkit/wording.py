"""What a zh-Hans reader must never meet: internal codes, English keys, UUIDs, UTC times.

`raw_words(text)` returns the offending words of a rendered text (a page's visible text, an
export's cells, a PDF's text). A word is allowed when it is a code a person reads as a code
(it carries a digit, like LM-45, HC-ST-001, 辽C10001, WB20261205…; or it is a short
upper-case abbreviation like LG, CSV, API), a unit or a chemical formula, or one of the
record values the caller passes in `data` (usernames, e-mail addresses). Everything else
written in Latin letters is English or an internal key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser

UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I)
# 2026-12-05T08:09:29, 2026-12-05 08:09:29+00:00, …Z: a machine's time, not a local one.
ISO_TIME = re.compile(
    r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
    r"(Z|[+-]\d{2}:?\d{2})\b|\bUTC\b"
)
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-./#:+]*")
# Units, formulae and names a Chinese page legitimately writes in Latin letters.
ALLOWED = frozenset(
    {
        # units
        "t", "kg", "km", "km/h", "h", "min", "s", "d", "m", "mm", "MB",
        # oxides of an assay
        "MgO", "CaO",
        # the language switch names the other language in that language
        "English",
        # file formats, the geometry a boundary is pasted as, the programming interface
        "Excel", "CSV", "PDF", "API", "XLSX", "xlsx", "JSON", "GeoJSON", "Polygon",
        "MultiPolygon", "OpenAPI", "Swagger", "ReDoc",
        # the HTTP header a program sends with its API token
        "Authorization", "Token",
        # browsers and systems a sign-in came from, by their product names
        "Chrome", "Firefox", "Edge", "Safari", "Android", "iOS", "Windows", "macOS", "Linux",
    }
)  # fmt: skip
ABBREVIATION = re.compile(r"^[A-Z]{1,4}$")


def is_code(word: str) -> bool:
    """A word a person reads as a code or a number: it carries a digit, or is an abbreviation."""
    bare = word.strip("-./#:+")
    if not bare:
        return True
    if any(ch.isdigit() for ch in bare) and "_" not in bare:
        return True
    parts = [part for part in re.split(r"[-/.]", bare) if part]
    if len(parts) > 1:  # HC-ST-SWEEP, LN-MG: upper-case parts joined like a code
        return all(part.isupper() for part in parts)
    return bool(ABBREVIATION.match(bare))


def raw_words(text: str, data: Iterable[str] = ()) -> list[str]:
    """The UUIDs, UTC/ISO times and Latin words of `text` that are neither codes nor allowed."""
    allowed = ALLOWED | set(data)
    found = [m.group(0) for m in UUID.finditer(text)]
    found += [m.group(0) for m in ISO_TIME.finditer(text)]
    cleaned = ISO_TIME.sub(" ", UUID.sub(" ", text))
    for match in WORD.finditer(cleaned):
        word = match.group(0).rstrip("-./#:+")
        if word in allowed or is_code(word):
            continue
        found.append(word)
    return found


class _Text(HTMLParser):
    """The text a person sees on a page (and its links), without scripts and styles."""

    HIDDEN = frozenset({"script", "style", "template", "noscript"})
    # Text the page itself marks as a code (a token's random prefix, a station secret) is
    # read as one: a random prefix without a digit ("wrOwERI") is not an English word.
    CODE = frozenset({"code", "kbd", "samp"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag in self.HIDDEN or tag in self.CODE:
            self._hidden += 1
        if tag == "a" and attr.get("href"):
            self.links.append(str(attr["href"]))
        if tag == "input" and attr.get("type") in ("submit", "button") and attr.get("value"):
            self.parts.append(str(attr["value"]))
        if attr.get("placeholder"):
            self.parts.append(str(attr["placeholder"]))

    def handle_endtag(self, tag: str) -> None:
        if (tag in self.HIDDEN or tag in self.CODE) and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def page_text(html: str) -> tuple[str, list[str]]:
    """A page's visible text (one line per text node) and the hrefs of its links."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "\n".join(p.strip() for p in parser.parts if p.strip()), parser.links
