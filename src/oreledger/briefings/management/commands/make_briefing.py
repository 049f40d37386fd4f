"""`oreledger make-briefing --week YYYY-Www [--region CODE] --out DIR`: the three files."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oreledger.accounts.models import Region
from oreledger.briefings.pdf import briefing_pdf
from oreledger.briefings.queries import as_json, reported
from oreledger.briefings.sections import Week
from oreledger.briefings.services import system_reader, top_region
from oreledger.briefings.word import briefing_docx
from oreledger.core.errors import DomainError


class Command(BaseCommand):
    """Write briefing.pdf, briefing.docx and briefing.json of a week and region."""

    help = (
        "Write briefing.pdf, briefing.docx and briefing.json for an ISO week (the issued "
        "briefing's figures when it was issued, else read now) of a region (the province "
        "by default)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--week", required=True, help="ISO week, e.g. 2026-W48")
        parser.add_argument("--region", default="", help="GB/T 2260 code (default: province)")
        parser.add_argument("--out", required=True, help="directory to write the files into")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            week = Week.parse(options["week"])
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        code = options["region"].strip()
        region = Region.objects.filter(code=code).first() if code else top_region()
        if region is None:
            raise CommandError(f"no region {code}")
        figures, shown = reported(region, week.key, system_reader())
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        (out / "briefing.json").write_text(as_json(figures), encoding="utf-8")
        (out / "briefing.pdf").write_bytes(briefing_pdf(shown))
        (out / "briefing.docx").write_bytes(briefing_docx(shown))
        self.stdout.write(
            f"{region.code} {week.key}: briefing.pdf, briefing.docx, briefing.json in {out} "
            f"({time.monotonic() - started:.1f} s)"
        )
