"""The `oreledger` command: serve, demo, worker, scheduler and every Django management command."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run an oreledger command (`oreledger help` lists them)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oreledger.config.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    # Commands are spelled with hyphens (`oreledger import-bundle`); modules use underscores.
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    try:
        execute_from_command_line(["oreledger", *args])
    except ImproperlyConfigured as refusal:
        # A bad setting is the operator's to fix: one line naming it, not a traceback.
        sys.stderr.write(f"oreledger: configuration error: {refusal}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
