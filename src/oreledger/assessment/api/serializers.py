"""Serializers of the assessment API: schemes, and scores with their lines and formulas."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from oreledger.assessment.models import Indicator, Scheme
from oreledger.assessment.queries import CountyScore


class IndicatorSerializer(serializers.ModelSerializer[Indicator]):
    """An indicator with its weight and rule."""

    class Meta:
        model = Indicator
        fields = ["kind", "weight", "rule", "target"]


class SchemeSerializer(serializers.ModelSerializer[Scheme]):
    """A scheme with its indicators."""

    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = Scheme
        fields = ["code", "name", "period", "active", "indicators"]


def score_data(score: CountyScore, *, records: bool = False) -> dict[str, Any]:
    """A county's score as JSON; with `records`, the records behind every number."""
    lines = []
    for line in score.lines:
        data: dict[str, Any] = {
            "indicator": line.indicator.kind,
            "weight": str(line.indicator.weight),
            "numerator": str(line.measure.numerator.normalize()),
            "denominator": str(line.measure.denominator.normalize()),
            "rate": str(line.rate),
            "points": str(line.points),
            "formula": line.formula,
        }
        if records:
            data["records"] = [
                {"label": r.label, "url": r.url, "counted": r.counted, "note": r.note}
                for r in line.measure.records
            ]
        lines.append(data)
    return {
        "region": score.region.code,
        "name": score.region.name_zh,
        "rank": score.rank,
        "total": str(score.total),
        "lines": lines,
    }
