"""What accounts adds to the platform's jobs: failed logins forgotten at housekeeping."""

from oreledger.accounts.services import prune_login_failures
from oreledger.core.jobs import register_housekeeping

register_housekeeping("login_failures", prune_login_failures)
