"""Who may see and change registry records, and how other records refer to them."""

from django.utils.translation import gettext_lazy as _

from oreledger.core.display import ReferenceKind, reference, register_field_text, register_reference
from oreledger.core.permissions import (
    ADD,
    ALL_ROLES,
    CHANGE,
    COUNTY_OPERATOR,
    DEPARTMENT_OFFICER,
    GOVERNMENT_ROLES,
    PROVINCE_OFFICE,
    VIEW,
    ConfigurationPolicy,
    JurisdictionPolicy,
    register,
)
from oreledger.registry.models import (
    Enterprise,
    Permit,
    PermitRequirement,
    PermitType,
    Site,
    Station,
    Vehicle,
    VehicleBlacklisting,
)

_REGISTRY_WRITERS = {PROVINCE_OFFICE, COUNTY_OPERATOR}

register(
    Enterprise,
    JurisdictionPolicy(
        region_path="region__path",
        enterprise="id",
        roles={VIEW: ALL_ROLES, ADD: _REGISTRY_WRITERS, CHANGE: _REGISTRY_WRITERS},
    ),
)
register(
    Site,
    JurisdictionPolicy(
        region_path="region__path",
        enterprise="enterprise_id",
        roles={VIEW: ALL_ROLES, ADD: _REGISTRY_WRITERS, CHANGE: _REGISTRY_WRITERS},
    ),
)
register(
    Station,
    JurisdictionPolicy(
        region_path="region__path",
        enterprise="site__enterprise_id",
        roles={VIEW: ALL_ROLES, ADD: _REGISTRY_WRITERS, CHANGE: _REGISTRY_WRITERS},
    ),
)
# A truck is seen where its owner is registered; hauliers see their own fleet.
register(
    Vehicle,
    JurisdictionPolicy(
        region_path="owner__region__path",
        enterprise="owner_id",
        roles={VIEW: ALL_ROLES, ADD: _REGISTRY_WRITERS, CHANGE: _REGISTRY_WRITERS},
    ),
)
# A county's blacklisting bars the plate in every county: every official reads it wherever it
# was made; only the service changes it (a county's own, on its own platform).
register(VehicleBlacklisting, ConfigurationPolicy(roles={VIEW: GOVERNMENT_ROLES}))
# A department officer changes only the permits their own department issued.
register(
    Permit,
    JurisdictionPolicy(
        region_path="region__path",
        enterprise="holder_id",
        department="department_id",
        roles={
            VIEW: ALL_ROLES,
            ADD: _REGISTRY_WRITERS | {DEPARTMENT_OFFICER},
            CHANGE: _REGISTRY_WRITERS | {DEPARTMENT_OFFICER},
        },
    ),
)
for _config_model in (PermitType, PermitRequirement):
    register(
        _config_model,
        ConfigurationPolicy(
            roles={VIEW: ALL_ROLES, ADD: {PROVINCE_OFFICE}, CHANGE: {PROVINCE_OFFICE}}
        ),
    )

# How other records (alert references, evidence) name these: by code, USCC, plate, number.
register_reference(
    "enterprise",
    ReferenceKind(_("Enterprise"), Enterprise, "uscc", text=lambda e: e.name),
)
register_reference("site", ReferenceKind(_("Site"), Site, "code", text=lambda s: s.name))
register_reference(
    "station",
    ReferenceKind(_("Weighing station"), Station, "code", text=lambda s: f"{s.code} {s.name}"),
)
register_reference("plate", ReferenceKind(_("Vehicle"), Vehicle, "plate"))
register_reference("permit", ReferenceKind(_("Permit"), Permit, "number"))
# A permit's mineral is stored as the mineral's code; the history names it.
register_field_text(Permit, "mineral", lambda code: reference("mineral", code, None).text)
