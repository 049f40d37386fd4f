"""Template filters of the quota pages: kilograms shown as tonnes (core.numbers)."""

from __future__ import annotations

from typing import Any

from django import template

from oreledger.core import numbers

register = template.Library()


@register.filter
def tonnes(kg: Any) -> str:
    """Integer kilograms as tonnes with two decimals and thousands separators."""
    return numbers.tonnes(kg)
