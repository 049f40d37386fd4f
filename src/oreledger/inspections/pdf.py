"""The enterprise check-up (企业体检) as a PDF, typeset by core.pdf with its fonts embedded."""

from __future__ import annotations

from oreledger.core.pdf import render_pdf
from oreledger.inspections.checkup import Checkup


def checkup_pdf(checkup: Checkup) -> bytes:
    """The check-up report: the score by dimension and every point lost with its reason."""
    footer = f"{checkup.enterprise.uscc} · {checkup.day.isoformat()}"
    return render_pdf("inspections/checkup_pdf.html", {"checkup": checkup}, footer=footer)
