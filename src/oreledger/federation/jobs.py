"""The node's sync job: heartbeat, reference pull and outbox push, every minute, by the
job workers (no cron, no extra process)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from oreledger.core.display import register_terms
from oreledger.core.scheduler import schedule


@task(queue_name="scheduled")
def sync_with_hub(period: str) -> dict[str, int]:
    """Push this node's outbox to the hub and pull the hub's reference data."""
    if settings.OL_NODE_ROLE != "node" or not settings.OL_HUB_URL:
        return {"pulled": 0, "pushed": 0}
    from oreledger.federation.services.node import sync

    return sync()


schedule(
    "federation.sync_with_hub",
    "oreledger.federation.jobs.sync_with_hub",
    every=datetime.timedelta(minutes=1),
)


@task(queue_name="scheduled")
def flag_silent_nodes(period: str) -> int:
    """node_silent on the hub: county nodes not heard from for the threshold."""
    if settings.OL_NODE_ROLE != "hub":
        return 0
    from oreledger.federation.services.hub import flag_silent_nodes as flag

    return flag()


schedule(
    "federation.flag_silent_nodes",
    "oreledger.federation.jobs.flag_silent_nodes",
    every=datetime.timedelta(minutes=5),
)
register_terms(
    "job",
    {
        "oreledger.federation.jobs.sync_with_hub": _("Sync with the hub"),
        "oreledger.federation.jobs.flag_silent_nodes": _("Silent county nodes"),
    },
)
