"""`oreledger rebuild-rollups [--check] [--days N]`: rebuild or verify the daily rollups."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oreledger.dashboards.rollups import check_days, rebuild


class Command(BaseCommand):
    """Recompute rollups from the raw tickets, or compare them and fail on any difference."""

    help = "Rebuild the dashboards' daily rollups from the tickets, or --check them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="compare only; exit 1 on a difference"
        )
        parser.add_argument("--days", type=int, default=None, help="only the last N local days")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1")
        if options["check"]:
            differences = check_days(days)
            for difference in differences[:50]:
                self.stderr.write(json.dumps(difference, ensure_ascii=False))
            if differences:
                raise CommandError(f"{len(differences)} rollup rows differ from the tickets")
            self.stdout.write("rollups equal the tickets")
            return
        rebuilt = rebuild(days)
        self.stdout.write(f"rebuilt {len(rebuilt)} days")
