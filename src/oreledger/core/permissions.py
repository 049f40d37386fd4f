"""Jurisdiction: the one scoping mechanism, `Model.objects.for_user(user, action)`.

Every list, detail, export, API endpoint and report filters through it; an object outside
the result is answered with 404, never a 403 that would confirm it exists.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from oreledger.core.errors import DomainError

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

    # The person model is accounts.User (AUTH_USER_MODEL); core names only Django's base.
    AnyUser: TypeAlias = AbstractUser | AnonymousUser

M = TypeVar("M", bound=models.Model)

VIEW = "view"
ADD = "add"
CHANGE = "change"
DELETE = "delete"
APPROVE = "approve"

# Roles (accounts.choices.Role values) repeated here as plain strings so that core does not
# import accounts; accounts.tests check the two stay equal.
ADMIN = "admin"
PROVINCE_OFFICE = "province_office"
COUNTY_OPERATOR = "county_operator"
DEPARTMENT_OFFICER = "department_officer"
LEADER = "leader"
ENTERPRISE_USER = "enterprise_user"
GOVERNMENT_ROLES = frozenset({PROVINCE_OFFICE, COUNTY_OPERATOR, DEPARTMENT_OFFICER, LEADER})
ALL_ROLES = GOVERNMENT_ROLES | {ENTERPRISE_USER}


class Policy:
    """Who may do what to which rows of one model."""

    def scope(self, queryset: models.QuerySet[Any], user: AnyUser, action: str) -> Any:
        """The rows `user` may act on with `action`."""
        raise NotImplementedError


@dataclass(frozen=True)
class JurisdictionPolicy(Policy):
    """Rows scoped by a region path, an enterprise, and optionally a department.

    `region_path` is the lookup from the model to its Region's `path` (for example
    "site__region__path"); `enterprise` the lookup to the owning enterprise's id, for
    enterprise users; `department` the lookup to the department that owns the row, which
    limits a department officer's write actions to their own department's rows.
    `roles` maps each action to the roles allowed to take it.
    """

    region_path: str | None
    roles: dict[str, Collection[str]]
    enterprise: str | None = None
    department: str | None = None
    refine: Callable[[models.QuerySet[Any], AnyUser, str], models.QuerySet[Any]] | None = field(
        default=None
    )

    def scope(self, queryset: models.QuerySet[Any], user: AnyUser, action: str) -> Any:
        """Filter `queryset` to the user's jurisdiction for `action`."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return queryset.none()
        role = getattr(user, "role", None)
        if user.is_superuser or role == ADMIN:
            return queryset
        if role not in self.roles.get(action, ()):
            return queryset.none()
        if role == ENTERPRISE_USER:
            enterprise_id = getattr(user, "enterprise_id", None)
            if self.enterprise is None or enterprise_id is None:
                return queryset.none()
            queryset = queryset.filter(**{self.enterprise: enterprise_id})
        else:
            region = getattr(user, "region", None)
            if region is None or self.region_path is None:
                return queryset.none()
            queryset = queryset.filter(**{f"{self.region_path}__startswith": region.path})
            if role == DEPARTMENT_OFFICER and action != VIEW and self.department:
                department_id = getattr(user, "department_id", None)
                queryset = queryset.filter(**{self.department: department_id})
        if self.refine is not None:
            queryset = self.refine(queryset, user, action)
        return queryset


@dataclass(frozen=True)
class ConfigurationPolicy(Policy):
    """Province-wide configuration (permit types, grades, rules): read by the roles given,
    changed by the province office."""

    roles: dict[str, Collection[str]]

    def scope(self, queryset: models.QuerySet[Any], user: AnyUser, action: str) -> Any:
        """All rows or none, by role."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return queryset.none()
        role = getattr(user, "role", None)
        if user.is_superuser or role == ADMIN or role in self.roles.get(action, ()):
            return queryset
        return queryset.none()


_POLICIES: dict[type[models.Model], Policy] = {}


def register(model: type[models.Model], policy: Policy) -> None:
    """Declare the policy of a model (from its app's policies.py)."""
    _POLICIES[model] = policy


def policy_for(model: type[models.Model]) -> Policy:
    """The registered policy; a model without one is a programming error, loudly."""
    for klass in model.__mro__:
        if klass in _POLICIES:
            return _POLICIES[klass]
    raise ImproperlyConfigured(f"{model.__name__} has no jurisdiction policy registered")


class ScopedQuerySet(models.QuerySet[M]):
    """A queryset that knows how to narrow itself to a user's jurisdiction."""

    def for_user(self, user: AnyUser, action: str = VIEW) -> ScopedQuerySet[M]:
        """The rows `user` may `action`; the only way pages, APIs and exports read rows."""
        scoped: ScopedQuerySet[M] = policy_for(self.model).scope(self, user, action)
        return scoped


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


def get_for_user(
    queryset: models.QuerySet[M], user: AnyUser, action: str = VIEW, **lookup: Any
) -> M:
    """One row the user may act on; 404 if outside their view scope, 403 if only viewable."""
    policy = policy_for(queryset.model)
    try:
        obj: M = policy.scope(queryset, user, action).get(**lookup)
        return obj
    except ObjectDoesNotExist:
        pass
    if action != VIEW and policy.scope(queryset, user, VIEW).filter(**lookup).exists():
        raise PermissionDenied
    raise Http404


def can(user: AnyUser, action: str, obj: models.Model) -> bool:
    """Whether `user` may take `action` on this row (for showing or hiding buttons)."""
    model = type(obj)
    return bool(
        policy_for(model)
        .scope(model._default_manager.all(), user, action)
        .filter(pk=obj.pk)
        .exists()
    )


def may(user: AnyUser, action: str, model: type[models.Model]) -> bool:
    """Whether `user`'s role may take `action` on any row of `model` (menus, add buttons)."""
    policy = policy_for(model)
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or getattr(user, "role", None) == ADMIN:
        return True
    if isinstance(policy, JurisdictionPolicy | ConfigurationPolicy):
        return getattr(user, "role", None) in policy.roles.get(action, ())
    return True


# On a county node (docs/specs/federation-protocol.md, "Setting up"): what it owns and sends
# to the hub must lie in its county, or the hub would hold two counties' word on one place.
OTHER_REGION = _(
    "%(region)s is not in %(node)s: this county platform records only its own region. "
    "Record it on the platform of %(region)s."
)


def in_node_region(region_path: str) -> bool:
    """Whether a region (by path) is the county node's own county or below (always, elsewhere)."""
    if settings.OL_NODE_ROLE != "node":
        return True
    return f"/{settings.OL_NODE_CODE}/" in region_path


def _jurisdiction_of(obj: models.Model) -> JurisdictionPolicy | None:
    """The record's policy if it scopes by region (None: no policy, or configuration)."""
    try:
        policy = policy_for(type(obj))
    except ImproperlyConfigured:
        return None
    return policy if isinstance(policy, JurisdictionPolicy) else None


def record_region(obj: models.Model) -> Any:
    """The region a record lies in, read along its policy's region path (None: it has none)."""
    policy = _jurisdiction_of(obj)
    if policy is None or not policy.region_path:
        return None
    *steps, last = policy.region_path.split("__")
    if last != "path":
        return None
    region: Any = obj
    for step in steps:
        try:
            region = getattr(region, step, None)
        except ObjectDoesNotExist:
            return None
        if region is None:
            return None
    return region


def other_region_params(region: Any) -> dict[str, str]:
    """The two regions the refusal names: the record's and the node's (name and code)."""
    node = type(region)._default_manager.filter(code=settings.OL_NODE_CODE).first()
    node_label = f"{node} ({settings.OL_NODE_CODE})" if node else settings.OL_NODE_CODE
    return {"region": f"{region} ({region.code})", "node": node_label}


def other_region_message(region: Any) -> str:
    """The refusal of a record in `region` on this node, in the active language."""
    return str(OTHER_REGION) % other_region_params(region)


def require_node_region(objs: Iterable[models.Model]) -> None:
    """On a county node, refuse (`other_region`) a record it owns that lies outside its county;
    records received from the hub are the province's and are not checked."""
    if settings.OL_NODE_ROLE != "node":
        return
    for obj in objs:
        if getattr(obj, "owner_node", None) != settings.OL_NODE_CODE:
            continue
        region = record_region(obj)
        if region is None or in_node_region(region.path):
            continue
        policy = _jurisdiction_of(obj)
        path = policy.region_path if policy and policy.region_path else "region"
        field_name = path.split("__")[0]
        params = other_region_params(region)
        raise DomainError(
            "other_region",
            OTHER_REGION,
            params=params,
            fields={field_name if field_name != "path" else "code": [str(OTHER_REGION) % params]},
        )
