"""Template filters of trade: kilograms shown as tonnes."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def tonnes(kg: int | None) -> str:
    """Integer kilograms as tonnes with two decimals ("34,000.00")."""
    if kg is None or kg == "":
        return ""
    return f"{int(kg) / 1000:,.2f}"
