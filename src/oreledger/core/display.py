"""How a stored value reads on a page, in an export or a PDF: labels, never keys.

One mechanism for every place that shows a value it did not format itself (the change
history, an alert's evidence and references, a ledger entry's reference, a job's status):
a field reads as its verbose_name, a choice as its label, a related record as its name
linked to its page (when the reader may open it), a time in Asia/Shanghai, a weight in
tonnes, the platform's own actions as "系统". Apps register how their records are referred
to (`register_reference`) and their vocabularies of codes (`register_terms`).
"""

from __future__ import annotations

import datetime
import decimal
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from oreledger.core import numbers
from oreledger.core.formats import local_datetime

EMPTY = "—"


@dataclass(frozen=True)
class Shown:
    """A value as a person reads it: its text, and the page of the record it names."""

    text: str
    url: str = ""

    def __str__(self) -> str:
        return self.text

    @property
    def html(self) -> SafeString:
        """The text, as a link to the record's page when there is one (templates: .html)."""
        if self.url:
            return format_html('<a href="{}">{}</a>', self.url, self.text)
        return format_html("{}", self.text)


# --- who did it ---------------------------------------------------------------------------

# Actors that are not people, as the services name them when they write a record.
MACHINE_ACTORS: dict[str, Promise] = {
    "": _("System"),
    "system": _("System"),
    "station": _("Weighing station"),
    "simulator": _("Station simulator"),
}


def actor_label(actor: Any, actor_name: str = "") -> str:
    """The person by their display name, or the platform's own part that acted."""
    if actor is not None:
        return str(actor)
    machine = MACHINE_ACTORS.get((actor_name or "").strip().lower())
    return str(machine) if machine is not None else actor_name


# --- quantities and times -----------------------------------------------------------------


def number(value: Any, decimals: int = 0) -> str:
    """A number with thousands separators and a fixed number of decimals."""
    return f"{decimal.Decimal(str(value)):,.{decimals}f}"


def tonnes(kg: Any) -> str:
    """Kilograms as tonnes with two decimals and the unit (core.numbers writes the figure)."""
    return f"{numbers.tonnes(kg)} t"


def local_time(value: Any) -> str:
    """A stored instant (datetime or ISO text) as Asia/Shanghai wall-clock time."""
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is None:
            return value
        value = parsed
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return local_datetime(value)


def local_date(value: Any) -> str:
    """A date (or its ISO text) as the pages write dates."""
    if isinstance(value, str):
        parsed = parse_date(value)
        return parsed.isoformat() if parsed else value
    return value.isoformat()


def yes_no(value: bool) -> str:
    """A flag in the reader's language."""
    return str(_("Yes") if value else _("No"))


def in_reader_language(sentence: str) -> str:
    """The reader's half of a device sentence stored bilingual, "中文 / English"."""
    zh, sep, en = (sentence or "").partition(" / ")
    if not sep:
        return sentence
    return zh if (get_language() or "zh-hans").startswith("zh") else en


# --- vocabularies of codes ----------------------------------------------------------------

_TERMS: dict[str, dict[str, Promise | str]] = defaultdict(dict)


def register_terms(vocabulary: str, terms: Mapping[str, Promise | str]) -> None:
    """Name the codes of a vocabulary (a rule, a job, a finding) in both languages."""
    _TERMS[vocabulary].update(terms)


def term(vocabulary: str, code: Any) -> str:
    """The code's name in the reader's language; the code itself if it has none."""
    found = _TERMS.get(vocabulary, {}).get(str(code))
    return str(found) if found is not None else str(code)


def has_term(vocabulary: str, code: Any) -> bool:
    """Whether the vocabulary names this code."""
    return str(code) in _TERMS.get(vocabulary, {})


# --- references to records ----------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceKind:
    """How records of one kind are referred to by another record: by which field."""

    label: Promise | str
    model: type[models.Model]
    field: str
    # Turns the stored value into the lookup (e.g. "HC-ST-001#12" → station code and seq).
    lookup: Callable[[str], dict[str, Any] | None] | None = None
    # The text shown for a found record; the stored value when None.
    text: Callable[[Any], str] | None = None
    # The page shown for a found record; its own page when None.
    url: Callable[[Any], str] | None = None

    def page(self, record: Any) -> str:
        """The URL of the record's page ("" for a record without one)."""
        if self.url is not None:
            return self.url(record)
        get_url = getattr(record, "get_absolute_url", None)
        return str(get_url()) if get_url is not None else ""


_REFERENCES: dict[str, ReferenceKind] = {}


def register_reference(kind: str, reference: ReferenceKind) -> None:
    """Say how a kind of reference (`station`, `waybill`, …) finds its record."""
    _REFERENCES[kind] = reference


def reference_label(kind: str) -> str:
    """The name of a kind of reference ("计量站")."""
    found = _REFERENCES.get(kind)
    return str(found.label) if found is not None else term("reference", kind)


def is_reference(kind: str) -> bool:
    """Whether records of this kind can be looked up and linked."""
    return kind in _REFERENCES


def resolve_references(pairs: Iterable[tuple[str, Any]], user: Any) -> dict[tuple[str, str], Shown]:
    """Each (kind, value) as a Shown: linked to the record when the user may open it.

    With no user, records are only named (nothing is linked). One query per kind of
    reference, however many values.
    """
    wanted: dict[str, set[str]] = defaultdict(set)
    for kind, value in pairs:
        if value not in (None, "") and kind in _REFERENCES:
            wanted[kind].add(str(value))
    shown: dict[tuple[str, str], Shown] = {}
    for kind, values in wanted.items():
        ref = _REFERENCES[kind]
        found = _find(ref, values, user)
        for value in values:
            record = found.get(value)
            text = ref.text(record) if record is not None and ref.text else value
            url = ref.page(record) if record is not None and user is not None else ""
            shown[(kind, value)] = Shown(text, url)
    return shown


def _find(ref: ReferenceKind, values: set[str], user: Any) -> dict[str, Any]:
    manager: Any = ref.model._default_manager
    scoped = manager.for_user(user) if user is not None else manager.all()
    if ref.lookup is None:
        rows = scoped.filter(**{f"{ref.field}__in": values})
        return {str(getattr(row, ref.field)): row for row in rows}
    found = {}
    for value in values:
        lookup = ref.lookup(value)
        if lookup is not None:
            row = scoped.filter(**lookup).first()
            if row is not None:
                found[value] = row
    return found


def split_reference(text: str) -> tuple[str, str]:
    """A stored "kind:value" reference (a ledger entry's `ticket:<id>`) as (kind, value)."""
    kind, sep, value = (text or "").partition(":")
    return (kind, value) if sep else ("", kind)


def resolve_stored(texts: Iterable[str], user: Any) -> dict[str, Shown]:
    """Stored "kind:value" references, each labelled by its kind and linked to its record."""
    pairs = {text: split_reference(text) for text in texts if text}
    found = resolve_references(pairs.values(), user)
    shown = {}
    for text, (kind, value) in pairs.items():
        record = found.get((kind, value))
        name = record.text if record is not None else value
        prefix = f"{reference_label(kind)} " if kind else ""
        shown[text] = Shown(f"{prefix}{name}", record.url if record is not None else "")
    return shown


def reference(kind: str, value: Any, user: Any) -> Shown:
    """One reference as a Shown (see `resolve_references`)."""
    if value in (None, ""):
        return Shown(EMPTY)
    return resolve_references([(kind, value)], user).get((kind, str(value)), Shown(str(value)))


# --- fields of a model --------------------------------------------------------------------


def field_label(model: type[models.Model], name: str) -> str:
    """A field's verbose name, capitalised ("状态"); the name itself for a removed field."""
    try:
        return str(capfirst(model._meta.get_field(name).verbose_name))  # type: ignore[union-attr]
    except Exception:
        return name


def related_records(
    model: type[models.Model], rows: Iterable[Mapping[str, Any]], user: Any = None
) -> dict[Any, Any]:
    """The records the foreign keys in `rows` (field name → pk) point to, one query per model.

    Each is named; it is linked only if `user` may open it (`_openable` marks those).
    """
    wanted: dict[Any, set[Any]] = defaultdict(set)
    for row in rows:
        for name, value in row.items():
            target = _related_model(model, name)
            if target is not None and value not in (None, ""):
                wanted[target].add(value)
    found: dict[Any, Any] = {}
    for target, pks in wanted.items():
        manager: Any = target._default_manager
        openable: set[Any] = set()
        if user is not None and hasattr(manager, "for_user"):
            openable = set(manager.for_user(user).filter(pk__in=pks).values_list("pk", flat=True))
        for record in manager.filter(pk__in=pks):
            record._openable = record.pk in openable
            found[(target, str(record.pk))] = record
    return found


def _related_model(model: type[models.Model], name: str) -> Any:
    try:
        fld = model._meta.get_field(name)
    except Exception:
        return None
    return fld.related_model if fld.is_relation and fld.many_to_one else None


_FIELD_TEXTS: dict[tuple[str, str], Callable[[Any], str]] = {}


def register_field_text(model: type[models.Model], name: str, text: Callable[[Any], str]) -> None:
    """Say how a structured field (JSON evidence, a boundary) reads in the change history."""
    _FIELD_TEXTS[(model._meta.label, name)] = text


def shown_in_history(model: type[models.Model], name: str) -> bool:
    """Whether the history shows this field: not the ids and bookkeeping nobody edits."""
    try:
        fld: Any = model._meta.get_field(name)
    except Exception:
        return False
    return bool(fld.editable) and not fld.primary_key


def field_value(
    model: type[models.Model], name: str, raw: Any, records: Mapping[Any, Any] | None = None
) -> Shown:
    """A stored value of a field (as the audit trail keeps it) as a person reads it."""
    if raw is None or raw == "" or raw == [] or raw == {}:
        return Shown(EMPTY)
    try:
        fld: Any = model._meta.get_field(name)
    except Exception:
        return Shown(str(raw))
    text = _FIELD_TEXTS.get((model._meta.label, name))
    if text is not None:
        return Shown(text(raw))
    target = _related_model(model, name)
    if target is not None:
        record = (records or {}).get((target, str(raw)))
        if record is None:
            return Shown(EMPTY if raw is None else str(raw))
        linked = getattr(record, "_openable", False) and hasattr(record, "get_absolute_url")
        return Shown(str(record), record.get_absolute_url() if linked else "")
    if fld.choices:
        labels = {str(key): label for key, label in fld.flatchoices}
        return Shown(str(labels.get(str(raw), raw)))
    if isinstance(fld, models.BooleanField):
        return Shown(yes_no(bool(raw)))
    if isinstance(fld, models.DateTimeField):
        return Shown(local_time(raw))
    if isinstance(fld, models.DateField):
        return Shown(local_date(raw))
    if isinstance(fld, models.IntegerField) and not isinstance(raw, bool):
        return Shown(number(raw))
    if isinstance(fld, models.JSONField):
        return Shown(str(_("recorded")))  # structured content: see the record's own page
    return Shown(str(raw))
