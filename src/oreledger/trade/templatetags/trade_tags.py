"""Template filters of trade: kilograms shown as tonnes (core.numbers)."""

from __future__ import annotations

from typing import Any

from django import template

from oreledger.core import numbers

register = template.Library()


@register.filter
def tonnes(kg: Any) -> str:
    """Integer kilograms as tonnes with two decimals ("34,000.00")."""
    return numbers.tonnes(kg)
