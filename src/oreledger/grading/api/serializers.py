"""API shapes of grading."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from oreledger.grading.models import Assay, Grade, GradingStandard
from oreledger.registry.models import Site


class GradeSerializer(serializers.ModelSerializer[Grade]):
    """A grade with its limits (percent as decimal strings; null = no limit)."""

    class Meta:
        model = Grade
        fields = [
            "code",
            "name_zh",
            "name_en",
            "rank",
            "mgo_min",
            "cao_max",
            "sio2_max",
            "fe2o3_max",
            "al2o3_max",
        ]


class GradingStandardSerializer(serializers.ModelSerializer[GradingStandard]):
    """A version of the grading standard with its grades."""

    grades = GradeSerializer(many=True, read_only=True)

    class Meta:
        model = GradingStandard
        fields = ["code", "name", "effective_from", "grades"]


class AssaySerializer(serializers.ModelSerializer[Assay]):
    """An assay as stored, with the grade it earned (write: site by code)."""

    site = serializers.SlugRelatedField(slug_field="code", queryset=Site.objects.none())
    grade: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Assay
        fields = [
            "uuid",
            "site",
            "lot",
            "sampled_on",
            "mgo",
            "cao",
            "sio2",
            "fe2o3",
            "al2o3",
            "loi",
            "lab",
            "grade",
        ]
        read_only_fields = ["uuid", "grade"]
