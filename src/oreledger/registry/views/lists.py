"""The registry lists: sortable, filterable, paginated, exported to .xlsx with Chinese headers."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oreledger.core.cells import CODE, COUNT, KILOGRAMS, TONNES
from oreledger.core.listing import Column, ScopedListView
from oreledger.core.permissions import ADD, may
from oreledger.registry.filtersets import (
    EnterpriseFilter,
    PermitFilter,
    SiteFilter,
    StationFilter,
    VehicleFilter,
)
from oreledger.registry.models import Enterprise, Permit, Site, Station, Vehicle


class RegistryListView(ScopedListView):
    """A registry list with a "new" button for those who may add."""

    template_name = "registry/list.html"
    create_url_name = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assert self.model is not None
        if self.create_url_name and may(self.request.user, ADD, self.model):
            context["create_url"] = reverse(self.create_url_name)
        return context


class EnterpriseListView(RegistryListView):
    """Enterprises in the jurisdiction."""

    model = Enterprise
    title = _("Enterprises")
    filterset_class = EnterpriseFilter
    related = ("region",)
    default_order = "name"
    create_url_name = "registry:enterprise_create"
    columns = (
        Column("name", _("Name"), order_by="name"),
        Column("uscc", _("Unified social credit code"), order_by="uscc", kind=CODE),
        Column("kind", _("Kind"), order_by="kind"),
        Column("industry", _("Industry"), order_by="industry"),
        Column("region.name", _("Region"), order_by="region__path"),
        Column("legal_rep", _("Legal representative")),
        Column("status", _("Status"), order_by="status", kind=CODE),
        Column("classification", _("Classification"), order_by="classification", kind=CODE),
    )


def _hours(site: Site) -> str:
    return site.permitted_hours


class SiteListView(RegistryListView):
    """Mines, plants and yards in the jurisdiction."""

    model = Site
    title = _("Sites")
    filterset_class = SiteFilter
    related = ("enterprise", "region")
    default_order = "code"
    create_url_name = "registry:site_create"
    columns = (
        Column("code", _("Code"), order_by="code", kind=CODE),
        Column("name", _("Name"), order_by="name"),
        Column("kind", _("Kind"), order_by="kind", kind=CODE),
        Column("enterprise.name", _("Enterprise"), order_by="enterprise__name"),
        Column("region.name", _("Region"), order_by="region__path"),
        Column("capacity_t", _("Capacity (t/yr)"), order_by="capacity_t", kind=TONNES),
        Column("hours", _("Working hours"), value=_hours, kind=CODE),
        Column("status", _("Status"), order_by="status", kind=CODE),
    )


def _station_state(station: Station) -> str:
    if station.disabled_at is not None:
        return str(_("Disabled"))
    if not station.secret_encrypted:
        return str(_("No secret issued"))
    return str(pgettext_lazy("station", "Active"))


def _guarded(station: Station) -> str:
    return station.site.code if station.site else str(_("Public checkpoint"))


class StationListView(RegistryListView):
    """Weighbridges in the jurisdiction."""

    model = Station
    title = _("Stations")
    filterset_class = StationFilter
    related = ("site", "region")
    default_order = "code"
    create_url_name = "registry:station_create"
    columns = (
        Column("code", _("Code"), order_by="code", kind=CODE),
        Column("name", _("Name"), order_by="name"),
        Column("site", _("Site guarded"), order_by="site__code", value=_guarded),
        Column("region.name", _("Region"), order_by="region__path"),
        Column("state", _("State"), value=_station_state, kind=CODE),
        Column("secret_rotated_at", _("Secret issued"), order_by="secret_rotated_at"),
    )


class VehicleListView(RegistryListView):
    """Trucks registered in the jurisdiction."""

    model = Vehicle
    title = _("Vehicles")
    filterset_class = VehicleFilter
    related = ("owner",)
    default_order = "plate"
    create_url_name = "registry:vehicle_create"
    columns = (
        Column("plate", _("Plate"), order_by="plate", kind=CODE),
        Column("owner.name", _("Owner"), order_by="owner__name"),
        Column("axles", _("Axles"), order_by="axles", kind=COUNT),
        Column("tare_kg", _("Registered tare (kg)"), order_by="tare_kg", kind=KILOGRAMS),
        Column("status", _("Status"), order_by="status", kind=CODE),
        Column("blacklist_reason", _("Blacklist reason")),
    )


def _site_code(permit: Permit) -> str:
    return permit.site.code if permit.site else ""


class PermitListView(RegistryListView):
    """Permits held in the jurisdiction."""

    model = Permit
    title = _("Permits")
    filterset_class = PermitFilter
    related = ("type", "holder", "site", "department__kind", "department__region")
    default_order = "valid_to"
    create_url_name = "registry:permit_create"
    columns = (
        Column("number", _("Number"), order_by="number", kind=CODE),
        Column("type", _("Type"), order_by="type__code", value=lambda p: str(p.type)),
        Column("holder.name", _("Holder"), order_by="holder__name"),
        Column("site", _("Site"), order_by="site__code", value=_site_code, kind=CODE),
        Column("department", _("Issuing department"), value=lambda p: str(p.department)),
        Column("valid_from", _("Valid from"), order_by="valid_from"),
        Column("valid_to", _("Valid to"), order_by="valid_to"),
        Column("status", _("Status"), order_by="status", kind=CODE),
        Column("validity_state", _("Validity"), order_by="validity_state", kind=CODE),
    )
