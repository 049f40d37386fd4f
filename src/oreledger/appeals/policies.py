"""Who sees appeals: an enterprise its own, an office its county, a department those routed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oreledger.appeals.models import Appeal, Entry, Notice, Routing, StageRecord, TimeLimits
from oreledger.core.display import ReferenceKind, register_reference
from oreledger.core.permissions import (
    ADD,
    ADMIN,
    ALL_ROLES,
    CHANGE,
    COUNTY_OPERATOR,
    DEPARTMENT_OFFICER,
    ENTERPRISE_USER,
    GOVERNMENT_ROLES,
    PROVINCE_OFFICE,
    VIEW,
    ConfigurationPolicy,
    JurisdictionPolicy,
    Policy,
    register,
)

# A routed department's work on an appeal: answers, progress, solution, reclassification.
ANSWER = "answer"
# The enterprise's own closing of its appeal.
CONFIRM = "confirm"

OFFICE_ROLES = frozenset({PROVINCE_OFFICE, COUNTY_OPERATOR})
ROLES: dict[str, Any] = {
    VIEW: ALL_ROLES,
    ADD: {ENTERPRISE_USER},
    CHANGE: OFFICE_ROLES,
    ANSWER: {DEPARTMENT_OFFICER},
    CONFIRM: {ENTERPRISE_USER},
}


def _routed_only(prefix: str) -> Any:
    """A department officer reaches only the appeals routed to their own department."""

    def refine(queryset: models.QuerySet[Any], user: Any, action: str) -> Any:
        if getattr(user, "role", None) != DEPARTMENT_OFFICER:
            return queryset
        return queryset.filter(**{f"{prefix}routings__department_id": user.department_id})

    return refine


def _appeal_policy(prefix: str) -> JurisdictionPolicy:
    return JurisdictionPolicy(
        region_path=f"{prefix}region__path",
        roles=ROLES,
        enterprise=f"{prefix}enterprise_id",
        refine=_routed_only(prefix),
    )


@dataclass(frozen=True)
class NoticePolicy(Policy):
    """A department reads its notices; an office reads those of its region and below."""

    def scope(self, queryset: models.QuerySet[Any], user: Any, action: str) -> Any:
        """Notices addressed to the person's department or office."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return queryset.none()
        role = getattr(user, "role", None)
        if user.is_superuser or role == ADMIN:
            return queryset
        if action != VIEW:
            return queryset.none()
        if role == DEPARTMENT_OFFICER and user.department_id:
            return queryset.filter(department_id=user.department_id)
        if role in OFFICE_ROLES and user.region_id:
            return queryset.filter(Q(office__path__startswith=user.region.path))
        return queryset.none()


register(Appeal, _appeal_policy(""))
register(Routing, _appeal_policy("appeal__"))
register(StageRecord, _appeal_policy("appeal__"))
register(Entry, _appeal_policy("appeal__"))
register(Notice, NoticePolicy())
register(
    TimeLimits,
    ConfigurationPolicy(roles={VIEW: GOVERNMENT_ROLES, CHANGE: {PROVINCE_OFFICE}}),
)

# Alerts (appeal_overdue) name an appeal by its number.
register_reference("appeal", ReferenceKind(_("Appeal"), Appeal, "number"))
