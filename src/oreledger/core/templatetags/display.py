"""Template tags that show stored values as a reader reads them (see `core.display`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import template
from django.utils.html import format_html

from oreledger.core import display
from oreledger.core.audit import HistoryLine, readable_history
from oreledger.core.permissions import VIEW, can

register = template.Library()


@register.simple_tag(takes_context=True)
def readable(context: Any, history: Iterable[Any]) -> list[HistoryLine]:
    """Audit rows with field labels, choice labels, related records by name, local times."""
    request = context.get("request")
    return readable_history(history, getattr(request, "user", None))


@register.filter
def actor(person: Any, name: str = "") -> str:
    """Who acted: the person's name, or 系统 / 计量站 for the platform's own parts."""
    return display.actor_label(person, name)


@register.filter
def term(code: Any, vocabulary: str) -> str:
    """A code of a vocabulary (a job's status, a finding's rule) by its name."""
    return display.term(vocabulary, code)


@register.simple_tag(takes_context=True)
def stored_references(context: Any, rows: Iterable[Any], attribute: str) -> dict[str, Any]:
    """The "kind:value" references held in `attribute` of each row, labelled and linked."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return display.resolve_stored((getattr(row, attribute) for row in rows), user)


@register.filter
def get_item(mapping: Mapping[Any, Any], key: Any) -> Any:
    """mapping[key], or None."""
    return mapping.get(key) if mapping else None


@register.filter
def one_language(sentence: str) -> str:
    """The reader's half of a bilingual device sentence ("中文 / English")."""
    return display.in_reader_language(sentence)


@register.filter
def local_time(value: Any) -> str:
    """A stored instant (or its ISO text) in Asia/Shanghai, "2026-12-05 16:09"."""
    return display.EMPTY if value in (None, "") else display.local_time(value)


@register.simple_tag(takes_context=True)
def reference(context: Any, kind: str, value: Any) -> Any:
    """A code naming a record (a mineral, a station) as that record's name, linked."""
    request = context.get("request")
    return display.reference(kind, value, getattr(request, "user", None))


@register.filter
def as_html(shown: Any) -> Any:
    """A Shown value as its (linked) HTML; anything else as it is."""
    return shown.html if isinstance(shown, display.Shown) else shown


@register.simple_tag(takes_context=True)
def linked(context: Any, record: Any, text: Any = None) -> Any:
    """A record by its name (or `text`), linked to its page when the reader may open it."""
    if record is None:
        return display.EMPTY
    label = record if text is None else text
    request = context.get("request")
    user = getattr(request, "user", None)
    page = getattr(record, "get_absolute_url", None)
    if page is None or user is None or not can(user, VIEW, record):
        return format_html("{}", label)
    return format_html('<a href="{}">{}</a>', page(), label)
