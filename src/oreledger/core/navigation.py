"""The role-aware menu: apps register their pages; each person sees what they may use.

Also the actions one app offers on another's record page (weighing's "Issue a waybill" on a
contract), so that a page need not import the app above it that acts on its record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class MenuItem:
    """A page in the menu, shown when `visible(user)` says so."""

    section: str | Promise
    label: str | Promise
    url_name: str
    visible: Callable[[Any], bool]
    order: int = 100
    # The label for this person, when it depends on who they are (e.g. their county's name).
    label_for: Callable[[Any], str | Promise] | None = None


_ITEMS: list[MenuItem] = []


def register_menu_item(item: MenuItem) -> None:
    """Add a page to the menu (from an app's AppConfig.ready)."""
    if all(existing.url_name != item.url_name for existing in _ITEMS):
        _ITEMS.append(item)


@dataclass(frozen=True)
class RecordAction:
    """A button on the page of one kind of record, shown when `visible(user, record)` says so."""

    record: str  # the kind of record, "app.model" (e.g. "trade.contract")
    label: str | Promise
    url: Callable[[Any], str]  # the action's address for this record
    visible: Callable[[Any, Any], bool]
    testid: str


_ACTIONS: list[RecordAction] = []


def register_record_action(action: RecordAction) -> None:
    """Offer an action on a kind of record's page (from an app's AppConfig.ready)."""
    _ACTIONS.append(action)


def record_actions(record: str, user: Any, obj: Any) -> list[dict[str, Any]]:
    """The actions this person may take on this record from its page, in registration order."""
    return [
        {"label": action.label, "url": action.url(obj), "testid": action.testid}
        for action in _ACTIONS
        if action.record == record and action.visible(user, obj)
    ]


def menu_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    """The sections and pages this user may open, with the current page marked.

    One page is marked: the item whose URL is the longest prefix of the current path (on
    /registry/map/ that is "Registry map", not also the registry's first page).
    """
    sections: dict[str, dict[str, Any]] = {}
    entries = []
    for item in sorted(_ITEMS, key=lambda i: i.order):
        if not user.is_authenticated or not item.visible(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        label = item.label_for(user) if item.label_for is not None else item.label
        entry: dict[str, Any] = {"label": label, "url": url, "active": False}
        section = sections.setdefault(str(item.section), {"label": item.section, "items": []})
        section["items"].append(entry)
        entries.append(entry)
    matching = [e for e in entries if e["url"] != "/" and current_path.startswith(e["url"])]
    if matching:
        max(matching, key=lambda e: len(e["url"]))["active"] = True
    return list(sections.values())
