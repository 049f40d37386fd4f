"""The grading sheets of the province bundle (grades, assays): their columns and importers."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _

from oreledger.core import bundle_columns as col
from oreledger.core.audit import announce_changes, snapshot
from oreledger.core.bundle import (
    ImportContext,
    Progress,
    SheetImporter,
    SheetOutcome,
    register_sheet_importer,
)
from oreledger.core.models import ObjectChange
from oreledger.core.workbook import ParsedRow, SheetSchema
from oreledger.grading.errors import GradingError
from oreledger.grading.models import COMPONENTS, Assay, GradingStandard, impossibility
from oreledger.grading.services import GradeSpec, GradeTable, check_grade_table, publish_standard
from oreledger.registry.models import Site

GRADES = SheetSchema(
    "grades",
    (
        col.text("standard", "标准", is_key=True, max_length=col.CODE_LENGTH),
        col.text("code", "牌号", is_key=True, max_length=col.CODE_LENGTH),
        col.text("name_zh", "名称", max_length=col.NAME_LENGTH),
        col.integer("rank", "等级顺序", min_value=1),
        # Empty means the grade sets no limit on that component.
        col.percent("mgo_min", "氧化镁下限/%", required=False),
        col.percent("cao_max", "氧化钙上限/%", required=False),
        col.percent("sio2_max", "二氧化硅上限/%", required=False),
        col.percent("fe2o3_max", "三氧化二铁上限/%", required=False),
        col.percent("al2o3_max", "三氧化二铝上限/%", required=False),
        col.date("effective_from", "生效日期"),
    ),
)

ASSAYS = SheetSchema(
    "assays",
    (
        col.site_code("site_code", "场所", is_key=True),
        col.text("lot", "批次", is_key=True, max_length=col.CODE_LENGTH),
        col.date("sampled_on", "取样日期"),
        # MgO, CaO and SiO2 are what the grading standard classifies on.
        col.percent("mgo", "氧化镁/%", required=True),
        col.percent("cao", "氧化钙/%", required=True),
        col.percent("sio2", "二氧化硅/%", required=True),
        col.percent("fe2o3", "三氧化二铁/%", required=False),
        col.percent("al2o3", "三氧化二铝/%", required=False),
        col.percent("loi", "烧失量/%", required=False),
        col.text("lab", "化验单位", required=False, max_length=col.NAME_LENGTH),
    ),
)

_CENT = Decimal("0.01")
_LIMITS = ("mgo_min", "cao_max", "sio2_max", "fe2o3_max", "al2o3_max")


def _percent(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)


def _spec(row: ParsedRow) -> GradeSpec:
    values = row.values
    limits: dict[str, Any] = {name: _percent(values.get(name)) for name in _LIMITS}
    return GradeSpec(code=values["code"], name_zh=values["name_zh"], rank=values["rank"], **limits)


def _actor_name(actor: Any) -> str:
    return actor.get_username() if getattr(actor, "is_authenticated", False) else "bundle import"


class GradesImporter(SheetImporter):
    """Each standard of the sheet is a version: new ones are published, old ones unchanged."""

    schema = GRADES
    order = 800

    def _by_standard(self, rows: list[ParsedRow]) -> dict[str, list[ParsedRow]]:
        groups: dict[str, list[ParsedRow]] = defaultdict(list)
        for row in rows:
            if row.valid:
                groups[row.values["standard"]].append(row)
        return groups

    def validate(self, rows: list[ParsedRow], ctx: ImportContext) -> None:
        """Same date per standard, a well-formed table, no rewritten or back-dated version."""
        groups = self._by_standard(rows)
        stored = {s.code: s for s in GradingStandard.objects.prefetch_related("grades")}
        latest = max((s.effective_from for s in stored.values()), default=None)
        today = timezone.localdate()
        for code, group in groups.items():
            dates = {row.values["effective_from"] for row in group}
            if len(dates) > 1:
                for row in group[1:]:
                    ctx.error(
                        row,
                        "effective_from",
                        "standard_dates_differ",
                        _("Every grade of a standard takes effect on the same date."),
                    )
                continue
            specs = [_spec(row) for row in group]
            try:
                check_grade_table(specs)
            except GradingError as problem:
                clash = [r for r in group if r.values["rank"] == problem.params.get("rank")]
                column = "rank" if problem.code == "grade_ranks_overlap" else "code"
                for row in clash[1:] or group[-1:]:
                    ctx.error(row, column, problem.code, problem.message)
                continue
            effective = dates.pop()
            existing = stored.get(code)
            if existing is not None:
                same = existing.effective_from == effective and {
                    GradeSpec(
                        g.code,
                        g.name_zh,
                        g.rank,
                        g.mgo_min,
                        g.cao_max,
                        g.sio2_max,
                        g.fe2o3_max,
                        g.al2o3_max,
                    )
                    for g in existing.grades.all()
                } == set(specs)
                if not same:
                    ctx.error(
                        group[0],
                        "standard",
                        "standard_exists",
                        _(
                            "The standard %(code)s is published already and cannot be "
                            "changed; publish a new version."
                        )
                        % {"code": code},
                    )
            elif latest is not None and (effective <= latest or effective <= today):
                ctx.error(
                    group[0],
                    "effective_from",
                    "standard_not_later",
                    _("A new version must take effect after %(date)s and after today.")
                    % {"date": latest.isoformat()},
                )

    def apply(self, rows: list[ParsedRow], ctx: ImportContext, progress: Progress) -> SheetOutcome:
        """Publish each new standard; leave published ones as they are."""
        outcome = SheetOutcome()
        groups = self._by_standard(rows)
        for code, group in sorted(groups.items(), key=lambda g: g[1][0].values["effective_from"]):
            _standard, created = publish_standard(
                actor=ctx.actor or "bundle import",
                code=code,
                effective_from=group[0].values["effective_from"],
                grades=[_spec(row) for row in group],
                today=group[0].values["effective_from"] - datetime.timedelta(days=1),
            )
            if created:
                outcome.created += len(group)
            else:
                outcome.unchanged += len(group)
        return outcome


def _components(row: ParsedRow) -> dict[str, Decimal | None]:
    return {name: _percent(row.values.get(name)) for name in COMPONENTS}


class AssaysImporter(SheetImporter):
    """Assays keyed by (site, lot); each graded under the standard in force on its date."""

    schema = ASSAYS
    order = 1000
    # Each assay is graded under the standard in force on its date, grades of this workbook
    # included.
    depends_on = ("sites", "grades")

    def validate(self, rows: list[ParsedRow], ctx: ImportContext) -> None:
        """The site exists (or is declared), is in scope, and the composition is possible."""
        codes = {row.values["site_code"] for row in rows if row.valid}
        known = dict(Site.objects.filter(code__in=codes).values_list("code", "region__path"))
        declared = ctx.declared.get("sites", {})
        today = timezone.localdate()
        for row in rows:
            if not row.valid:
                continue
            code = row.values["site_code"]
            if code not in known and (code,) not in declared:
                ctx.error(
                    row,
                    "site_code",
                    "site_unknown",
                    _("No site has the code %(code)s.") % {"code": code},
                )
                continue
            if code in known and not ctx.in_scope(known[code]):
                ctx.error(
                    row,
                    "site_code",
                    "outside_jurisdiction",
                    _("The site %(code)s lies outside your jurisdiction.") % {"code": code},
                )
                continue
            reason = impossibility(_components(row))
            if reason:
                ctx.error(row, "mgo", "assay_impossible", reason)
            elif row.values["sampled_on"] > today:
                ctx.error(
                    row, "sampled_on", "assay_in_future", _("The sampling date lies in the future.")
                )

    def apply(self, rows: list[ParsedRow], ctx: ImportContext, progress: Progress) -> SheetOutcome:
        """Create new assays, update changed ones with history, in bulk."""
        outcome = SheetOutcome()
        table = GradeTable.load()
        sites = {
            s.code: s for s in Site.objects.filter(code__in={r.values["site_code"] for r in rows})
        }
        existing = {
            (a.site_id, a.lot): a for a in Assay.objects.filter(site__in=list(sites.values()))
        }
        fresh: list[Assay] = []
        changed: list[tuple[Assay, dict[str, Any] | None]] = []
        for row in rows:
            site = sites[row.values["site_code"]]
            values = {
                **_components(row),
                "sampled_on": row.values["sampled_on"],
                "lab": row.values.get("lab") or "",
            }
            grade = table.classify(_components(row), row.values["sampled_on"])
            values["grade_id"] = grade.pk if grade else None
            assay = existing.get((site.pk, row.values["lot"]))
            if assay is None:
                fresh.append(Assay(site=site, lot=row.values["lot"], **values))
                continue
            if all(getattr(assay, key) == value for key, value in values.items()):
                outcome.unchanged += 1
                continue
            before = snapshot(assay)
            for key, value in values.items():
                setattr(assay, key, value)
            assay.bump_version()
            changed.append((assay, before))
        Assay.objects.bulk_create(fresh, batch_size=1000)
        if changed:
            Assay.objects.bulk_update(
                [a for a, _ in changed], [*COMPONENTS, "sampled_on", "lab", "grade", "version"]
            )
        outcome.created, outcome.updated = len(fresh), len(changed)
        audits: list[tuple[Assay, dict[str, Any] | None]] = [(a, None) for a in fresh]
        _bulk_audit(ctx.actor, audits + list(changed))
        return outcome


def _bulk_audit(actor: Any, changes: list[tuple[Assay, dict[str, Any] | None]]) -> None:
    content_type = ContentType.objects.get_for_model(Assay)
    is_person = getattr(actor, "is_authenticated", False)
    ObjectChange.objects.bulk_create(
        (
            ObjectChange(
                actor=actor if is_person else None,
                actor_name=_actor_name(actor)[:150],
                action=ObjectChange.Action.UPDATE if before else ObjectChange.Action.CREATE,
                content_type=content_type,
                object_id=str(assay.pk),
                object_repr=f"{assay.site.code} {assay.lot}"[:200],
                before=before,
                after=snapshot(assay),
            )
            for assay, before in changes
        ),
        batch_size=1000,
    )
    announce_changes([assay for assay, _ in changes], ObjectChange.Action.UPDATE)


register_sheet_importer(GradesImporter())
register_sheet_importer(AssaysImporter())
