"""The enterprise file (一企一档) is assembled from sections that apps register.

The registry provides identity, sites, stations, permits, vehicles and history (below);
later apps (quotas, trade, weighing, alerts, inspections) add their own section from their
`dossier.py` without the registry knowing them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from oreledger.accounts.models import Region
from oreledger.core.audit import history_for
from oreledger.core.permissions import ADD, VIEW, may
from oreledger.registry.choices import OperatingStatus, Rectification
from oreledger.registry.maps import map_data
from oreledger.registry.models import Enterprise, Permit, Site, Station, Vehicle
from oreledger.registry.procedures import procedures_for_enterprise


@dataclass(frozen=True)
class DossierSection:
    """One section of the enterprise file: a template fed by a context function."""

    key: str
    title: str | Promise
    template: str
    # (enterprise, user) -> template context; must keep a constant number of queries.
    context: Callable[[Any, Any], dict[str, Any]]
    order: int = 100


_SECTIONS: dict[str, DossierSection] = {}


def register_section(section: DossierSection) -> None:
    """Add a section to every enterprise file (from an app's AppConfig.ready)."""
    _SECTIONS[section.key] = section


def sections_for(enterprise: Any, user: Any) -> list[tuple[DossierSection, dict[str, Any]]]:
    """The sections in order, each with its context for this enterprise and viewer."""
    return [
        (section, section.context(enterprise, user))
        for section in sorted(_SECTIONS.values(), key=lambda s: s.order)
    ]


# --- the registry's own sections ----------------------------------------------------------

# Fields whose changes make up the status and classification history.
_STATUS_FIELDS = ("status", "classification")


def identity(enterprise: Enterprise, user: Any) -> dict[str, Any]:
    """Who the enterprise is (the template reads the enterprise itself)."""
    chain = []
    node: Region | None = enterprise.region
    while node is not None:
        chain.append(node)
        node = node.parent
    return {"region_chain": list(reversed(chain))}


def sites(enterprise: Enterprise, user: Any) -> dict[str, Any]:
    """The enterprise's sites on a small map and in a table."""
    rows = list(
        Site.objects.for_user(user, VIEW).filter(enterprise=enterprise).select_related("enterprise")
    )
    stations = list(Station.objects.for_user(user, VIEW).filter(site__enterprise=enterprise))
    county = enterprise.region if enterprise.region.level != "town" else enterprise.region.parent
    return {
        "sites": rows,
        "map": map_data(rows, stations, [county] if county else [], "site"),
        "can_add": may(user, ADD, Site),
    }


def stations(enterprise: Enterprise, user: Any) -> dict[str, Any]:
    """The weighbridges guarding the enterprise's sites."""
    rows = (
        Station.objects.for_user(user, VIEW)
        .filter(site__enterprise=enterprise)
        .select_related("site")
        .order_by("code")
    )
    return {"stations": rows, "can_add": may(user, ADD, Station)}


def permits(enterprise: Enterprise, user: Any) -> dict[str, Any]:
    """The permits held, and the procedures check per department."""
    today = timezone.localdate()
    rows = (
        Permit.objects.for_user(user, VIEW)
        .filter(holder=enterprise)
        .select_related("type", "site", "department__kind", "department__region")
        .order_by("type__code", "-valid_to")
    )
    return {
        "permits": rows,
        "blocks": procedures_for_enterprise(enterprise, today),
        "today": today,
        "can_add": may(user, ADD, Permit),
    }


def vehicles(enterprise: Enterprise, user: Any) -> dict[str, Any]:
    """The trucks the enterprise owns."""
    rows = Vehicle.objects.for_user(user, VIEW).filter(owner=enterprise).order_by("plate")
    return {"vehicles": rows, "can_add": may(user, ADD, Vehicle)}


def status_history(enterprise: Enterprise, user: Any) -> dict[str, Any]:
    """Every change of status or classification, with who, when and why."""
    statuses, classes = dict(OperatingStatus.choices), dict(Rectification.choices)
    changes = []
    for change in history_for(enterprise)[:200]:
        before, after = change.before or {}, change.after or {}
        moved = [f for f in _STATUS_FIELDS if before.get(f) != after.get(f)]
        if change.action == "create" or moved:
            changes.append(
                {
                    "change": change,
                    "status": (
                        _label(statuses, before, "status"),
                        _label(statuses, after, "status"),
                    ),
                    "classification": (
                        _label(classes, before, "classification"),
                        _label(classes, after, "classification"),
                    ),
                }
            )
    return {"changes": changes}


def _label(labels: dict[str, Any], data: dict[str, Any], key: str) -> str:
    code = data.get(key) or ""
    return str(labels.get(code, code))


def history(enterprise: Enterprise, user: Any) -> dict[str, Any]:
    """The audit trail of the enterprise record."""
    return {"history": history_for(enterprise)[:100]}


for section in (
    DossierSection("identity", _("Identity"), "registry/dossier/identity.html", identity, 10),
    DossierSection("sites", _("Sites"), "registry/dossier/sites.html", sites, 20),
    DossierSection("stations", _("Stations"), "registry/dossier/stations.html", stations, 30),
    DossierSection(
        "permits", _("Permits and procedures check"), "registry/dossier/permits.html", permits, 40
    ),
    DossierSection("vehicles", _("Vehicles"), "registry/dossier/vehicles.html", vehicles, 50),
    DossierSection(
        "status_history",
        _("Status and classification history"),
        "registry/dossier/status_history.html",
        status_history,
        80,
    ),
    DossierSection("history", _("Change history"), "registry/dossier/history.html", history, 90),
):
    register_section(section)
