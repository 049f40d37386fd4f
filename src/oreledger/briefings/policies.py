"""Who reads and writes briefings: every government role reads its region's; offices write."""

from __future__ import annotations

from oreledger.briefings.models import Briefing
from oreledger.core.permissions import (
    ADD,
    APPROVE,
    CHANGE,
    COUNTY_OPERATOR,
    GOVERNMENT_ROLES,
    PROVINCE_OFFICE,
    VIEW,
    JurisdictionPolicy,
    register,
)

# The office drafts and issues; leaders and departments read what their region reports.
OFFICES = frozenset({PROVINCE_OFFICE, COUNTY_OPERATOR})

register(
    Briefing,
    JurisdictionPolicy(
        region_path="region__path",
        roles={VIEW: GOVERNMENT_ROLES, ADD: OFFICES, CHANGE: OFFICES, APPROVE: OFFICES},
    ),
)
