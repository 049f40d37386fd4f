"""The accounts' sheets of the province bundle (regions, users): their columns and importers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oreledger.accounts.choices import LEVEL_DEPTH, RegionLevel, Role
from oreledger.accounts.models import ApiToken, Department, DepartmentKind, Region, User
from oreledger.accounts.services import department_for, issue_api_token
from oreledger.core import bundle_columns as col
from oreledger.core.bundle import (
    ImportContext,
    Planned,
    Progress,
    References,
    SecretOutput,
    SheetImporter,
    SheetOutcome,
    apply_plans,
    chunks,
    load_by,
    plan_row,
    register_sheet_importer,
)
from oreledger.core.workbook import ParsedRow, SheetSchema

__all__ = [
    "REGIONS",
    "USERS",
    "RegionImporter",
    "UserImporter",
    "check_length",
    "county_centre",
    "department_kind",
    "department_of",
    "existing_department",
    "region_by_id",
    "region_of",
    "region_refs",
    "resolve_region",
]

# The spec's vocabularies (core.bundle_columns says why they are not the models').
REGION_LEVELS = ("province", "city", "county", "town")
USER_ROLES = (
    "province_office",
    "county_operator",
    "department_officer",
    "leader",
    "enterprise_user",
)

REGIONS = SheetSchema(
    "regions",
    (
        col.text("code", "代码", is_key=True, max_length=col.REGION_CODE_LENGTH),
        col.text("name_zh", "名称", max_length=col.NAME_LENGTH),
        col.text("name_en", "英文名称", required=False, max_length=col.NAME_LENGTH),
        col.choice("level", "级别", REGION_LEVELS),
        # Empty for the province at the root of the tree.
        col.region_code("parent_code", "上级代码", required=False),
    ),
)

USERS = SheetSchema(
    "users",
    (
        col.text("username", "用户名", is_key=True, max_length=150),
        col.text("display_name", "姓名", max_length=col.NAME_LENGTH),
        col.choice("role", "角色", USER_ROLES),
        # Which of the next three a row needs depends on its role; the importer checks that.
        col.region_code(required=False),
        col.text("department", "部门", required=False, max_length=col.CODE_LENGTH),
        col.uscc("enterprise_uscc", "企业信用代码", required=False),
        col.yes_no("api_token", "API令牌"),
    ),
)

GOVERNMENT_ROLES = (
    Role.PROVINCE_OFFICE,
    Role.COUNTY_OPERATOR,
    Role.DEPARTMENT_OFFICER,
    Role.LEADER,
)
# Who may hand out which role: nobody gives a role above their own.
ROLE_RANK: dict[str, int] = {
    Role.PROVINCE_OFFICE: 3,
    Role.COUNTY_OPERATOR: 2,
    Role.DEPARTMENT_OFFICER: 1,
    Role.LEADER: 1,
    Role.ENTERPRISE_USER: 0,
}


def region_refs(ctx: ImportContext) -> References:
    """Regions by code: every region of the database (a small table), plus planned ones."""
    refs = ctx.references("regions")
    if "regions_by_id" not in ctx.cache:
        by_id: dict[int, Region] = {}
        for region in Region.objects.all():
            refs.known.setdefault(region.code, region)
            by_id[region.pk] = region
        ctx.cache["regions_by_id"] = by_id
    return refs


def region_by_id(ctx: ImportContext, region_id: int | None) -> Region | None:
    """A region already in the database, by primary key."""
    region_refs(ctx)
    by_id: dict[int, Region] = ctx.cache["regions_by_id"]
    return by_id.get(region_id) if region_id is not None else None


def region_of(ctx: ImportContext, obj: Any) -> Region:
    """A record's region without a query (saved regions by id, planned ones by instance)."""
    region = region_by_id(ctx, obj.region_id)
    return region if region is not None else obj.region


def resolve_region(ctx: ImportContext, row: ParsedRow, column: str, code: str) -> Region | None:
    """The region a cell names (in the database or earlier in the workbook)."""
    region_refs(ctx)
    message = _("Unknown region code %(code)s.") % {"code": code}
    region: Region | None = ctx.resolve(row, column, "regions", code, "unknown_region", message)
    return region


def parent_region(ctx: ImportContext, region: Region) -> Region | None:
    """The region's parent, from the import's lookups or as this workbook plans it."""
    if region.parent_id is None:
        # A planned region keeps its parent as an instance until it is saved.
        return region.parent if region.pk is None else None
    cached = region_by_id(ctx, region.parent_id)
    return cached if cached is not None else region.parent


def county_centre(ctx: ImportContext, region: Region) -> tuple[float, float] | None:
    """The lat/lon of the county a region lies in (or is), when the platform knows it."""
    cache: dict[str, tuple[float, float] | None] = ctx.cache.setdefault("county_centres", {})
    if region.code in cache:
        return cache[region.code]
    node: Region | None = region
    centre = None
    while node is not None and node.level != RegionLevel.COUNTY:
        node = parent_region(ctx, node) if node.level == RegionLevel.TOWN else None
    if node is not None and node.lat is not None and node.lon is not None:
        centre = (float(node.lat), float(node.lon))
    cache[region.code] = centre
    return centre


def check_length(
    ctx: ImportContext, row: ParsedRow, model: type[Any], limits: dict[str, str]
) -> bool:
    """The model's max_length for each (field → column); False after reporting an overlong one."""
    ok = True
    for field_name, column in limits.items():
        value = row.values.get(column)
        limit = model._meta.get_field(field_name).max_length
        if value is not None and len(value) > limit:
            ctx.error(
                row,
                column,
                "too_long",
                _("Too long: %(length)d characters, at most %(max)d.")
                % {"length": len(value), "max": limit},
            )
            ok = False
    return ok


def department_kind(ctx: ImportContext, row: ParsedRow, column: str, code: str) -> bool:
    """Whether a department kind code exists (reported when not)."""
    kinds: dict[str, DepartmentKind] = ctx.cache.get("department_kinds") or {}
    if not kinds:
        kinds = {kind.code: kind for kind in DepartmentKind.objects.all()}
        ctx.cache["department_kinds"] = kinds
    if code in kinds:
        return True
    ctx.error(row, column, "unknown_department", _("Unknown department %(code)s.") % {"code": code})
    return False


def existing_department(ctx: ImportContext, kind_code: str, region: Region) -> Department | None:
    """The department of a kind in a region if it already exists (None for a planned region)."""
    departments: dict[tuple[str, int], Department] | None = ctx.cache.get("departments")
    if departments is None:
        departments = {
            (dept.kind.code, dept.region_id): dept
            for dept in Department.objects.select_related("kind")
        }
        ctx.cache["departments"] = departments
    if region.pk is None:
        return None
    return departments.get((kind_code, region.pk))


def department_of(ctx: ImportContext, kind_code: str, region: Region) -> Department:
    """The department of a kind in a (saved) region, created on first use; apply stage only."""
    found = existing_department(ctx, kind_code, region)
    if found is None:
        found = department_for(kind_code=kind_code, region=region)
        ctx.cache["departments"][(kind_code, region.pk)] = found
    return found


def _clean_errors(ctx: ImportContext, row: ParsedRow, exc: ValidationError, columns: dict) -> None:
    for field_name, messages in exc.message_dict.items():
        for message in messages:
            ctx.error(row, columns.get(field_name, field_name), "invalid", message)


class RegionImporter(SheetImporter):
    """The regions sheet: the GB/T 2260 tree."""

    schema = REGIONS
    order = 100

    def validate(self, rows: list[ParsedRow], ctx: ImportContext) -> None:
        """Parents exist and sit a level higher; codes are well formed; all within scope."""
        refs = region_refs(ctx)
        existing = {code: r for code, r in refs.known.items() if r.pk is not None}
        plans: list[Planned] = []
        for row in rows:
            if not row.valid and row.values.get("code"):
                refs.broken.add(row.values["code"])
        ordered = sorted(
            (row for row in rows if row.valid),
            key=lambda row: LEVEL_DEPTH[RegionLevel(row.values["level"])],
        )
        for row in ordered:
            plan = self._plan(row, ctx, existing.get(row.values["code"]))
            if plan is None:
                refs.broken.add(row.values["code"])
                continue
            refs.known[row.values["code"]] = plan.obj
            plans.append(plan)
        ctx.cache["plans:regions"] = plans

    def _plan(self, row: ParsedRow, ctx: ImportContext, region: Region | None) -> Planned | None:
        v = row.values
        code, level = v["code"], v["level"]
        parent = None
        if v["parent_code"]:
            parent = resolve_region(ctx, row, "parent_code", v["parent_code"])
            if parent is None:
                return None
        if (level == RegionLevel.PROVINCE) != (parent is None):
            ctx.error(
                row,
                "parent_code",
                "region_parent",
                _("A province has no parent region; every other region needs one."),
            )
            return None
        try:
            Region(code=code, level=level, parent=parent).clean()
        except ValidationError as exc:
            _clean_errors(ctx, row, exc, {"code": "code", "parent": "parent_code"})
            return None
        if not check_length(ctx, row, Region, {"name_zh": "name_zh", "name_en": "name_en"}):
            return None
        path = f"{parent.path if parent else '/'}{code}/"
        if not ctx.in_scope(path) or (region is not None and not ctx.in_scope(region.path)):
            ctx.outside(row, "code")
            return None
        values = {
            "name_zh": v["name_zh"],
            "name_en": v["name_en"] or "",
            "level": level,
            "parent": parent,
            "path": path,
        }
        return plan_row(row, region, Region, {"code": code, **values} if region is None else values)

    def apply(self, rows: list[ParsedRow], ctx: ImportContext, progress: Progress) -> SheetOutcome:
        """Create level by level (parents first); re-root the paths below a moved region."""
        plans: list[Planned] = ctx.cache["plans:regions"]
        moved = {
            p.before["path"]: p.obj.path
            for p in plans
            if p.before and p.before["path"] != p.obj.path
        }
        outcome = SheetOutcome()
        done = 0

        def overall(sheet: str, done_here: int, _total: int) -> None:
            progress(sheet, done + done_here, len(plans))

        for depth in sorted(set(LEVEL_DEPTH.values())):
            level_plans = [p for p in plans if LEVEL_DEPTH[RegionLevel(p.obj.level)] == depth]
            result = apply_plans(
                level_plans,
                ctx,
                overall,
                "regions",
                fields=["name_zh", "name_en", "level", "parent", "path"],
            )
            done += len(level_plans)
            outcome.created += result.created
            outcome.updated += result.updated
            outcome.unchanged += result.unchanged
        if moved:
            in_sheet = {p.obj.pk for p in plans}
            for old, new in sorted(moved.items()):
                below = Region.objects.filter(path__startswith=old).exclude(pk__in=in_sheet)
                for region in below:
                    region.path = new + region.path[len(old) :]
                    region.save(update_fields=["path"])
        return outcome


class UserImporter(SheetImporter):
    """The users sheet: people, their roles and jurisdictions, and API tokens."""

    schema = USERS
    order = 300
    depends_on = ("regions", "enterprises")
    secret_output = SecretOutput("tokens", gettext_lazy("API token of"))

    def validate(self, rows: list[ParsedRow], ctx: ImportContext) -> None:
        """Each role has what it needs; no role above the importer's; all within scope."""
        valid = [row for row in rows if row.valid]
        existing = load_by(
            User.objects.all(), "username", [row.values["username"] for row in valid]
        )
        enterprises = ctx.refer("enterprises", [row.values["enterprise_uscc"] for row in valid])
        with_token: set[int] = set()
        ids = [u.pk for u in existing.values()]
        for part in chunks(ids):
            with_token.update(
                ApiToken.objects.filter(user_id__in=part, revoked_at__isnull=True).values_list(
                    "user_id", flat=True
                )
            )
        actor_rank = ROLE_RANK.get(str(getattr(ctx.actor, "role", "")), 3)
        if ctx.actor is None or getattr(ctx.actor, "is_superuser", False):
            actor_rank = 3
        plans: list[tuple[Planned, str | None, bool]] = []
        for row in valid:
            planned = self._plan(
                row, ctx, existing.get(row.values["username"]), enterprises, actor_rank
            )
            if planned is None:
                continue
            plan, pending_kind = planned
            user = plan.obj
            wants_token = bool(row.values["api_token"]) and (
                plan.action == "create" or user.pk not in with_token
            )
            if pending_kind and plan.action == "unchanged":
                plan.action = "update"
            if plan.action == "create":
                user.set_unusable_password()
            plans.append((plan, pending_kind, wants_token))
        ctx.cache["plans:users"] = plans

    def _plan(
        self,
        row: ParsedRow,
        ctx: ImportContext,
        user: User | None,
        enterprises: References,
        actor_rank: int,
    ) -> tuple[Planned, str | None] | None:
        v = row.values
        ok = True
        try:
            UnicodeUsernameValidator()(v["username"])
        except ValidationError as exc:
            for message in exc.messages:
                ctx.error(row, "username", "invalid", message)
            ok = False
        ok = check_length(ctx, row, User, {"display_name": "display_name"}) and ok
        role = v["role"]
        region = (
            resolve_region(ctx, row, "region_code", v["region_code"]) if v["region_code"] else None
        )
        enterprise = None
        if v["enterprise_uscc"]:
            enterprise = ctx.resolve(
                row,
                "enterprise_uscc",
                "enterprises",
                v["enterprise_uscc"].upper(),
                "unknown_enterprise",
                _("Unknown enterprise %(uscc)s.") % {"uscc": v["enterprise_uscc"]},
            )
        if v["department"] and not department_kind(ctx, row, "department", v["department"]):
            ok = False
        if role in GOVERNMENT_ROLES and not v["region_code"]:
            ctx.error(row, "region_code", "required", _("This role needs a region."))
        if role == Role.DEPARTMENT_OFFICER and not v["department"]:
            ctx.error(row, "department", "required", _("A department officer needs a department."))
        if role == Role.ENTERPRISE_USER and not v["enterprise_uscc"]:
            ctx.error(
                row, "enterprise_uscc", "required", _("An enterprise user needs an enterprise.")
            )
        if not ok or not row.valid:
            return None
        if ROLE_RANK[Role(role)] > actor_rank:
            ctx.error(
                row,
                "role",
                "outside_jurisdiction",
                _("You may not give the role %(role)s.") % {"role": Role(role).label},
            )
            return None
        if ctx.scope is not None and not self._in_scope(ctx, user, region, enterprise, actor_rank):
            ctx.outside(row, "region_code" if region is not None else "enterprise_uscc")
            return None
        department, pending = None, None
        if v["department"] and region is not None:
            department = existing_department(ctx, v["department"], region)
            pending = v["department"] if department is None else None
        values = {
            "display_name": v["display_name"],
            "role": role,
            "region": region,
            "department": department,
            "enterprise": enterprise,
        }
        return plan_row(
            row, user, User, {"username": v["username"], **values} if user is None else values
        ), pending

    @staticmethod
    def _in_scope(
        ctx: ImportContext,
        user: User | None,
        region: Region | None,
        enterprise: Any,
        actor_rank: int,
    ) -> bool:
        paths = []
        if region is not None:
            paths.append(region.path)
        if enterprise is not None:
            paths.append(region_of(ctx, enterprise).path)
        if user is not None:
            if user.is_superuser or user.role not in ROLE_RANK:
                return False
            if ROLE_RANK[Role(user.role)] > actor_rank:
                return False
            current = region_by_id(ctx, user.region_id)
            if current is not None:
                paths.append(current.path)
            if user.enterprise is not None:
                paths.append(region_of(ctx, user.enterprise).path)
        return bool(paths) and all(ctx.in_scope(path) for path in paths)

    def apply(self, rows: list[ParsedRow], ctx: ImportContext, progress: Progress) -> SheetOutcome:
        """Save the people, then issue the tokens asked for (keys go to ctx.secrets)."""
        plans: list[tuple[Planned, str | None, bool]] = ctx.cache["plans:users"]
        pending = {id(plan): kind for plan, kind, _token in plans if kind}

        def resolve_departments(batch: Sequence[Planned]) -> None:
            for plan in batch:
                kind = pending.get(id(plan))
                if kind:
                    plan.obj.department = department_of(ctx, kind, plan.obj.region)

        outcome = apply_plans(
            [plan for plan, _kind, _token in plans],
            ctx,
            progress,
            "users",
            fields=["display_name", "role", "region", "department", "enterprise"],
            before_save=resolve_departments,
        )
        for plan, _kind, wants_token in plans:
            if wants_token:
                ctx.secrets["tokens"][plan.obj.username] = issue_api_token(
                    actor=ctx.actor, user=plan.obj, name="bundle"
                )
                if plan.action == "unchanged":
                    outcome.unchanged -= 1
                    outcome.updated += 1
        return outcome


register_sheet_importer(RegionImporter())
register_sheet_importer(UserImporter())
