"""The towns, sites and enterprises of the demo province while the generator lays it out."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from oreledger.demo.geography import County

MINERAL = "magnesite"


@dataclass(frozen=True)
class Town:
    """A town of a demo county, where sites and checkpoints stand."""

    code: str
    name_zh: str
    name_en: str
    county: County
    lat: float
    lon: float


@dataclass
class Site:
    """A demo mine, plant or ore yard, with its owner once attached."""

    code: str
    kind: str
    name: str
    town: Town
    lat: float
    lon: float
    owner: Enterprise | None = None
    boundary: dict[str, Any] | None = None
    capacity_t: int | None = None
    hours: str | None = None
    status: str = "operating"


@dataclass
class Enterprise:
    """A demo enterprise and the sites it holds."""

    uscc: str
    name: str
    brand: str
    kind: str
    county: County
    legal_rep: str
    status: str = "operating"
    sites: list[Site] = field(default_factory=list)
    pristine: bool = False  # a demo login's enterprise: every permit in order


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split total into whole parts proportional to weights (largest remainder)."""
    weight_sum = sum(weights)
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    exact = [total * weight / weight_sum for weight in weights]
    parts = [math.floor(share) for share in exact]
    order = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts
