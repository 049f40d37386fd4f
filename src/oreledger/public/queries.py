"""What the public may know: one explicit published-field declaration per table.

The portal's pages, its CSV and xlsx downloads and its JSON API all render from these
declarations and nothing else: a row is built from the declared fields only, so no plate,
personal name, single truck's weight or single contract's price can leave by accident. A
figure summed over one or two enterprises is suppressed (None, shown as "—" with the
table's explanation): trade's `too_few_to_publish`, the one rule for everything public.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oreledger.accounts.choices import RegionLevel
from oreledger.accounts.models import Region
from oreledger.alerts.choices import DecisionKind
from oreledger.alerts.models import Case
from oreledger.core.cells import shown
from oreledger.core.listing import Column
from oreledger.dashboards.models import DailyRollup
from oreledger.quotas.choices import AccountLevel
from oreledger.quotas.models import QuotaAccount
from oreledger.registry.choices import PermitStatus, SiteKind
from oreledger.registry.models import Permit, validity_state
from oreledger.trade.queries import price_index, too_few_to_publish
from oreledger.weighing.choices import TicketKind

SUPPRESSED = "—"
TWO = Decimal("0.01")

LICENCE_STATES: dict[str, Promise] = {
    "valid": pgettext_lazy("licence status", "Valid"),
    "expiring": pgettext_lazy("licence status", "Expiring"),
    "expired": pgettext_lazy("licence status", "Expired"),
    "pending": pgettext_lazy("licence status", "Not yet valid"),
    PermitStatus.SUSPENDED: pgettext_lazy("licence status", "Suspended"),
    PermitStatus.REVOKED: pgettext_lazy("licence status", "Revoked"),
}
SITE_KINDS: dict[str, Promise] = {SiteKind.MINE: _("Mine"), SiteKind.PLANT: _("Plant")}


@dataclass(frozen=True)
class Field:
    """One published field: its API name, its header, and how a page shows its value."""

    key: str
    label: str | Promise
    numeric: bool = False
    # A figure that is None because too few enterprises make it up ("—"), not because empty.
    suppressible: bool = False
    # Codes (a status, a kind) are shown in the reader's words; the API keeps the code.
    terms: dict[str, Promise] | None = None

    def reader(self) -> Callable[[dict[str, Any]], Any]:
        """How a download's column reads this field from a row."""
        return lambda row: self.shown(row[self.key])

    def on_page(self, value: Any) -> Any:
        """The value as a page writes it: figures grouped by thousands ("6,000.00")."""
        if self.numeric and isinstance(value, int | Decimal) and not isinstance(value, bool):
            return f"{value:,}"
        return self.shown(value)

    def shown(self, value: Any) -> Any:
        """The value as a download writes it (and a page, unless it is a figure)."""
        if value is None:
            return SUPPRESSED if self.suppressible else ""
        if isinstance(value, bool):
            return shown(value)
        if self.terms is not None:
            return str(self.terms.get(value, value))
        return value


@dataclass(frozen=True)
class PublishedTable:
    """A table the public may read: its fields, its rows, and what a "—" means in it."""

    key: str
    title: str | Promise
    description: str | Promise
    fields: tuple[Field, ...]
    build: Callable[[], list[dict[str, Any]]]
    suppression: str | Promise = ""

    def rows(self) -> list[dict[str, Any]]:
        """The rows, each holding exactly the declared fields."""
        keys = [field.key for field in self.fields]
        return [{key: row[key] for key in keys} for row in self.build()]

    def columns(self) -> list[Column]:
        """The download's columns, one per published field."""
        return [
            Column(
                key=field.key,
                label=field.label,
                value=field.reader(),
                numeric=field.numeric,
            )
            for field in self.fields
        ]


def _name(zh: str, en: str) -> str:
    return zh if translation.get_language() in ("zh-hans", "zh-cn", "zh") or not en else en


def _tonnes(kg: int | None) -> Decimal | None:
    return None if kg is None else (Decimal(kg) / 1000).quantize(TWO)


class Counties:
    """County names by region path: a place below a county counts for its county."""

    def __init__(self) -> None:
        self.by_path = {
            path: (pk, zh, en)
            for pk, path, zh, en in Region.objects.filter(level=RegionLevel.COUNTY).values_list(
                "pk", "path", "name_zh", "name_en"
            )
        }

    def of(self, path: str) -> tuple[int, str, str] | None:
        """The county holding the region path, or None above county level."""
        for county_path, county in self.by_path.items():
            if path.startswith(county_path):
                return county
        return None

    def name(self, path: str) -> str:
        """The county's name in the reader's language ("" above county level)."""
        county = self.of(path)
        return _name(county[1], county[2]) if county else ""


def _licence_rows() -> list[dict[str, Any]]:
    today = timezone.localdate()
    counties = Counties()
    permits = (
        Permit.objects.filter(site__kind__in=list(SITE_KINDS))
        .select_related("site__region", "holder", "type")
        .order_by("holder__name", "site__name", "number")
    )
    rows = []
    for permit in permits:
        site = permit.site
        if site is None:  # the filter above asks for a site; this tells the type checker
            continue
        state = permit.status
        if state == PermitStatus.VALID:
            state = validity_state(permit.status, permit.valid_from, permit.valid_to, today)
        rows.append(
            {
                "enterprise": permit.holder.name,
                "site": site.name,
                "site_kind": site.kind,
                "county": counties.name(site.region.path),
                "licence": _name(permit.type.name_zh, permit.type.name_en),
                "number": permit.number,
                "valid_from": permit.valid_from,
                "valid_to": permit.valid_to,
                "status": state,
            }
        )
    return rows


def _price_rows(weeks: int = 12) -> list[dict[str, Any]]:
    index = price_index(weeks=weeks, public=True)
    rows = []
    for grade in index["grades"]:
        for week in grade["weeks"]:
            if not (week["approved_sellers"] or week["delivered_sellers"]):
                continue
            rows.append(
                {
                    "week": week["week"],
                    "grade": grade["grade"],
                    "grade_name": grade["name"],
                    "contracted_t": _tonnes(week["approved_kg"]),
                    "contracted_price": _price(week["approved_avg"]),
                    "delivered_t": _tonnes(week["delivered_kg"]),
                    "delivered_price": _price(week["delivered_avg"]),
                    "suppressed": any(
                        too_few_to_publish(week[f"{side}_sellers"])
                        for side in ("approved", "delivered")
                    ),
                }
            )
    return rows


def _price(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _output_rows() -> list[dict[str, Any]]:
    today = timezone.localdate()
    # From the first of January a year back, so that each month's year-to-date share is whole.
    first = datetime.date(today.year - 1, 1, 1)
    exits = Q(kind=TicketKind.EXIT, released=True)
    grouped = (
        DailyRollup.objects.filter(day__gte=first, day__lte=today, released=True)
        .annotate(month=TruncMonth("day"))
        .values("month", "county_id")
        .annotate(
            out_kg=Sum("net_kg", filter=exits),
            drawn_kg=Sum("drawn_kg"),
            enterprises=Count("enterprise_id", filter=exits, distinct=True),
        )
        .order_by("month", "county_id")
    )
    cells = list(grouped)
    names = {
        pk: _name(zh, en)
        for pk, zh, en in Region.objects.filter(
            pk__in={row["county_id"] for row in cells}
        ).values_list("pk", "name_zh", "name_en")
    }
    quotas: dict[tuple[int, int], int] = defaultdict(int)
    for year, region, kg in QuotaAccount.objects.filter(
        level=AccountLevel.COUNTY, period__year__gte=first.year
    ).values_list("period__year", "holder_region_id", "allocated_kg"):
        quotas[(year, region)] += kg
    year_to_date: dict[tuple[int, int], int] = defaultdict(int)
    rows = []
    for cell in cells:
        month = cell["month"]
        month = month.date() if isinstance(month, datetime.datetime) else month
        key = (month.year, cell["county_id"])
        year_to_date[key] += cell["drawn_kg"] or 0
        quota_kg = quotas.get(key)
        hidden = too_few_to_publish(cell["enterprises"])
        share = None
        if quota_kg and not hidden:
            share = (Decimal(year_to_date[key]) * 100 / Decimal(quota_kg)).quantize(Decimal("0.1"))
        rows.append(
            {
                "month": month.strftime("%Y-%m"),
                "county": names.get(cell["county_id"], ""),
                "output_t": None if hidden else _tonnes(cell["out_kg"] or 0),
                "sold_t": None if hidden else _tonnes(cell["drawn_kg"] or 0),
                "quota_t": _tonnes(quota_kg) if quota_kg else None,
                "quota_used_pct": share,
                "suppressed": hidden,
            }
        )
    return rows


def _decision_rows() -> list[dict[str, Any]]:
    counties = Counties()
    cases = (
        Case.objects.filter(published_at__isnull=False)
        .select_related("enterprise", "region")
        .order_by("-decided_at", "number")
    )
    return [
        {
            "number": case.number,
            "enterprise": case.enterprise.name if case.enterprise else "",
            "county": counties.name(case.region.path)
            or _name(case.region.name_zh, case.region.name_en),
            "violation": case.published_violation,
            "legal_basis": case.legal_basis,
            "decision": case.decision,
            "fine_yuan": case.fine_yuan,
            "decided_on": timezone.localtime(case.decided_at).date() if case.decided_at else None,
            "published_on": timezone.localtime(case.published_at).date(),
        }
        for case in cases
    ]


SUPPRESSION = _(
    "— : fewer than three enterprises make up this figure, so it is not published "
    "(it could identify one of them)."
)

TABLES: dict[str, PublishedTable] = {
    table.key: table
    for table in (
        PublishedTable(
            key="licences",
            title=_("Licensed mines and plants"),
            description=_("Every licence of a mine or a plant and its status today."),
            fields=(
                Field("enterprise", _("Enterprise")),
                Field("site", _("Mine or plant")),
                Field("site_kind", _("Kind"), terms=SITE_KINDS),
                Field("county", _("County")),
                Field("licence", _("Licence")),
                Field("number", _("Licence number")),
                Field("valid_from", _("Valid from")),
                Field("valid_to", _("Valid to")),
                Field("status", _("Status"), terms=LICENCE_STATES),
            ),
            build=_licence_rows,
        ),
        PublishedTable(
            key="prices",
            title=_("Weekly price index by grade"),
            description=_(
                "Tonnage-weighted average price (yuan/t) by grade and week: of contracts "
                "approved in the week and of ore delivered in the week."
            ),
            fields=(
                Field("week", _("Week")),
                Field("grade", _("Grade")),
                Field("grade_name", _("Grade name")),
                Field("contracted_t", _("Contracted (t)"), numeric=True, suppressible=True),
                Field(
                    "contracted_price",
                    _("Contracted average (yuan/t)"),
                    numeric=True,
                    suppressible=True,
                ),
                Field("delivered_t", _("Delivered (t)"), numeric=True, suppressible=True),
                Field(
                    "delivered_price",
                    _("Delivered average (yuan/t)"),
                    numeric=True,
                    suppressible=True,
                ),
                Field("suppressed", _("Partly suppressed")),
            ),
            build=_price_rows,
            suppression=SUPPRESSION,
        ),
        PublishedTable(
            key="output",
            title=_("Monthly output and sales by county"),
            description=_(
                "Ore leaving the mines (released mine exits) and ore sold under contract "
                "(drawn from quota) per county and month, against the county's annual quota."
            ),
            fields=(
                Field("month", _("Month")),
                Field("county", _("County")),
                Field("output_t", _("Output (t)"), numeric=True, suppressible=True),
                Field("sold_t", _("Sold under contract (t)"), numeric=True, suppressible=True),
                Field("quota_t", _("Annual quota (t)"), numeric=True),
                Field(
                    "quota_used_pct", _("Quota used this year (%)"), numeric=True, suppressible=True
                ),
                Field("suppressed", _("Suppressed")),
            ),
            build=_output_rows,
            suppression=SUPPRESSION,
        ),
        PublishedTable(
            key="decisions",
            title=_("Published enforcement decisions"),
            description=_(
                "Administrative penalty decisions the province chose to publish (行政处罚公示)."
            ),
            fields=(
                Field("number", _("Case number")),
                Field("enterprise", _("Enterprise")),
                Field("county", _("County")),
                Field("violation", _("Violation")),
                Field("legal_basis", _("Legal basis")),
                Field("decision", _("Decision"), terms=dict(DecisionKind.choices)),
                Field("fine_yuan", _("Fine (yuan)"), numeric=True),
                Field("decided_on", _("Decided on")),
                Field("published_on", _("Published on")),
            ),
            build=_decision_rows,
        ),
    )
}
