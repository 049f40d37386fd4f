"""Who may see and change quota periods, accounts, changes and entries."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from oreledger.core.display import ReferenceKind, register_reference
from oreledger.core.permissions import (
    ADD,
    ALL_ROLES,
    APPROVE,
    CHANGE,
    COUNTY_OPERATOR,
    PROVINCE_OFFICE,
    VIEW,
    ConfigurationPolicy,
    JurisdictionPolicy,
    register,
)
from oreledger.quotas.models import LedgerEntry, Mineral, QuotaAccount, QuotaChange, QuotaPeriod

_ALLOCATORS = {PROVINCE_OFFICE, COUNTY_OPERATOR}


def _county_operators_act_on_counties(
    queryset: models.QuerySet[Any], user: Any, action: str
) -> models.QuerySet[Any]:
    """CHANGE/APPROVE on an account means acting beneath it: a county operator on their
    county's account (its mines), the province office on the province's and counties'."""
    if action in (CHANGE, APPROVE) and getattr(user, "role", None) == COUNTY_OPERATOR:
        return queryset.filter(level="county")
    return queryset


register(
    QuotaAccount,
    JurisdictionPolicy(
        region_path="region__path",
        enterprise="holder_site__enterprise_id",
        roles={VIEW: ALL_ROLES, CHANGE: _ALLOCATORS, APPROVE: _ALLOCATORS},
        refine=_county_operators_act_on_counties,
    ),
)
register(
    LedgerEntry,
    JurisdictionPolicy(
        region_path="account__region__path",
        enterprise="account__holder_site__enterprise_id",
        roles={VIEW: ALL_ROLES},
    ),
)
register(
    QuotaChange,
    JurisdictionPolicy(
        region_path="account__region__path",
        enterprise="account__holder_site__enterprise_id",
        roles={VIEW: ALL_ROLES, ADD: _ALLOCATORS, APPROVE: _ALLOCATORS},
    ),
)
for _model in (QuotaPeriod, Mineral):
    register(
        _model,
        ConfigurationPolicy(
            roles={VIEW: ALL_ROLES, ADD: {PROVINCE_OFFICE}, CHANGE: {PROVINCE_OFFICE}}
        ),
    )


def _account_lookup(value: str) -> dict[str, Any] | None:
    """A mine's account named as "SITE-CODE/YEAR" (alerts about quotas)."""
    code, sep, year = value.rpartition("/")
    if not sep or not year.isdigit():
        return None
    return {"holder_site__code": code, "period__year": int(year)}


register_reference(
    "quota_account",
    ReferenceKind(
        _("Quota account"), QuotaAccount, "pk", lookup=_account_lookup,
        text=lambda a: f"{a.holder_label} {a.period.year}",
    ),
)  # fmt: skip
register_reference("mineral", ReferenceKind(_("Mineral"), Mineral, "code", text=lambda m: str(m)))
