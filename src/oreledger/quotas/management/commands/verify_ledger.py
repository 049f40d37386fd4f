"""`oreledger verify-ledger`: check the quota ledger's sums, hash chains and totals."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from oreledger.quotas.integrity import verify_ledger


class Command(BaseCommand):
    """Print each discrepancy and exit non-zero if there is any."""

    help = "Check the quota ledger: cached balances, hash chains, parent/children totals."

    def handle(self, *args: Any, **options: Any) -> None:
        discrepancies = verify_ledger()
        for discrepancy in discrepancies:
            self.stdout.write(str(discrepancy))
        if discrepancies:
            raise CommandError(f"{len(discrepancies)} discrepancies in the quota ledger")
        self.stdout.write(self.style.SUCCESS("The quota ledger is sound."))
