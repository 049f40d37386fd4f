"""`oreledger verify-chain`: report every ticket row changed behind the application's back."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oreledger.weighing.chain import verify_chain


class Command(BaseCommand):
    """Recompute every station's ticket hash chain; exit 1 on any broken link."""

    help = "Verify the per-station hash chains of weighing tickets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("stations", nargs="*", help="station codes (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        broken = 0
        for link in verify_chain(options["stations"] or None):
            broken += 1
            self.stdout.write(str(link))
        if broken:
            raise CommandError(f"{broken} broken link(s) in the ticket chains")
        self.stdout.write("ticket chains intact")
