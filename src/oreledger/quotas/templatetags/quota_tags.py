"""Template filters of the quota pages: kilograms shown as tonnes."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def tonnes(kg: Any) -> str:
    """Integer kilograms as tonnes with two decimals and thousands separators."""
    if kg is None or kg == "":
        return "—"
    return f"{int(kg) / 1000:,.2f}"
