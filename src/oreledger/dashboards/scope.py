"""The part of the province a dashboard shows: the person's jurisdiction, narrowed by drill-down."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from oreledger.accounts.models import Region
from oreledger.core.permissions import ENTERPRISE_USER, VIEW, get_for_user
from oreledger.dashboards.models import DailyRollup
from oreledger.registry.models import Enterprise, Site, Station
from oreledger.weighing.models import StationState, Ticket


@dataclass(frozen=True)
class Scope:
    """A person, and the region or site they are looking at inside their jurisdiction."""

    user: Any
    region: Region | None
    site: Site | None

    @property
    def is_enterprise(self) -> bool:
        """Whether the person is an enterprise user (scoped to their sites)."""
        return getattr(self.user, "role", None) == ENTERPRISE_USER

    @property
    def title(self) -> str:
        """What the dashboard is about, as people read it."""
        if self.site is not None:
            return f"{self.site.name}"
        if self.region is not None:
            return self.region.name
        enterprise = getattr(self.user, "enterprise", None)
        return str(enterprise.name) if enterprise is not None else ""

    def query(self) -> dict[str, str]:
        """The query parameters that reproduce this scope."""
        if self.site is not None:
            return {"site": self.site.code}
        if self.region is not None and self.region != getattr(self.user, "region", None):
            return {"region": self.region.code}
        return {}

    def rollups(self) -> QuerySet[DailyRollup]:
        """The rollup rows in view."""
        rows = DailyRollup.objects.for_user(self.user, VIEW)
        if self.site is not None:
            return rows.filter(site=self.site)
        if self.region is not None:
            return rows.filter(region_path__startswith=self.region.path)
        return rows

    def tickets(self) -> QuerySet[Ticket]:
        """The tickets in view (the feed); an enterprise sees its own sites' weighings."""
        rows = Ticket.objects.for_user(self.user, VIEW)
        if self.site is not None:
            return rows.filter(site=self.site)
        if self.is_enterprise:
            return rows.filter(site__enterprise_id=self.user.enterprise_id)
        if self.region is not None:
            return rows.filter(region__path__startswith=self.region.path)
        return rows

    def sites(self) -> QuerySet[Site]:
        """The sites in view."""
        rows = Site.objects.for_user(self.user, VIEW)
        if self.site is not None:
            return rows.filter(pk=self.site.pk)
        if self.region is not None:
            return rows.filter(region__path__startswith=self.region.path)
        return rows

    def stations(self) -> QuerySet[Station]:
        """The enabled stations in view."""
        rows = Station.objects.for_user(self.user, VIEW).filter(disabled_at__isnull=True)
        if self.site is not None:
            return rows.filter(site=self.site)
        if self.region is not None:
            return rows.filter(region__path__startswith=self.region.path)
        return rows

    def station_states(self) -> QuerySet[StationState]:
        """The protocol state rows of the stations in view."""
        return StationState.objects.for_user(self.user, VIEW).filter(
            station__in=self.stations().values("pk")
        )

    def enterprises(self) -> QuerySet[Enterprise]:
        """The enterprises in view (procedures check)."""
        rows = Enterprise.objects.for_user(self.user, VIEW)
        if self.site is not None:
            return rows.filter(pk=self.site.enterprise_id)
        if self.region is not None:
            return rows.filter(region__path__startswith=self.region.path)
        return rows

    def chain(self) -> list[Region]:
        """The regions from the person's own down to the one in view (breadcrumbs)."""
        top = getattr(self.user, "region", None)
        node = self.site.region if self.site is not None else self.region
        chain = []
        while node is not None and not self.is_enterprise:
            chain.append(node)
            if top is not None and node.pk == top.pk:
                break
            node = node.parent
        return list(reversed(chain))


def resolve_scope(user: Any, params: Mapping[str, str]) -> Scope:
    """The scope asked for by `?region=` or `?site=`; 404 when outside the jurisdiction."""
    site_code = (params.get("site") or "").strip()
    region_code = (params.get("region") or "").strip()
    if site_code:
        site = get_for_user(
            Site.objects.select_related("region", "enterprise"), user, VIEW, code=site_code
        )
        return Scope(user, None, site)
    own = getattr(user, "region", None)
    if getattr(user, "role", None) == ENTERPRISE_USER:
        if region_code:
            raise Http404
        return Scope(user, None, None)
    if region_code:
        region = get_for_user(Region.objects.all(), user, VIEW, code=region_code)
        return Scope(user, region, None)
    if own is None and not (user.is_superuser or getattr(user, "role", None) == "admin"):
        raise Http404
    return Scope(user, own, None)
