"""What trade announces to the apps above it, which it may not import (alerts sits above trade).

An app above registers a listener in its `AppConfig.ready()`; trade's services call the
announcement inside their transaction, so what a listener writes commits or rolls back with
the approval itself.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol


class PriceBelowFloorListener(Protocol):
    """Called when the province approves a contract under its grade's floor price."""

    def __call__(self, *, contract: Any, floor_yuan: Decimal, actor: Any, reason: str) -> None:
        """React in the approval's transaction."""


_below_floor: list[PriceBelowFloorListener] = []


def on_price_below_floor(listener: PriceBelowFloorListener) -> PriceBelowFloorListener:
    """Register a listener for price_below_floor (idempotent: ready() may run twice in tests)."""
    if listener not in _below_floor:
        _below_floor.append(listener)
    return listener


def price_below_floor(*, contract: Any, floor_yuan: Decimal, actor: Any, reason: str) -> None:
    """price_below_floor (docs/reference/rules.md): approved under the floor by the province."""
    for listener in _below_floor:
        listener(contract=contract, floor_yuan=floor_yuan, actor=actor, reason=reason)
