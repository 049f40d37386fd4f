"""Who may see and act on campaigns, inspections, orders and decisions."""

from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from oreledger.core.display import ReferenceKind, register_reference
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
from oreledger.inspections.models import (
    Campaign,
    CampaignTarget,
    Checklist,
    ChecklistItem,
    ClassificationDecision,
    Finding,
    Inspection,
    InspectionGroup,
    InspectionPhoto,
    InspectionResult,
    OrderAnswer,
    OrderSignoff,
    RectificationOrder,
)

_ORGANISERS = {PROVINCE_OFFICE, COUNTY_OPERATOR}
_CAMPAIGN_PARTS: tuple[tuple[type[Model], str], ...] = (
    (Campaign, "region__path"),
    (CampaignTarget, "campaign__region__path"),
    (InspectionGroup, "campaign__region__path"),
)
_CONFIGURATION: tuple[type[Model], ...] = (Checklist, ChecklistItem)
_FIELD_RECORDS: tuple[tuple[type[Model], str, str], ...] = (
    (Inspection, "region__path", "enterprise_id"),
    (InspectionResult, "inspection__region__path", "inspection__enterprise_id"),
    (InspectionPhoto, "result__inspection__region__path", "result__inspection__enterprise_id"),
    (Finding, "region__path", "enterprise_id"),
)
_ORDER_PARTS: tuple[type[Model], ...] = (OrderAnswer, OrderSignoff)
# Inspectors come from every participating department.
_INSPECTORS = _ORGANISERS | {DEPARTMENT_OFFICER}

# Campaigns are the government's own work; an enterprise meets their inspections and orders.
for model, path in _CAMPAIGN_PARTS:
    register(
        model,
        JurisdictionPolicy(
            region_path=path,
            roles={VIEW: GOVERNMENT_ROLES, ADD: _ORGANISERS, CHANGE: _ORGANISERS},
        ),
    )

# Checklists are province-wide configuration: the departments' lists, set by the province.
for config_model in _CONFIGURATION:
    register(
        config_model,
        ConfigurationPolicy(roles={VIEW: GOVERNMENT_ROLES, CHANGE: {PROVINCE_OFFICE}}),
    )

# What was found at an enterprise is shown to that enterprise.
for model, path, enterprise in _FIELD_RECORDS:
    register(
        model,
        JurisdictionPolicy(
            region_path=path,
            enterprise=enterprise,
            roles={VIEW: GOVERNMENT_ROLES | {ENTERPRISE_USER}, ADD: _INSPECTORS},
        ),
    )

# An order: the county issues it, the enterprise answers (CHANGE), departments sign (APPROVE).
register(
    RectificationOrder,
    JurisdictionPolicy(
        region_path="region__path",
        enterprise="enterprise_id",
        roles={
            VIEW: GOVERNMENT_ROLES | {ENTERPRISE_USER},
            ADD: _ORGANISERS,
            CHANGE: {ENTERPRISE_USER},
            APPROVE: _INSPECTORS,
        },
    ),
)
for part in _ORDER_PARTS:
    register(
        part,
        JurisdictionPolicy(
            region_path="order__region__path",
            enterprise="order__enterprise_id",
            roles={VIEW: GOVERNMENT_ROLES | {ENTERPRISE_USER}},
        ),
    )
register(
    ClassificationDecision,
    JurisdictionPolicy(
        region_path="region__path",
        enterprise="enterprise_id",
        roles={VIEW: GOVERNMENT_ROLES | {ENTERPRISE_USER}, ADD: _ORGANISERS},
    ),
)

# How alerts and notifications name an order or a campaign (alerts' subject references).
register_reference("order", ReferenceKind(_("Rectification order"), RectificationOrder, "number"))
register_reference("campaign", ReferenceKind(_("Campaign"), Campaign, "pk", text=lambda c: c.name))
