"""Who may see and change grading standards and assays."""

from oreledger.core.permissions import (
    ADD,
    ALL_ROLES,
    CHANGE,
    COUNTY_OPERATOR,
    PROVINCE_OFFICE,
    VIEW,
    ConfigurationPolicy,
    JurisdictionPolicy,
    register,
)
from oreledger.grading.models import Assay, Grade, GradingStandard

# The grading table is province-wide configuration: everyone reads it, the province sets it.
for _model in (GradingStandard, Grade):
    register(
        _model,
        ConfigurationPolicy(
            roles={VIEW: ALL_ROLES, ADD: {PROVINCE_OFFICE}, CHANGE: {PROVINCE_OFFICE}}
        ),
    )
# Assays are seen where the site lies, and by the enterprise that owns the site.
register(
    Assay,
    JurisdictionPolicy(
        region_path="site__region__path",
        enterprise="site__enterprise_id",
        roles={VIEW: ALL_ROLES, ADD: {PROVINCE_OFFICE, COUNTY_OPERATOR}},
    ),
)
