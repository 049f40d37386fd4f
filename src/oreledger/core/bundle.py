"""The province-bundle importer's frame (docs/specs/province-bundle.md).

Each app registers a `SheetImporter` per sheet it owns (from its AppConfig.ready, in its
`bundle.py`): the sheet's columns, the sheets its rows refer to (`depends_on`), and the
secrets it creates, if any (`secret_output`). The frame knows no sheet of its own: it orders
the registered sheets so that every sheet comes after those it depends on, and refuses to
start on a circle or an unknown dependency. An import reads the whole workbook, validates
every sheet in that order — later sheets may refer to keys declared by earlier sheets of the
same workbook — and only if nothing is wrong applies every sheet inside one transaction.
Errors read `sheet!row: column: message`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections, models, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from oreledger.core.audit import announce_changes, snapshot
from oreledger.core.models import ImportRun, ObjectChange
from oreledger.core.permissions import in_node_region, other_region_message
from oreledger.core.sealing import seal
from oreledger.core.workbook import CellError, ParsedRow, SheetSchema, read_workbook

Progress = Callable[[str, int, int], None]
Stage = Callable[[str], None]
T = TypeVar("T")

# SQLite's default limit of bound parameters is far above this; Oracle's IN lists stop at 1000.
CHUNK = 900
BATCH = 1000


@dataclass
class SheetOutcome:
    """What applying one sheet did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportContext:
    """Everything importers share during one import."""

    actor: Any
    # The importing operator's region: rows outside it are refused. None for the command line.
    scope: Any = None
    dry_run: bool = False
    # sheet -> key tuple -> row, for the rows of this workbook (filled sheet by sheet).
    declared: dict[str, dict[tuple[Any, ...], ParsedRow]] = field(default_factory=dict)
    # Free space for importers' lookups (e.g. regions by code), shared across sheets.
    cache: dict[str, Any] = field(default_factory=dict)
    # Secrets created by this import (--secrets-out), by secret output: {"stations": {...},
    # "tokens": {...}}, one entry per output a registered sheet declares.
    secrets: dict[str, dict[str, str]] = field(
        default_factory=lambda: {output.name: {} for output in secret_outputs()}
    )
    errors: list[CellError] = field(default_factory=list)
    # name -> the keys a later sheet may refer to (records in the DB or planned by this import).
    refs: dict[str, References] = field(default_factory=dict)

    def error(self, row: ParsedRow, column: str, code: str, message: str) -> None:
        """Record one problem of a row (the row is marked invalid)."""
        row.valid = False
        self.errors.append(CellError(row.sheet, row.row, column, code, message))

    def in_scope(self, region_path: str) -> bool:
        """Whether a region (by path) lies in the importer's jurisdiction."""
        return self.scope is None or region_path.startswith(self.scope.path)

    def outside(self, row: ParsedRow, column: str) -> None:
        """Refuse a row that reaches outside the importer's jurisdiction."""
        self.error(
            row, column, "outside_jurisdiction", _("This record is outside your jurisdiction.")
        )

    def within(self, row: ParsedRow, column: str, *regions: Any) -> bool:
        """Whether every region given (None: unknown, skipped) lies in the importer's
        jurisdiction and, on a county node, in its county; if not the row is refused saying
        which (`other_region` names the row's region and the node's)."""
        for region in regions:
            if region is None:
                continue
            if not in_node_region(region.path):
                self.error(row, column, "other_region", other_region_message(region))
                return False
            if not self.in_scope(region.path):
                self.outside(row, column)
                return False
        return True

    def references(self, name: str) -> References:
        """The known keys of one kind of record (created on first use)."""
        if name not in self.refs:
            self.refs[name] = References()
        return self.refs[name]

    def refer(self, sheet: str, values: Iterable[Any]) -> References:
        """The records of `sheet` that these cells name: those this workbook plans, and the
        saved ones, looked up by the sheet's own importer (one query per chunk)."""
        importer = _IMPORTERS[sheet]
        refs = self.references(sheet)
        missing = refs.missing(importer.reference_key(value) for value in values if value)
        if missing:
            refs.known.update(importer.saved(missing))
        return refs

    def resolve(
        self, row: ParsedRow, column: str, name: str, key: Hashable, code: str, message: str
    ) -> Any | None:
        """The record a cell refers to; None (with an error, unless its own row failed)."""
        refs = self.references(name)
        found = refs.known.get(key)
        if found is not None:
            return found
        if key in refs.broken:
            # The referenced row already carries its error; one error per mistake.
            row.valid = False
            return None
        self.error(row, column, code, message)
        return None


@dataclass
class References:
    """The keys of one kind of record: known objects (saved or planned) and failed rows."""

    known: dict[Hashable, Any] = field(default_factory=dict)
    broken: set[Hashable] = field(default_factory=set)

    def missing(self, keys: Iterable[Hashable]) -> list[Hashable]:
        """The keys neither known nor broken (to be looked up in the database)."""
        return [k for k in set(keys) if k not in self.known and k not in self.broken]


@dataclass(slots=True)
class Planned:
    """What applying one row will do to its record."""

    row: ParsedRow
    obj: Any
    action: str  # "create", "update" or "unchanged"
    before: dict[str, Any] | None = None


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most `size` items."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def load_by(
    queryset: models.QuerySet[Any] | models.Manager[Any], field_name: str, keys: Iterable[Any]
) -> dict[Any, Any]:
    """Records whose `field_name` is one of `keys`, by that value: one query per chunk."""
    wanted = sorted({k for k in keys if k is not None})
    found: dict[Any, Any] = {}
    for part in chunks(wanted):
        for obj in queryset.filter(**{f"{field_name}__in": part}):
            found[getattr(obj, field_name)] = obj
    return found


def differs(obj: models.Model, values: dict[str, Any]) -> bool:
    """Whether assigning `values` (related objects by instance) would change the record."""
    meta = obj._meta
    for name, value in values.items():
        fld = meta.get_field(name)
        if fld.is_relation:
            current = getattr(obj, fld.attname)  # type: ignore[union-attr]
            if current != (value.pk if value is not None else None):
                return True
        elif getattr(obj, name) != value:
            return True
    return False


def plan_row(
    row: ParsedRow, existing: Any, model: type[models.Model], values: dict[str, Any]
) -> Planned:
    """Decide create / update / unchanged for one row and prepare its object."""
    if existing is None:
        return Planned(row, model(**values), "create")
    if not differs(existing, values):
        return Planned(row, existing, "unchanged")
    before = snapshot(existing)
    for name, value in values.items():
        setattr(existing, name, value)
    return Planned(row, existing, "update", before)


def apply_plans(
    plans: Sequence[Planned],
    ctx: ImportContext,
    progress: Progress,
    sheet: str,
    *,
    fields: Sequence[str],
    before_save: Callable[[Sequence[Planned]], None] | None = None,
) -> SheetOutcome:
    """Bulk-create and bulk-update planned records in batches, each with its audit row."""
    outcome = SheetOutcome()
    total = len(plans)
    now = timezone.now()
    done = 0
    for batch in chunks(plans, BATCH):
        if before_save is not None:
            before_save(batch)
        created = [p for p in batch if p.action == "create"]
        updated = [p for p in batch if p.action == "update"]
        if created:
            model = type(created[0].obj)
            model._default_manager.bulk_create([p.obj for p in created], batch_size=BATCH)
        if updated:
            model = type(updated[0].obj)
            for p in updated:
                p.obj.bump_version()
                p.obj.updated_at = now
            model._default_manager.bulk_update(
                [p.obj for p in updated], [*fields, "version", "updated_at"], batch_size=BATCH
            )
        record_changes(ctx.actor, [*created, *updated])
        outcome.created += len(created)
        outcome.updated += len(updated)
        outcome.unchanged += len(batch) - len(created) - len(updated)
        done += len(batch)
        progress(sheet, done, total)
    return outcome


def record_changes(actor: Any, plans: Sequence[Planned]) -> None:
    """The audit rows of created and updated records, written in one statement."""
    if not plans:
        return
    is_person = actor is not None and getattr(actor, "is_authenticated", False)
    actor_name = (actor.get_username() if is_person else str(actor or "system"))[:150]
    rows = []
    for p in plans:
        obj = p.obj
        rows.append(
            ObjectChange(
                actor=actor if is_person else None,
                actor_name=actor_name,
                action=ObjectChange.Action.CREATE
                if p.action == "create"
                else ObjectChange.Action.UPDATE,
                content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
                object_id=str(obj.pk),
                object_repr=str(obj)[:200],
                before=p.before,
                after=snapshot(obj),
                reason=_("Province bundle import")[:500],
            )
        )
    ObjectChange.objects.bulk_create(rows, batch_size=BATCH)
    announce_changes([p.obj for p in plans], ObjectChange.Action.UPDATE)


@dataclass(frozen=True)
class SecretOutput:
    """Secrets a sheet creates, shown once: their key in --secrets-out and the label of each
    line on the import's page ("Station" HC-ST-901)."""

    name: str
    label: str | Promise


class SheetImporter:
    """Validates and applies the rows of one sheet."""

    schema: SheetSchema
    # The sheets whose keys this sheet's rows may name: they are validated and applied first.
    depends_on: tuple[str, ...] = ()
    # Among sheets free to go next, the lower goes first: the order of the workbook's tabs, of
    # the import's steps and of its error report (like a menu item's order).
    order: int = 0
    secret_output: SecretOutput | None = None

    def reference_key(self, value: Any) -> Hashable:
        """The key another sheet's cell names a row of this sheet by."""
        return value

    def saved(self, keys: list[Hashable]) -> dict[Hashable, Any]:
        """The saved records of this sheet with these keys, for the sheets that refer to it."""
        raise ImproperlyConfigured(f"no sheet may refer to the {self.schema.name} sheet")

    def validate(self, rows: list[ParsedRow], ctx: ImportContext) -> None:
        """Check every row against the database and earlier sheets; report with ctx.error."""
        raise NotImplementedError

    def apply(self, rows: list[ParsedRow], ctx: ImportContext, progress: Progress) -> SheetOutcome:
        """Write the rows (create, update with history, or leave unchanged)."""
        raise NotImplementedError


_IMPORTERS: dict[str, SheetImporter] = {}


def register_sheet_importer(importer: SheetImporter) -> None:
    """Make a sheet importable (from an app's AppConfig.ready)."""
    _IMPORTERS[importer.schema.name] = importer


def sheet_order(importers: dict[str, SheetImporter] | None = None) -> list[str]:
    """The registered sheets, each after the sheets it depends on.

    Among the sheets free to come next, the lowest `order` goes first (then the first
    registered), so the order is stable. A dependency on an unregistered sheet, or sheets
    depending on each other in a circle, is a programming error: it raises
    ImproperlyConfigured rather than import in a wrong order.
    """
    importers = _IMPORTERS if importers is None else importers
    waiting: dict[str, set[str]] = {}
    for name, importer in importers.items():
        unknown = [d for d in importer.depends_on if d not in importers]
        if unknown:
            raise ImproperlyConfigured(
                f"bundle sheet {name!r} depends on unregistered sheets: {', '.join(unknown)}"
            )
        waiting[name] = set(importer.depends_on)
    order: list[str] = []
    while waiting:
        free = sorted(
            (importers[name].order, index, name)
            for index, (name, needs) in enumerate(waiting.items())
            if not needs
        )
        if not free:
            circle = ", ".join(f"{n} (needs {', '.join(sorted(d))})" for n, d in waiting.items())
            raise ImproperlyConfigured(f"bundle sheets depend on each other in a circle: {circle}")
        name = free[0][2]
        order.append(name)
        del waiting[name]
        for needs in waiting.values():
            needs.discard(name)
    return order


def check_sheets(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The registered sheets can be put in order (Django's system check, at every start)."""
    try:
        sheet_order()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="core.E001")]
    return []


def supported_sheets() -> list[str]:
    """The sheets that can be imported today, in dependency order."""
    return sheet_order()


def sheet_schemas() -> dict[str, SheetSchema]:
    """The columns of every importable sheet, by name, in dependency order."""
    return {name: _IMPORTERS[name].schema for name in sheet_order()}


def secret_outputs() -> list[SecretOutput]:
    """The secrets the registered sheets create, by name (the --secrets-out file's keys)."""
    declared = [i.secret_output for i in _IMPORTERS.values() if i.secret_output is not None]
    outputs = {output.name: output for output in declared}
    return [outputs[name] for name in sorted(outputs)]


@dataclass
class BundleReport:
    """The outcome of an import: errors (nothing written) or per-sheet counts."""

    errors: list[CellError]
    outcomes: dict[str, SheetOutcome]
    secrets: dict[str, dict[str, str]]
    dry_run: bool
    rows: int
    # Seconds spent reading the workbook, validating it and applying it.
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether the workbook was (or, in a dry run, would be) imported."""
        return not self.errors


def _key(schema: SheetSchema, row: ParsedRow) -> tuple[Any, ...]:
    return tuple(row.values.get(col.key) for col in schema.key_columns)


def import_bundle(
    source: str | Path | IO[bytes],
    *,
    actor: Any,
    scope: Any = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    stage: Stage | None = None,
) -> BundleReport:
    """Validate the whole workbook, then apply it all or nothing.

    `progress(sheet, done, total)` follows each sheet; `stage(name)` is told "read",
    "validate" and "apply" as each begins (the apply stage runs inside the transaction).
    """
    schemas = sheet_schemas()
    order = list(schemas)
    progress = progress or (lambda sheet, done, total: None)
    stage = stage or (lambda name: None)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    stage("read")
    contents = read_workbook(source, list(schemas.values()))
    timings["read"] = time.perf_counter() - started
    ctx = ImportContext(actor=actor, scope=scope, dry_run=dry_run)
    ctx.errors.extend(contents.errors)
    sheets = [name for name in order if contents.rows_of(name)]
    total_rows = sum(len(contents.rows_of(name)) for name in sheets)
    started = time.perf_counter()
    stage("validate")
    for name in sheets:
        importer, rows = _IMPORTERS[name], contents.rows_of(name)
        declared: dict[tuple[Any, ...], ParsedRow] = {}
        for row in rows:
            # A repeated key is reported on its later row; the first one is the declaration.
            declared.setdefault(_key(importer.schema, row), row)
        ctx.declared[name] = declared
        progress(name, 0, len(rows))
        importer.validate(rows, ctx)
        progress(name, len(rows), len(rows))
    timings["validate"] = time.perf_counter() - started
    ctx.errors.sort(key=lambda e: (order.index(e.sheet) if e.sheet in order else -1, e.row))
    outcomes: dict[str, SheetOutcome] = {}
    if ctx.errors or dry_run:
        return BundleReport(ctx.errors, outcomes, ctx.secrets, dry_run, total_rows, timings)
    started = time.perf_counter()
    stage("apply")
    with transaction.atomic():
        for name in sheets:
            rows = contents.rows_of(name)
            progress(name, 0, len(rows))
            outcomes[name] = _IMPORTERS[name].apply(rows, ctx, progress)
            progress(name, len(rows), len(rows))
    timings["apply"] = time.perf_counter() - started
    return BundleReport([], outcomes, ctx.secrets, dry_run, total_rows, timings)


def format_errors(errors: Sequence[CellError]) -> list[str]:
    """Each error as `sheet!row: column: message`."""
    return [str(error) for error in errors]


# --- web-started imports (core.models.ImportRun) ---------------------------------------------

# Progress is written at most this often, so that a large import is not slowed by its own bar.
PROGRESS_INTERVAL = 0.5
MAX_STORED_ERRORS = 2000
# What a run's new secrets are sealed for, until shown once. The station secrets' purpose, as
# when registry sealed them: a run finished before an upgrade still opens after it.
IMPORT_SECRETS = b"oreledger.registry.station-secret"


class _RunRecorder:
    """Writes an ImportRun's stage and progress while the import runs."""

    def __init__(self, run: Any) -> None:
        self.run = run
        self.stage_name = ""
        self.last = 0.0
        self.sheet = ""

    def _write(self, **values: Any) -> None:
        if not connection.in_atomic_block:
            ImportRun.objects.filter(pk=self.run.pk).update(**values)
            return
        if connection.vendor == "sqlite":
            # The import's transaction holds SQLite's only write lock until it commits.
            return
        # Inside the import's transaction: a second connection commits the progress at once.
        other = connections.create_connection("default")
        try:
            table = other.ops.quote_name(ImportRun._meta.db_table)
            columns = ", ".join(f"{other.ops.quote_name(name)} = %s" for name in values)
            with other.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET {columns} WHERE id = %s",  # noqa: S608 (names quoted)
                    [*values.values(), self.run.pk],
                )
        finally:
            other.close()

    def stage(self, name: str) -> None:
        """A new stage begins."""
        self.stage_name = name
        self._write(stage=name, done=0, total=0, sheet="")

    def progress(self, sheet: str, done: int, total: int) -> None:
        """A sheet advanced (throttled)."""
        now = time.monotonic()
        if sheet == self.sheet and now - self.last < PROGRESS_INTERVAL and done < total:
            return
        self.sheet, self.last = sheet, now
        self._write(sheet=sheet, done=done, total=total)


def execute_import_run(run_id: int) -> str:
    """Run one web-started import and record its outcome; returns the final status."""
    run = ImportRun.objects.select_related("actor", "scope").get(pk=run_id)
    if run.finished:
        return str(run.status)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING)
    recorder = _RunRecorder(run)
    with translation.override(run.language):
        try:
            report = import_bundle(
                run.file_path,
                actor=run.actor,
                scope=run.scope,
                dry_run=run.dry_run,
                progress=recorder.progress,
                stage=recorder.stage,
            )
        except Exception:
            run.status = ImportRun.Status.FAILED
            run.errors = [
                {
                    "line": _(
                        "The import stopped on an internal error; nothing was "
                        "saved. The administrators can see the details."
                    ),
                    "code": "internal_error",
                }
            ]
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "errors", "finished_at"])
            raise
    run.errors = [
        {"line": str(e), "sheet": e.sheet, "row": e.row, "column": e.column, "code": e.code}
        for e in report.errors[:MAX_STORED_ERRORS]
    ]
    run.outcomes = {
        "error_count": len(report.errors),
        "rows": report.rows,
        "sheets": {
            name: {"created": o.created, "updated": o.updated, "unchanged": o.unchanged}
            for name, o in report.outcomes.items()
        },
    }
    if any(report.secrets.values()):
        run.secrets = {"sealed": seal(json.dumps(report.secrets), IMPORT_SECRETS)}
    run.status = ImportRun.Status.SUCCEEDED if report.ok else ImportRun.Status.FAILED
    run.stage = "done"
    run.finished_at = timezone.now()
    run.save()
    return str(run.status)
