"""Where trade tells the alerts app (a later issue) what it should raise.

Until alerts exist these only log; the alerts issue replaces the body of each function, so
the services calling them stay as they are.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

logger = logging.getLogger(__name__)


def price_below_floor(*, contract: Any, floor_yuan: Decimal, actor: Any, reason: str) -> None:
    """price_below_floor (docs/reference/rules.md): approved under the floor by the province."""
    logger.warning(
        "price_below_floor contract=%s price=%s floor=%s by=%s reason=%s",
        contract.number,
        contract.unit_price,
        floor_yuan,
        actor,
        reason,
    )
