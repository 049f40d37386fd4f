"""Who may read the rollups: by the ticket's region, or one's own enterprise's sites."""

from oreledger.core.permissions import ALL_ROLES, VIEW, JurisdictionPolicy, register
from oreledger.dashboards.models import DailyRollup, RollupWatermark

register(
    DailyRollup,
    JurisdictionPolicy(
        region_path="region_path", enterprise="enterprise_id", roles={VIEW: ALL_ROLES}
    ),
)
# The watermark is the job's bookkeeping: nobody reads it through a page.
register(RollupWatermark, JurisdictionPolicy(region_path=None, roles={}))
