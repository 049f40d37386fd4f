"""Template filters that write figures the one way core.numbers does, on every page.

{% load numbers %}: `kg|tonnes` ("530,000.00"), `t|t` (a figure already in tonnes),
`yuan|money`, `n|count`, `kg|kg`, `share|pct`.
"""

from __future__ import annotations

from typing import Any

from django import template

from oreledger.core import numbers

register = template.Library()


@register.filter
def tonnes(kg: Any) -> str:
    """Integer kilograms as tonnes, two decimals, thousands separated."""
    return numbers.tonnes(kg)


@register.filter(name="t")
def tonnes_figure(t: Any) -> str:
    """A figure in tonnes, two decimals, thousands separated."""
    return numbers.tonnes_figure(t)


@register.filter
def money(yuan: Any) -> str:
    """Money in its unit, two decimals, thousands separated."""
    return numbers.money(yuan)


@register.filter
def count(n: Any) -> str:
    """A count as a whole number, thousands separated."""
    return numbers.count(n)


@register.filter
def kg(value: Any) -> str:
    """Kilograms as a whole number, thousands separated."""
    return numbers.kilograms(value)


@register.filter
def pct(share: Any) -> str:
    """A share in percent with one decimal."""
    return numbers.percent(share)
