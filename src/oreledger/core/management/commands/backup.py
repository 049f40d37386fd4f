"""`oreledger backup --out FILE`: the database, uploaded files and keys, encrypted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oreledger.core.backup import BackupError, read_passphrase, write_backup


class Command(BaseCommand):
    """Write one archive while the platform keeps running (a consistent snapshot)."""

    help = "Back up the database, uploaded files and key material into an encrypted archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="the archive to write")
        parser.add_argument(
            "--passphrase-file",
            type=Path,
            help="read the passphrase from this file (else OL_BACKUP_PASSPHRASE, else asked)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            passphrase = read_passphrase(options["passphrase_file"], confirm=True)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        try:
            summary = write_backup(options["out"], passphrase=passphrase)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(str(summary))
