"""Who may see and change regions, departments and users."""

from oreledger.accounts.models import Department, Region, User
from oreledger.core.permissions import (
    ADD,
    CHANGE,
    COUNTY_OPERATOR,
    DEPARTMENT_OFFICER,
    GOVERNMENT_ROLES,
    LEADER,
    PROVINCE_OFFICE,
    VIEW,
    JurisdictionPolicy,
    register,
)

register(
    Region,
    JurisdictionPolicy(
        region_path="path",
        roles={VIEW: GOVERNMENT_ROLES, ADD: {PROVINCE_OFFICE}, CHANGE: {PROVINCE_OFFICE}},
    ),
)
register(
    Department,
    JurisdictionPolicy(
        region_path="region__path",
        roles={VIEW: GOVERNMENT_ROLES, ADD: {PROVINCE_OFFICE}, CHANGE: {PROVINCE_OFFICE}},
    ),
)
# County operators manage the accounts of their county; leaders and department officers
# see colleagues in their region; an enterprise user sees the accounts of their enterprise.
register(
    User,
    JurisdictionPolicy(
        region_path="region__path",
        enterprise="enterprise_id",
        roles={
            VIEW: {PROVINCE_OFFICE, COUNTY_OPERATOR, DEPARTMENT_OFFICER, LEADER},
            ADD: {PROVINCE_OFFICE, COUNTY_OPERATOR},
            CHANGE: {PROVINCE_OFFICE, COUNTY_OPERATOR},
        },
    ),
)
