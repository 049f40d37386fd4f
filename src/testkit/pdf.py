"""Reading generated PDFs in tests as a viewer would: poppler-utils' pdffonts, pdftotext."""

from __future__ import annotations

import re
import subprocess
import tempfile


def _poppler(tool: str, pdf: bytes, *args: str) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        done = subprocess.run(  # noqa: S603 - fixed tool names, a file we wrote
            [tool, *args, file.name, *(["-"] if tool == "pdftotext" else [])],
            capture_output=True,
            text=True,
            check=True,
        )
    return done.stdout


def fonts(pdf: bytes) -> list[dict[str, str]]:
    """pdffonts' table: name, type and whether each font is embedded (emb)."""
    lines = _poppler("pdffonts", pdf).splitlines()[2:]
    rows = []
    for line in lines:
        # name type… encoding emb sub uni object-id gen: the flags are the 3 words before
        # the last two, whatever spaces the type has.
        words = line.split()
        rows.append({"name": words[0], "emb": words[-5], "sub": words[-4], "uni": words[-3]})
    return rows


def text(pdf: bytes, page: int | None = None) -> str:
    """The text a reader extracts (copy and paste, search), of one page or all."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return _poppler("pdftotext", pdf, "-layout", *pages)


def page_count(pdf: bytes) -> int:
    info = _poppler("pdfinfo", pdf)
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))  # type: ignore[union-attr]


def assert_fonts_embedded(pdf: bytes) -> None:
    rows = fonts(pdf)
    assert rows, "a document with text has fonts"
    assert [r for r in rows if r["emb"] != "yes"] == []
    # Subsets of the CJK fonts of fonts-noto-cjk, nothing borrowed from the viewer.
    assert {re.sub(r"^[A-Z]{6}\+", "", r["name"]) for r in rows} <= {
        "Noto-Serif-CJK-SC",
        "Noto-Serif-CJK-SC-Bold",
        "Noto-Sans-CJK-SC",
        "Noto-Sans-CJK-SC-Bold",
    }
    assert all(r["sub"] == "yes" and r["uni"] == "yes" for r in rows)
