"""Figures about places and events: open alerts, the live ticket feed, and the map."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, transaction
from django.db.models import Count
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from oreledger.accounts.models import Region
from oreledger.alerts.catalogue import BY_CODE
from oreledger.dashboards.figures import quota, stations, tonnes
from oreledger.dashboards.rollups import effective_values
from oreledger.dashboards.scope import Scope, resolve_scope
from oreledger.registry.maps import register_county_shading
from oreledger.trade.models import Contract
from oreledger.weighing.models import TicketCorrection

logger = logging.getLogger(__name__)
ACTIVE = (
    "open",
    "acknowledged",
    "investigating",
)  # docs/reference/rules.md: an alert still waiting
SEVERITIES = ("high", "medium", "low")
FEED_SIZE = 20


def _alerts(scope: Scope) -> Any:
    """The active alerts in view, or None while the alerts app cannot answer yet."""
    try:
        model = apps.get_model("alerts", "Alert")
        rows = model.objects.for_user(scope.user).filter(status__in=ACTIVE)
    except (LookupError, ImproperlyConfigured):
        return None
    if scope.site is not None:
        return rows.filter(site=scope.site)
    if scope.region is not None:
        return rows.filter(region__path__startswith=scope.region.path)
    return rows


def _guarded(query: Any) -> Any:
    """Run an alerts query in a savepoint: a missing table must not spoil the page."""
    try:
        with transaction.atomic():
            return query()
    except (DatabaseError, ImproperlyConfigured, LookupError):
        logger.warning("alerts unavailable for the dashboard", exc_info=True)
        return None


def alerts(scope: Scope) -> dict[str, Any]:
    """Active alerts by severity and by rule; `available` is false until alerts answers."""
    rows = _alerts(scope)
    empty: dict[str, Any] = {
        "available": False,
        "total": None,
        "by_severity": [],
        "by_rule": [],
        "latest": [],
    }
    if rows is None:
        return empty
    grouped = _guarded(
        lambda: list(rows.order_by().values("severity", "rule").annotate(n=Count("pk")))
    )
    latest = _guarded(lambda: list(rows.order_by("-last_seen")[:8]))
    if grouped is None or latest is None:
        return empty
    severity: Counter[str] = Counter()
    rule: Counter[str] = Counter()
    for row in grouped:
        severity[row["severity"]] += row["n"]
        rule[row["rule"]] += row["n"]
    return {
        "available": True,
        "total": sum(severity.values()),
        "by_severity": [{"severity": s, "count": severity.get(s, 0)} for s in SEVERITIES],
        "by_rule": [
            {"rule": r, "rule_name": _rule_name(r), "count": n} for r, n in rule.most_common()
        ],
        "latest": [
            {
                "rule": a.rule,
                "rule_name": str(getattr(a, "rule_name", a.rule)),
                "severity": a.severity,
                "subject": f"{a.subject_type}:{a.subject_ref}",
                "last_seen": timezone.localtime(a.last_seen).strftime("%m-%d %H:%M"),
                "url": _url(a),
            }
            for a in latest
        ],
    }


def _rule_name(code: str) -> str:
    """The catalogue's name of a rule in the active language (the code if it is unknown)."""
    spec = BY_CODE.get(code)
    return str(spec.name) if spec is not None else code


def _url(obj: Any) -> str:
    try:
        return str(obj.get_absolute_url())
    except NoReverseMatch:
        return ""


def feed(scope: Scope, limit: int = FEED_SIZE) -> dict[str, Any]:
    """The newest weighings in view, with the fields of Haicheng's command-centre screen."""
    tickets = list(
        scope.tickets()
        .select_related("station", "site__enterprise", "contract", "seller")
        .order_by("-gross_at")[:limit]
    )
    corrected = _corrected(tickets)
    wanted = {corrected.get(t.pk, {}).get("contract_id") or t.contract_id for t in tickets}
    contracts = _contracts({c for c in wanted if c})
    rows = []
    for t in tickets:
        effective = corrected.get(t.pk, {})
        contract = contracts.get(effective.get("contract_id") or t.contract_id or 0)
        enterprise = t.site.enterprise if t.site is not None else t.seller
        rows.append(
            {
                "id": str(t.pk),
                "time": timezone.localtime(t.gross_at).strftime("%H:%M:%S"),
                "date": timezone.localtime(t.gross_at).date().isoformat(),
                "station": t.station.name,
                "station_code": t.station.code,
                "plate": effective.get("plate") or t.plate,
                "enterprise": enterprise.name if enterprise is not None else "",
                "direction": t.direction,
                "kind": t.kind,
                "kind_label": t.get_kind_display(),
                "cargo": t.get_cargo_display(),
                "grade": (contract.grade.code if contract else "") or t.declared_grade,
                "gross_t": tonnes(t.gross_kg),
                "tare_t": tonnes(t.tare_kg),
                "net_t": tonnes(t.net_kg),
                "released": t.release,
                "contract": contract.number if contract else "",
                "contract_delivered_t": tonnes(contract.delivered_kg) if contract else None,
                "contract_total_t": tonnes(contract.quantity_kg) if contract else None,
                "url": reverse("weighing:ticket_detail", args=[t.pk]),
            }
        )
    return {"rows": rows}


def _corrected(tickets: list[Any]) -> dict[Any, dict[str, Any]]:
    """Effective plate and contract of the few feed tickets that were corrected."""
    ids = set(
        TicketCorrection.objects.filter(
            ticket_id__in=[t.pk for t in tickets], status="approved"
        ).values_list("ticket_id", flat=True)
    )
    return {t.pk: effective_values(t) for t in tickets if t.pk in ids}


def _contracts(ids: set[int]) -> dict[int, Any]:
    return {c.pk: c for c in Contract.objects.filter(pk__in=ids).select_related("grade")}


def map_data(scope: Scope, quota_of: dict[str, Any] | None = None) -> dict[str, Any]:
    """Sites and stations with their status and open alerts, counties shaded by quota use."""
    alert_rows = _alerts(scope)
    by_site: dict[int, int] = {}
    by_station: dict[str, int] = {}
    if alert_rows is not None:
        by_site = dict(
            _guarded(
                lambda: list(
                    alert_rows.filter(site__isnull=False)
                    .order_by()
                    .values_list("site_id")
                    .annotate(n=Count("pk"))
                )
            )
            or []
        )
        by_station = dict(
            _guarded(
                lambda: list(
                    alert_rows.filter(subject_type="station")
                    .order_by()
                    .values_list("subject_ref")
                    .annotate(n=Count("pk"))
                )
            )
            or []
        )
    sites = [
        {
            "code": s.code,
            "name": s.name,
            "kind": s.kind,
            "status": s.status,
            "enterprise": s.enterprise.name,
            "lat": float(s.lat),
            "lon": float(s.lon),
            "alerts": by_site.get(s.pk, 0),
            "url": reverse("registry:enterprise_detail", args=[s.enterprise.uscc]),
            "site_url": reverse("registry:site_detail", args=[s.code]),
        }
        for s in scope.sites().select_related("enterprise").order_by("code")
    ]
    status = {row["code"]: row["status"] for row in stations(scope)["rows"]}
    station_rows = [
        {
            "code": st.code,
            "name": st.name,
            "status": status.get(st.code, "never"),
            "lat": float(st.lat),
            "lon": float(st.lon),
            "alerts": by_station.get(st.code, 0),
            "url": reverse("registry:station_detail", args=[st.code]),
        }
        for st in scope.stations().order_by("code")
    ]
    return {"sites": sites, "stations": station_rows, "counties": _counties(scope, quota_of)}


def county_quota_use(
    scope: Scope, quota_of: dict[str, Any] | None = None
) -> dict[str, dict[str, Any]]:
    """Quota figures of each county in view, by code: the rows of the quota card's drill-down
    (figures.quota), so the map's shading, the county table and the API agree."""
    if scope.is_enterprise or scope.site is not None:
        return {}
    quota_of = quota_of or quota(scope)
    if scope.region is not None and scope.region.level == "county":
        own = {key: quota_of[key] for key in ("allocated_t", "consumed_t", "used_pct")}
        return {scope.region.code: {"code": scope.region.code, **own}}
    return {row["code"]: row for row in quota_of["children"]}


def _counties(scope: Scope, quota_of: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Each county in view with its quota use (the shade) and its centre (the label).

    Without county figures in view (an enterprise, a single site) the counties of the sites
    in view are still outlined, unshaded.
    """
    use = county_quota_use(scope, quota_of)
    shaded = bool(use)
    codes = set(use) or {
        path.split("/")[3]
        for path in scope.sites().values_list("region__path", flat=True)
        if path.count("/") >= 4
    }
    rows = []
    for county in Region.objects.filter(code__in=codes, level="county").order_by("code"):
        figures_ = use.get(county.code, {})
        rows.append(
            {
                "code": county.code,
                "name": county.name,
                "lat": float(county.lat) if county.lat is not None else None,
                "lon": float(county.lon) if county.lon is not None else None,
                "shaded": shaded,
                "allocated_t": figures_.get("allocated_t"),
                "consumed_t": figures_.get("consumed_t"),
                "used_pct": figures_.get("used_pct"),
            }
        )
    return rows


def registry_map_shading(user: Any) -> dict[str, dict[str, Any]]:
    """The registry map's shading: the quota use of each county in the person's view."""
    try:
        return county_quota_use(resolve_scope(user, {}))
    except Http404:
        return {}


register_county_shading(registry_map_shading)
