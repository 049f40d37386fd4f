"""`oreledger federation-status [--sync] [--resume-after SEQ]`: the node's link to its hub."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from oreledger.federation.services import node as link_service
from oreledger.federation.services.outbox import last_seq, resume_after


class Command(BaseCommand):
    """Print the node's last seq, the hub's acked seq, the backlog and the last error."""

    help = "Show (or run) this node's synchronisation with its federation hub."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sync", action="store_true", help="push and pull now")
        parser.add_argument(
            "--resume-after",
            type=int,
            help="after a restore: renumber unsent changes to follow the hub's acked seq",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.OL_NODE_ROLE != "node":
            raise CommandError("OL_NODE_ROLE is not node")
        if options["resume_after"] is not None:
            link = link_service.hub_link()
            moved = resume_after(options["resume_after"], link.acked_seq)
            link.acked_seq, link.restored, link.last_error = options["resume_after"], False, ""
            link.save()
            self.stdout.write(f"{moved} unsent change(s) renumbered")
        if options["sync"]:
            self.stdout.write(str(link_service.sync()))
        link = link_service.hub_link()
        last = last_seq()
        self.stdout.write(f"node {settings.OL_NODE_CODE} → {settings.OL_HUB_URL or '(no hub)'}")
        self.stdout.write(f"last seq     {last}")
        self.stdout.write(f"acked seq    {link.acked_seq}")
        self.stdout.write(f"backlog      {max(last - link.acked_seq, 0)}")
        self.stdout.write(f"reference    {link.reference_seq}")
        self.stdout.write(f"last push    {link.last_push_at or '—'}")
        self.stdout.write(f"last error   {link.last_error or '—'}")
        if link.restored:
            self.stdout.write("restored from an older backup: see the hub's node page")
