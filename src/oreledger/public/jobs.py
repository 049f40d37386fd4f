"""What the portal adds to the platform's jobs: ended rate-limit windows forgotten."""

import datetime

from oreledger.core.jobs import register_housekeeping
from oreledger.public.throttle import prune_windows


def _prune(now: datetime.datetime) -> int:
    return prune_windows(now=now)


register_housekeeping("public_client_windows", _prune)
