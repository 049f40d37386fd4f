"""The dashboard's figures as JSON, scoped to the caller, each exportable."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oreledger.core.api.filtering import reject_unknown_parameters
from oreledger.dashboards.catalogue import FIGURES, export
from oreledger.dashboards.scope import resolve_scope


class FigureView(APIView):
    """GET /api/v1/dashboard/<name>/?region=|site=[&export=xlsx|csv]: one figure."""

    @extend_schema(
        parameters=[
            OpenApiParameter("region", str, description="GB/T 2260 code inside your jurisdiction"),
            OpenApiParameter("site", str, description="a site code inside your jurisdiction"),
            OpenApiParameter("export", str, enum=["xlsx", "csv"]),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, name: str) -> Response | HttpResponse:
        """The figure for the caller's jurisdiction (narrowed by region or site)."""
        figure = FIGURES.get(name)
        if figure is None:
            raise Http404
        reject_unknown_parameters(request, ["region", "site", "export"])
        scope = resolve_scope(request.user, request.query_params)
        data: dict[str, Any] = figure.compute(scope)
        kind = request.query_params.get("export", "")
        if kind not in ("", "xlsx", "csv"):
            # Django's own sentence, already in every language the site speaks.
            choice = forms.ChoiceField(choices=[("xlsx", "xlsx"), ("csv", "csv")])
            try:
                choice.clean(kind)
            except DjangoValidationError as exc:
                raise ValidationError({"export": exc.messages}) from None
        if kind in ("xlsx", "csv"):
            return export(figure, data, kind)
        return Response({"figure": name, "scope": scope.query() or None, **data})
