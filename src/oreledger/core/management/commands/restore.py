"""`oreledger restore FILE`: an archive back onto an empty database, then verified."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from oreledger.core.backup import (
    BackupError,
    BackupSummary,
    read_manifest,
    read_passphrase,
    restore_backup,
)

# The apps' integrity checks, run by name (core imports no app): a restore is not finished
# until the quota ledger and the ticket chains verify on the restored rows.
VERIFY_COMMANDS = ("verify_ledger", "verify_chain")


class Command(BaseCommand):
    """Refuse a database that has any table; check every table's count; verify the chains."""

    help = "Restore a backup archive onto an empty database and verify it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--passphrase-file",
            type=Path,
            help="read the passphrase from this file (else OL_BACKUP_PASSPHRASE, else asked)",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="only read the archive whole (passphrase, every segment) and describe it",
        )
        parser.add_argument(
            "--no-verify", action="store_true", help="skip verify-ledger and verify-chain"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["archive"].is_file():
            raise CommandError(f"{options['archive']}: no such file")
        passphrase = read_passphrase(options["passphrase_file"], confirm=False)
        if options["check"]:
            try:
                manifest = read_manifest(options["archive"], passphrase=passphrase)
            except BackupError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(str(BackupSummary(options["archive"], manifest)))
            return
        try:
            summary = restore_backup(options["archive"], passphrase=passphrase)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(str(summary))
        if not options["no_verify"]:
            for name in VERIFY_COMMANDS:
                call_command(name, stdout=self.stdout, stderr=self.stderr)
