"""Who may see and handle alerts, cases and rule versions."""

from oreledger.alerts.models import (
    Alert,
    Case,
    DeadlinePolicy,
    ProductionDeclaration,
    RuleVersion,
)
from oreledger.core.permissions import (
    ADD,
    APPROVE,
    CHANGE,
    COUNTY_OPERATOR,
    DEPARTMENT_OFFICER,
    ENTERPRISE_USER,
    GOVERNMENT_ROLES,
    PROVINCE_OFFICE,
    VIEW,
    ConfigurationPolicy,
    JurisdictionPolicy,
    register,
)

_HANDLERS = {PROVINCE_OFFICE, COUNTY_OPERATOR, DEPARTMENT_OFFICER}

# Alerts are the government's working list; an enterprise meets them only as a case party.
register(
    Alert,
    JurisdictionPolicy(
        region_path="region__path",
        # A department officer handles the alerts assigned to their department.
        department="department_id",
        roles={VIEW: GOVERNMENT_ROLES, CHANGE: _HANDLERS, ADD: _HANDLERS},
    ),
)
register(
    Case,
    JurisdictionPolicy(
        region_path="region__path",
        enterprise="enterprise_id",
        department="department_id",
        roles={
            VIEW: GOVERNMENT_ROLES | {ENTERPRISE_USER},
            ADD: _HANDLERS,
            CHANGE: _HANDLERS,
            APPROVE: {PROVINCE_OFFICE, COUNTY_OPERATOR},
        },
    ),
)
# Rule versions: the province sets, a county tightens its own (services check the level).
register(
    RuleVersion,
    ConfigurationPolicy(roles={VIEW: GOVERNMENT_ROLES, CHANGE: {PROVINCE_OFFICE, COUNTY_OPERATOR}}),
)
register(
    DeadlinePolicy,
    ConfigurationPolicy(roles={VIEW: GOVERNMENT_ROLES, CHANGE: {PROVINCE_OFFICE}}),
)
register(
    ProductionDeclaration,
    JurisdictionPolicy(
        region_path="site__region__path",
        enterprise="site__enterprise_id",
        roles={VIEW: GOVERNMENT_ROLES | {ENTERPRISE_USER}, ADD: {COUNTY_OPERATOR}},
    ),
)
