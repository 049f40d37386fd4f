"""Printed documents: a Django template rendered to PDF by WeasyPrint, fonts embedded.

Why WeasyPrint (docs/pdf.md): the documents are HTML templates like every page, so they share
the translations and filters; CSS paged media gives page numbers, table headers repeated on
every page and Chinese line breaking (Pango); the Noto CJK fonts of Debian's fonts-noto-cjk
(OpenType/CFF, which reportlab cannot embed) are embedded as subsets, so a file shows the
same Chinese on a machine without any Chinese font.
"""

from __future__ import annotations

import re
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

# The families of fonts-noto-cjk (README): serif for the body as in official documents,
# sans for headings. Every glyph a document uses, Latin included, comes from these two, so
# every font in the file is one of them, embedded.
BODY_FONT = "Noto Serif CJK SC"
HEADING_FONT = "Noto Sans CJK SC"


class ExternalResourceRefused(Exception):
    """A document asked for a URL or file; printed documents load nothing."""


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # Record text is user input: a document must never fetch from the network or read
    # local files because a name contains markup that slipped through.
    raise ExternalResourceRefused(url)


def css_string(text: str) -> str:
    """Text as a quoted CSS string (for `content:` in the page margins)."""
    for plain, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", " "), ("<", "\\3c ")):
        text = text.replace(plain, escaped)
    return f'"{text}"'


def page_footer() -> str:
    """The footer's CSS `content`, e.g. "第 " counter(page) " 页，共 " counter(pages) " 页"."""
    counters = {"{page}": "counter(page)", "{pages}": "counter(pages)"}
    pieces = re.split(r"(\{pages?\})", _("Page {page} of {pages}"))
    return " ".join(counters.get(piece) or css_string(piece) for piece in pieces if piece)


def render_pdf(
    template: str, context: dict[str, Any], *, footer: str = "", language: str = "zh-hans"
) -> bytes:
    """The template rendered in `language` and typeset as an A4 PDF with embedded fonts.

    `footer` is printed at the bottom right of every page (e.g. the case number).
    """
    # Imported here: loading Pango is slow, and only the processes that print should pay.
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string(
            template,
            {
                **context,
                "body_font": BODY_FONT,
                "heading_font": HEADING_FONT,
                "page_footer": page_footer(),
                "footer_note": css_string(footer),
            },
        )
    return bytes(HTML(string=html, url_fetcher=_refuse).write_pdf())
