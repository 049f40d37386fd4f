"""`oreledger compile-translations`: build .mo files from every app's .po files.

Pure Python (polib), so a fresh machine needs no GNU gettext to run the platform.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import polib
from django.core.management.base import BaseCommand

PACKAGE = Path(__file__).resolve().parents[3]


class Command(BaseCommand):
    """Compile each locale/<lang>/LC_MESSAGES/*.po next to itself."""

    help = "Compile translations (.po → .mo) for every app."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        for po_path in sorted(PACKAGE.glob("**/locale/*/LC_MESSAGES/*.po")):
            catalogue = polib.pofile(str(po_path))
            # Written aside and renamed: two test runs started together (CI runs SQLite and
            # PostgreSQL side by side) never read a half-written catalogue.
            target = po_path.with_suffix(".mo")
            partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
            catalogue.save_as_mofile(str(partial))
            os.replace(partial, target)
            count += 1
            if options["verbosity"] > 1:
                name = po_path.relative_to(PACKAGE)
                self.stdout.write(f"{name}: {catalogue.percent_translated()}%")
        if options["verbosity"] > 0:
            self.stdout.write(f"compiled {count} catalogues")
