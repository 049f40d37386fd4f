"""Importers of the registry's bundle sheets (enterprises, sites, stations, vehicles, permits)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oreledger.accounts.bundle import (
    check_length,
    county_centre,
    department_kind,
    department_of,
    existing_department,
    region_of,
    resolve_region,
)
from oreledger.accounts.models import Region
from oreledger.core.bundle import (
    ImportContext,
    Planned,
    Progress,
    References,
    SecretOutput,
    SheetImporter,
    SheetOutcome,
    apply_plans,
    load_by,
    plan_row,
)
from oreledger.core.distance import haversine_km
from oreledger.core.workbook import ParsedRow
from oreledger.registry import secrets
from oreledger.registry.bundle.sheets import ENTERPRISES, PERMITS, SITES, STATIONS, VEHICLES
from oreledger.registry.choices import VehicleStatus
from oreledger.registry.geometry import parse_boundary, within_radius
from oreledger.registry.identifiers import validate_plate, validate_uscc
from oreledger.registry.jobs import mark_permit_states
from oreledger.registry.models import (
    Enterprise,
    Permit,
    PermitType,
    Site,
    Station,
    Vehicle,
    parse_hours,
)

__all__ = [
    "EnterpriseImporter",
    "PermitImporter",
    "SiteImporter",
    "StationImporter",
    "VehicleImporter",
]

# A site or station farther than this from its county's centre is almost surely mistyped.
MAX_KM_FROM_COUNTY = 60
MAX_TARE_KG = 100_000
_COORDINATE = DecimalValidator(max_digits=9, decimal_places=6)


def _enterprise(ctx: ImportContext, row: ParsedRow, column: str) -> Enterprise | None:
    uscc = row.values[column]
    message = _("Unknown enterprise %(uscc)s.") % {"uscc": uscc}
    found: Enterprise | None = ctx.resolve(
        row, column, "enterprises", uscc.upper(), "unknown_enterprise", message
    )
    return found


def _site(ctx: ImportContext, row: ParsedRow, column: str) -> Site | None:
    code = row.values[column]
    message = _("Unknown site %(code)s.") % {"code": code}
    found: Site | None = ctx.resolve(row, column, "sites", code, "unknown_site", message)
    return found


def _coordinates(ctx: ImportContext, row: ParsedRow, region: Region | None) -> bool:
    ok = True
    for column in ("lat", "lon"):
        try:
            _COORDINATE(row.values[column])
        except ValidationError as exc:
            ctx.error(row, column, "invalid", exc.messages[0])
            ok = False
    if not ok or region is None:
        return ok
    centre = county_centre(ctx, region)
    lat, lon = float(row.values["lat"]), float(row.values["lon"])
    if centre is not None and haversine_km(lat, lon, *centre) > MAX_KM_FROM_COUNTY:
        ctx.error(row, "lat", "too_far", _too_far())
        return False
    return True


def _too_far() -> str:
    return _(
        "More than %(km)d km from the centre of its county: check the coordinates "
        "(latitude, longitude)."
    ) % {"km": MAX_KM_FROM_COUNTY}


def _whole(ctx: ImportContext, row: ParsedRow, column: str) -> int | None:
    value: Decimal | None = row.values[column]
    if value is None:
        return None
    if value != value.to_integral_value():
        ctx.error(row, column, "not_whole", _("Give a whole number."))
        return None
    return int(value)


def _scoped(ctx: ImportContext, row: ParsedRow, column: str, *regions: Region | None) -> bool:
    return ctx.within(row, column, *regions)


def _skip_failed(rows: Sequence[ParsedRow], refs: References, key: Callable[[ParsedRow], Any]):
    """The rows that read cleanly; the keys of the others are marked broken."""
    valid = []
    for row in rows:
        if row.valid:
            valid.append(row)
        elif key(row):
            refs.broken.add(key(row))
    return valid


def _finish(row: ParsedRow, refs: References, key: Any, plan: Planned | None, out: list) -> None:
    if plan is None or not row.valid:
        refs.broken.add(key)
    else:
        refs.known[key] = plan.obj
        out.append(plan)


class EnterpriseImporter(SheetImporter):
    """The enterprises sheet, keyed by unified social credit code."""

    schema = ENTERPRISES
    order = 200
    depends_on = ("regions",)

    def reference_key(self, value: Any) -> Hashable:
        """Credit codes are matched in capitals."""
        return str(value).upper()

    def saved(self, keys: list[Hashable]) -> dict[Hashable, Any]:
        """Enterprises by credit code."""
        return load_by(Enterprise.objects, "uscc", keys)

    def validate(self, rows: list[ParsedRow], ctx: ImportContext) -> None:
        """GB 32100 checksums, known regions, and the importer's jurisdiction."""
        refs = ctx.references("enterprises")
        valid = _skip_failed(rows, refs, lambda r: (r.values["uscc"] or "").upper())
        existing = load_by(Enterprise.objects, "uscc", [r.values["uscc"].upper() for r in valid])
        plans: list[Planned] = []
        for row in valid:
            v = row.values
            key = v["uscc"].upper()
            plan = None
            try:
                validate_uscc(v["uscc"])
            except ValidationError as exc:
                ctx.error(row, "uscc", exc.code or "invalid", exc.messages[0])
            region = resolve_region(ctx, row, "region_code", v["region_code"])
            check_length(ctx, row, Enterprise, {"name": "name", "legal_rep": "legal_rep"})
            current = existing.get(key)
            if row.valid and _scoped(
                ctx, row, "region_code", region, current and region_of(ctx, current)
            ):
                values = {
                    "name": v["name"],
                    "kind": v["kind"],
                    "industry": v["industry"],
                    "region": region,
                    "legal_rep": v["legal_rep"] or "",
                    "status": v["status"],
                }
                plan = plan_row(
                    row, current, Enterprise, {"uscc": key, **values} if current is None else values
                )
            _finish(row, refs, key, plan, plans)
        ctx.cache["plans:enterprises"] = plans

    def apply(self, rows: list[ParsedRow], ctx: ImportContext, progress: Progress) -> SheetOutcome:
        """Create and update in batches, with history."""
        return apply_plans(
            ctx.cache["plans:enterprises"],
            ctx,
            progress,
            "enterprises",
            fields=["name", "kind", "industry", "region", "legal_rep", "status"],
        )


class SiteImporter(SheetImporter):
    """The sites sheet: mines, plants and yards with their boundaries and hours."""

    schema = SITES
    order = 400
    depends_on = ("regions", "enterprises")

    def saved(self, keys: list[Hashable]) -> dict[Hashable, Any]:
        """Sites by code."""
        return load_by(Site.objects, "code", keys)

    def validate(self, rows: list[ParsedRow], ctx: ImportContext) -> None:
        """Owner and region known; coordinates, boundary and hours valid and near the county."""
        refs = ctx.references("sites")
        valid = _skip_failed(rows, refs, lambda r: r.values["code"])
        existing = load_by(Site.objects, "code", [r.values["code"] for r in valid])
        ctx.refer("enterprises", [r.values["enterprise_uscc"] for r in valid])
        owners: dict[str, Enterprise] = ctx.cache.setdefault("site_owners", {})
        plans: list[Planned] = []
        for row in valid:
            v = row.values
            plan = None
            check_length(ctx, row, Site, {"code": "code", "name": "name"})
            enterprise = _enterprise(ctx, row, "enterprise_uscc")
            region = resolve_region(ctx, row, "region_code", v["region_code"])
            _coordinates(ctx, row, region)
            boundary = self._boundary(ctx, row, region)
            capacity = _whole(ctx, row, "capacity_t")
            hours = (360, 1320)
            if v["permitted_hours"]:
                try:
                    hours = parse_hours(v["permitted_hours"])
                except ValidationError as exc:
                    ctx.error(row, "permitted_hours", "hours_format", exc.messages[0])
            current = existing.get(v["code"])
            if row.valid and _scoped(
                ctx, row, "region_code", region, current and region_of(ctx, current)
            ):
                values = {
                    "enterprise": enterprise,
                    "kind": v["kind"],
                    "name": v["name"],
                    "region": region,
                    "lat": v["lat"],
                    "lon": v["lon"],
                    "boundary": boundary,
                    "capacity_t": capacity,
                    "hours_from": hours[0],
                    "hours_to": hours[1],
                    "status": v["status"],
                }
                plan = plan_row(
                    row, current, Site, {"code": v["code"], **values} if current is None else values
                )
                owners[v["code"]] = enterprise  # type: ignore[assignment]
            _finish(row, refs, v["code"], plan, plans)
        ctx.cache["plans:sites"] = plans

    @staticmethod
    def _boundary(ctx: ImportContext, row: ParsedRow, region: Region | None) -> Any:
        raw = row.values["boundary"]
        if raw in (None, ""):
            return None
        try:
            boundary = parse_boundary(raw)
        except ValidationError as exc:
            ctx.error(row, "boundary", exc.code or "invalid", exc.messages[0])
            return None
        centre = county_centre(ctx, region) if region is not None else None
        if centre is not None and not within_radius(boundary, *centre, MAX_KM_FROM_COUNTY):
            ctx.error(row, "boundary", "too_far", _too_far())
        return boundary

    def apply(self, rows: list[ParsedRow], ctx: ImportContext, progress: Progress) -> SheetOutcome:
        """Create and update in batches, with history."""
        return apply_plans(
            ctx.cache["plans:sites"],
            ctx,
            progress,
            "sites",
            fields=[
                "enterprise",
                "kind",
                "name",
                "region",
                "lat",
                "lon",
                "boundary",
                "capacity_t",
                "hours_from",
                "hours_to",
                "status",
            ],
        )


class StationImporter(SheetImporter):
    """The stations sheet: weighbridges; a new one gets a platform-made secret."""

    schema = STATIONS
    order = 500
    depends_on = ("regions", "sites")
    secret_output = SecretOutput("stations", gettext_lazy("Station"))

    def validate(self, rows: list[ParsedRow], ctx: ImportContext) -> None:
        """Guarded site and region known; coordinates near the county; within scope."""
        refs = ctx.references("stations")
        valid = _skip_failed(rows, refs, lambda r: r.values["code"])
        existing = load_by(Station.objects, "code", [r.values["code"] for r in valid])
        ctx.refer("sites", [r.values["site_code"] for r in valid])
        plans: list[Planned] = []
        for row in valid:
            v = row.values
            plan = None
            check_length(ctx, row, Station, {"code": "code", "name": "name"})
            site = _site(ctx, row, "site_code") if v["site_code"] else None
            region = resolve_region(ctx, row, "region_code", v["region_code"])
            _coordinates(ctx, row, region)
            current = existing.get(v["code"])
            if row.valid and _scoped(
                ctx, row, "region_code", region, current and region_of(ctx, current)
            ):
                values = {
                    "name": v["name"],
                    "site": site,
                    "region": region,
                    "lat": v["lat"],
                    "lon": v["lon"],
                }
                plan = plan_row(
                    row,
                    current,
                    Station,
                    {"code": v["code"], **values} if current is None else values,
                )
            _finish(row, refs, v["code"], plan, plans)
        ctx.cache["plans:stations"] = plans

    def apply(self, rows: list[ParsedRow], ctx: ImportContext, progress: Progress) -> SheetOutcome:
        """New stations get a secret (stored encrypted, shown once); others keep theirs."""

        def issue_secrets(batch: Sequence[Planned]) -> None:
            for plan in batch:
                if plan.action == "create":
                    secret = secrets.new_secret()
                    plan.obj.secret_encrypted = secrets.encrypt(secret)
                    ctx.secrets["stations"][plan.obj.code] = secret

        return apply_plans(
            ctx.cache["plans:stations"],
            ctx,
            progress,
            "stations",
            fields=["name", "site", "region", "lat", "lon"],
            before_save=issue_secrets,
        )


class VehicleImporter(SheetImporter):
    """The vehicles sheet: trucks by plate with their registered tare."""

    schema = VEHICLES
    order = 600
    depends_on = ("enterprises",)

    def validate(self, rows: list[ParsedRow], ctx: ImportContext) -> None:
        """Plates valid and unique once normalised; owner known; tare in range."""
        refs = ctx.references("vehicles")
        valid = _skip_failed(rows, refs, lambda r: r.values["plate"])
        plates: dict[int, str] = {}
        first: dict[str, int] = {}
        for row in valid:
            try:
                plate = validate_plate(row.values["plate"])
            except ValidationError as exc:
                ctx.error(row, "plate", exc.code or "invalid", exc.messages[0])
                continue
            if first.setdefault(plate, row.row) != row.row:
                message = _("The key (%(keys)s) repeats row %(row)d.") % {
                    "keys": "plate",
                    "row": first[plate],
                }
                ctx.error(row, "plate", "duplicate_key", message)
                continue
            plates[row.row] = plate
        queryset = Vehicle.objects.select_related("owner") if ctx.scope else Vehicle.objects
        existing = load_by(queryset, "plate", plates.values())
        ctx.refer("enterprises", [r.values["owner_uscc"] for r in valid])
        plans: list[Planned] = []
        for row in valid:
            v = row.values
            plan = None
            owner = _enterprise(ctx, row, "owner_uscc")
            if v["tare_kg"] >= MAX_TARE_KG:
                ctx.error(row, "tare_kg", "tare_range", _("A registered tare is under 100,000 kg."))
            normalised = plates.get(row.row)
            current = existing.get(normalised)
            # Only a scoped import needs the current owner (select_related loaded it then).
            was = current.owner if ctx.scope and current is not None and current.owner_id else None
            if row.valid and _scoped(
                ctx,
                row,
                "owner_uscc",
                region_of(ctx, owner) if owner is not None else None,
                region_of(ctx, was) if was is not None else None,
            ):
                values: dict[str, Any] = {
                    "owner": owner,
                    "axles": v["axles"],
                    "tare_kg": v["tare_kg"],
                    "status": v["status"],
                }
                reason = current.blacklist_reason if current is not None else ""
                if v["status"] == VehicleStatus.BLACKLISTED and not reason:
                    # The bundle has no reason column; the model needs one for a blacklisting.
                    values["blacklist_reason"] = _("Blacklisted in the province bundle.")
                plan = plan_row(
                    row,
                    current,
                    Vehicle,
                    {"plate": normalised, **values} if current is None else values,
                )
            _finish(row, refs, normalised or v["plate"], plan, plans)
        ctx.cache["plans:vehicles"] = plans

    def apply(self, rows: list[ParsedRow], ctx: ImportContext, progress: Progress) -> SheetOutcome:
        """Create and update in batches, with history."""
        return apply_plans(
            ctx.cache["plans:vehicles"],
            ctx,
            progress,
            "vehicles",
            fields=["owner", "axles", "tare_kg", "status", "blacklist_reason"],
        )


class PermitImporter(SheetImporter):
    """The permits sheet: who issued what to whom, valid when."""

    schema = PERMITS
    order = 700
    depends_on = ("regions", "enterprises", "sites")

    def validate(self, rows: list[ParsedRow], ctx: ImportContext) -> None:
        """Type, holder, site, department and region known and consistent; validity ordered."""
        refs = ctx.references("permits")
        valid = _skip_failed(rows, refs, lambda r: r.values["number"])
        existing = load_by(Permit.objects, "number", [r.values["number"] for r in valid])
        ctx.refer("enterprises", [r.values["holder_uscc"] for r in valid])
        ctx.refer("sites", [r.values["site_code"] for r in valid])
        types = {t.code: t for t in PermitType.objects.select_related("department_kind")}
        plans: list[tuple[Planned, str | None]] = []
        for row in valid:
            v = row.values
            check_length(ctx, row, Permit, {"number": "number", "mineral": "mineral"})
            permit_type = types.get(v["type"])
            if permit_type is None:
                ctx.error(
                    row,
                    "type",
                    "unknown_permit_type",
                    _("Unknown permit type %(code)s.") % {"code": v["type"]},
                )
            holder = _enterprise(ctx, row, "holder_uscc")
            site = _site(ctx, row, "site_code") if v["site_code"] else None
            if site is not None and holder is not None and not self._owns(ctx, holder, site):
                ctx.error(
                    row,
                    "site_code",
                    "site_not_holders",
                    _("The site does not belong to the permit holder."),
                )
            known_kind = department_kind(ctx, row, "department", v["department"])
            if known_kind and permit_type and permit_type.department_kind.code != v["department"]:
                ctx.error(
                    row,
                    "department",
                    "department_mismatch",
                    _("A %(type)s is issued by the %(department)s department.")
                    % {"type": permit_type, "department": permit_type.department_kind},
                )
            region = resolve_region(ctx, row, "region_code", v["region_code"])
            if v["valid_to"] < v["valid_from"]:
                ctx.error(
                    row,
                    "valid_to",
                    "validity_reversed",
                    _("The end of validity is before its start."),
                )
            scope_t = _whole(ctx, row, "scope_t")
            current = existing.get(v["number"])
            if not (
                row.valid
                and region is not None
                and _scoped(ctx, row, "region_code", region, current and region_of(ctx, current))
            ):
                refs.broken.add(v["number"])
                continue
            department = existing_department(ctx, v["department"], region)
            values = {
                "type": permit_type,
                "holder": holder,
                "site": site,
                "department": department,
                "region": region,
                "valid_from": v["valid_from"],
                "valid_to": v["valid_to"],
                "status": v["status"],
                "scope_t": scope_t,
                "mineral": v["mineral"] or "",
            }
            plan = plan_row(
                row,
                current,
                Permit,
                {"number": v["number"], **values} if current is None else values,
            )
            pending = v["department"] if department is None else None
            if pending and plan.action == "unchanged":
                plan.action = "update"
            refs.known[v["number"]] = plan.obj
            plans.append((plan, pending))
        ctx.cache["plans:permits"] = plans

    @staticmethod
    def _owns(ctx: ImportContext, holder: Enterprise, site: Site) -> bool:
        planned_owner = ctx.cache.get("site_owners", {}).get(site.code)
        if planned_owner is not None:
            return planned_owner is holder or (
                holder.pk is not None and planned_owner.pk == holder.pk
            )
        return holder.pk is not None and site.enterprise_id == holder.pk

    def apply(self, rows: list[ParsedRow], ctx: ImportContext, progress: Progress) -> SheetOutcome:
        """Create and update in batches, with history; departments are made on first use."""
        plans: list[tuple[Planned, str | None]] = ctx.cache["plans:permits"]
        pending = {id(plan): kind for plan, kind in plans if kind}

        def resolve_departments(batch: Sequence[Planned]) -> None:
            for plan in batch:
                kind = pending.get(id(plan))
                if kind:
                    plan.obj.department = department_of(ctx, kind, plan.obj.region)

        outcome = apply_plans(
            [plan for plan, _kind in plans],
            ctx,
            progress,
            "permits",
            fields=[
                "type",
                "holder",
                "site",
                "department",
                "region",
                "valid_from",
                "valid_to",
                "status",
                "scope_t",
                "mineral",
            ],
            before_save=resolve_departments,
        )
        # Imported permits show their validity (valid / expiring / expired) at once, not
        # only after the nightly job.
        mark_permit_states(timezone.localdate())
        return outcome
