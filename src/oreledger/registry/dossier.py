"""The enterprise file (一企一档) is assembled from sections that apps register.

The registry provides identity, sites, stations, permits, vehicles and history; later apps
(quotas, trade, weighing, alerts, inspections) add their own section without the registry
knowing them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class DossierSection:
    """One section of the enterprise file: a template fed by a context function."""

    key: str
    title: str | Promise
    template: str
    # (enterprise, user) -> template context; must keep a constant number of queries.
    context: Callable[[Any, Any], dict[str, Any]]
    order: int = 100


_SECTIONS: dict[str, DossierSection] = {}


def register_section(section: DossierSection) -> None:
    """Add a section to every enterprise file (from an app's AppConfig.ready)."""
    _SECTIONS[section.key] = section


def sections_for(enterprise: Any, user: Any) -> list[tuple[DossierSection, dict[str, Any]]]:
    """The sections in order, each with its context for this enterprise and viewer."""
    return [
        (section, section.context(enterprise, user))
        for section in sorted(_SECTIONS.values(), key=lambda s: s.order)
    ]
