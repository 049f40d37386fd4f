"""Who sees the assessment: schemes by every official, a county's evidence by its jurisdiction."""

from __future__ import annotations

from typing import Any

from oreledger.accounts.models import Region
from oreledger.assessment.models import Evidence, Indicator, Scheme
from oreledger.core.permissions import (
    ADD,
    APPROVE,
    CHANGE,
    COUNTY_OPERATOR,
    GOVERNMENT_ROLES,
    PROVINCE_OFFICE,
    VIEW,
    ConfigurationPolicy,
    JurisdictionPolicy,
    may,
    register,
)

# Seeing every county's score side by side: the province only (a county sees its own).
RANK = "rank"

SCHEME_ROLES = {VIEW: GOVERNMENT_ROLES, CHANGE: {PROVINCE_OFFICE}, RANK: {PROVINCE_OFFICE}}

register(Scheme, ConfigurationPolicy(roles=SCHEME_ROLES))
register(Indicator, ConfigurationPolicy(roles=SCHEME_ROLES))
register(
    Evidence,
    JurisdictionPolicy(
        region_path="region__path",
        roles={
            VIEW: GOVERNMENT_ROLES,
            ADD: {COUNTY_OPERATOR},
            CHANGE: {COUNTY_OPERATOR},
            APPROVE: {PROVINCE_OFFICE},
        },
    ),
)


def may_rank(user: Any) -> bool:
    """Only the province sees every county side by side."""
    return may(user, RANK, Scheme)


def may_see_county(user: Any, county: Region) -> bool:
    """The province sees every county; a county's own people see only their county."""
    return may_rank(user) or (
        getattr(user, "region_id", None) == county.pk and may(user, VIEW, Scheme)
    )
