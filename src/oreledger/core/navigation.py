"""The role-aware menu: apps register their pages; each person sees what they may use."""

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


_ITEMS: list[MenuItem] = []


def register_menu_item(item: MenuItem) -> None:
    """Add a page to the menu (from an app's AppConfig.ready)."""
    if all(existing.url_name != item.url_name for existing in _ITEMS):
        _ITEMS.append(item)


def menu_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    """The sections and pages this user may open, with the current page marked."""
    sections: dict[str, dict[str, Any]] = {}
    for item in sorted(_ITEMS, key=lambda i: i.order):
        if not user.is_authenticated or not item.visible(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        section = sections.setdefault(str(item.section), {"label": item.section, "items": []})
        section["items"].append(
            {"label": item.label, "url": url, "active": current_path.startswith(url) and url != "/"}
        )
    return list(sections.values())
