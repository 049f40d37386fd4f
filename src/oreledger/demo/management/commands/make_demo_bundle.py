"""`oreledger make-demo-bundle --seed N --out PATH.xlsx`: write the demo province's workbook."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from oreledger.demo.generator import DemoScale, write_bundle


class Command(BaseCommand):
    """Generate a realistic province bundle, the same for the same seed."""

    help = "Write a generated province bundle (.xlsx)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--out", required=True)
        parser.add_argument("--scale", choices=["demo", "benchmark"], default="demo")
        parser.add_argument("--sheets", default="", help="comma-separated sheets (default all)")

    def handle(self, *args: Any, **options: Any) -> None:
        scale = DemoScale.benchmark() if options["scale"] == "benchmark" else DemoScale()
        sheets = [s for s in options["sheets"].split(",") if s] or None
        path = write_bundle(options["out"], seed=options["seed"], scale=scale, sheets=sheets)
        self.stdout.write(f"wrote {path}")
