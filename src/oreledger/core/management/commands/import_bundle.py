"""`oreledger import-bundle PATH.xlsx [--dry-run] [--secrets-out PATH.json]`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oreledger.core.bundle import format_errors, import_bundle, secret_outputs


def write_secrets(path: Path, secrets: dict[str, dict[str, str]]) -> None:
    """Write the secrets as JSON readable by the owner only (created 0600, never wider):
    one object per secret output of the registered sheets, empty when none was created."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    # An existing file keeps its mode on open; narrow it before anything secret is written.
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(
            {output.name: secrets.get(output.name, {}) for output in secret_outputs()},
            handle,
            ensure_ascii=False,
            indent=2,
            sort_keys=True,
        )


class Command(BaseCommand):
    """Import a province bundle (docs/specs/province-bundle.md), all or nothing."""

    help = "Import a province-bundle workbook; prints every error, or what each sheet did."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="validate only")
        parser.add_argument(
            "--secrets-out", type=Path, help="write new station secrets and API tokens here"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        report = import_bundle(path, actor=None, dry_run=options["dry_run"])
        if not report.ok:
            for line in format_errors(report.errors):
                self.stderr.write(line)
            raise CommandError(f"{len(report.errors)} errors; nothing was imported")
        if report.dry_run:
            self.stdout.write(f"dry run: {report.rows} rows valid; nothing was written")
            return
        for sheet, outcome in report.outcomes.items():
            self.stdout.write(
                f"{sheet}: {outcome.created} created, {outcome.updated} updated, "
                f"{outcome.unchanged} unchanged"
            )
        if options["secrets_out"]:
            write_secrets(options["secrets_out"], report.secrets)
            self.stdout.write(f"secrets written to {options['secrets_out']} (mode 0600)")
