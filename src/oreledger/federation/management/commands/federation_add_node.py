"""`oreledger federation-add-node CODE --name NAME --secret-out FILE [--rotate | --resume]`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from oreledger.federation.errors import FederationError
from oreledger.federation.models import Node
from oreledger.federation.services import hub


def _write_secret(path: Path, code: str, secret: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump({"node": code, "secret": secret}, out)


class Command(BaseCommand):
    """Register a county node on the hub and write its secret (mode 0600)."""

    help = "Register a county node on the federation hub, or rotate its secret."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="the county's region code (GB/T 2260)")
        parser.add_argument("--name", default="", help="the node's name")
        parser.add_argument("--secret-out", type=Path, help="write the node's secret here")
        parser.add_argument(
            "--rotate", action="store_true", help="issue a new secret (old one: 7 days' grace)"
        )
        parser.add_argument("--resume", action="store_true", help="accept a restored node again")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.OL_NODE_ROLE != "hub":
            raise CommandError("OL_NODE_ROLE is not hub")
        code = options["code"]
        try:
            if options["resume"]:
                node = hub.resume_node(node=Node.objects.get(code=code))
                self.stdout.write(f"node {node.code} accepted again from seq {node.acked_seq + 1}")
                return
            node, secret = hub.add_node(code=code, name=options["name"], rotate=options["rotate"])
        except Node.DoesNotExist:
            raise CommandError(f"node {code} is not registered") from None
        except FederationError as error:
            raise CommandError(error.message_in("en")) from None
        if options["secret_out"]:
            _write_secret(options["secret_out"], node.code, secret)
            self.stdout.write(f"node {node.code} registered; secret in {options['secret_out']}")
        else:
            self.stdout.write(json.dumps({"node": node.code, "secret": secret}))
