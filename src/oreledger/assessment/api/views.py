"""API of the assessment: schemes, the province's ranking, a county's score with its records."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oreledger.accounts.models import Region
from oreledger.alerts.api.views import ExactPagination
from oreledger.assessment.api.serializers import SchemeSerializer, score_data
from oreledger.assessment.errors import AssessmentError
from oreledger.assessment.models import Scheme
from oreledger.assessment.policies import may_rank, may_see_county
from oreledger.assessment.queries import Period, county_score, ranking
from oreledger.core.api.filtering import reject_unknown_parameters
from oreledger.core.permissions import VIEW


class SchemeViewSet(viewsets.ReadOnlyModelViewSet[Scheme]):
    """The province's assessment schemes."""

    serializer_class = SchemeSerializer
    pagination_class = ExactPagination
    ordering_fields = {"code": "code"}
    lookup_field = "code"

    def get_queryset(self) -> Any:
        return Scheme.objects.for_user(self.request.user).prefetch_related("indicators")


def _scheme_period(request: Request, code: str, period: str) -> tuple[Scheme, Period]:
    scheme = Scheme.objects.for_user(request.user, VIEW).filter(code=code).first()
    if scheme is None:
        raise Http404
    try:
        return scheme, Period.parse(scheme.period, period)
    except AssessmentError as exc:
        raise Http404 from exc


class RankingView(APIView):
    """GET /api/v1/assessment/schemes/<code>/ranking/<period>: every county (province only)."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, code: str, period: str) -> Response:
        """Every county's score and rank, best first."""
        reject_unknown_parameters(request, [])
        scheme, span = _scheme_period(request, code, period)
        if not may_rank(request.user):
            raise Http404
        scores = ranking(scheme, span)
        return Response(
            {
                "scheme": scheme.code,
                "period": span.label,
                "counties": [score_data(s) for s in scores],
            }
        )


class ScoreView(APIView):
    """GET /api/v1/assessment/schemes/<code>/scores/<period>/<county>: one county's score."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, code: str, period: str, county: str) -> Response:
        """The county's lines, formulas and the records behind every number."""
        reject_unknown_parameters(request, [])
        scheme, span = _scheme_period(request, code, period)
        region = Region.objects.filter(code=county, level="county").first()
        if region is None or not may_see_county(request.user, region):
            raise Http404
        score = county_score(scheme, region, span)
        return Response(
            {"scheme": scheme.code, "period": span.label, **score_data(score, records=True)}
        )
