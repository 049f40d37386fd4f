"""API of grading: the standard's versions, and assays (read and record)."""

from __future__ import annotations

from typing import Any

from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from oreledger.core.permissions import ADD, VIEW, may
from oreledger.grading.api.filters import AssayApiFilter, GradingStandardApiFilter
from oreledger.grading.api.serializers import AssaySerializer, GradingStandardSerializer
from oreledger.grading.models import Assay, GradingStandard
from oreledger.grading.services import record_assay
from oreledger.registry.models import Site


class GradingStandardViewSet(viewsets.ReadOnlyModelViewSet[GradingStandard]):
    """Every version of the grading standard, newest first."""

    serializer_class = GradingStandardSerializer
    filterset_class = GradingStandardApiFilter
    ordering_fields = {"effective_from": "effective_from", "code": "code"}
    lookup_field = "code"

    def get_queryset(self) -> Any:
        return (
            GradingStandard.objects.for_user(self.request.user)
            .prefetch_related("grades")
            .order_by("-effective_from")
        )


class AssayViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[Assay]):
    """Assays in the caller's jurisdiction, and recording a new one."""

    serializer_class = AssaySerializer
    filterset_class = AssayApiFilter
    ordering_fields = {"sampled_on": "sampled_on", "mgo": "mgo", "lot": "lot"}

    def get_queryset(self) -> Any:
        return (
            Assay.objects.for_user(self.request.user)
            .select_related("site", "grade")
            .order_by("-sampled_on", "pk")
        )

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        serializer: Any = super().get_serializer(*args, **kwargs)
        if not kwargs.get("many"):
            sites = Site.objects.for_user(self.request.user, VIEW)
            if "site" in getattr(serializer, "fields", {}):
                serializer.fields["site"].queryset = sites
        return serializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not may(request.user, ADD, Assay):
            raise PermissionDenied
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        assay = record_assay(
            actor=request.user,
            site=data["site"],
            lot=data["lot"],
            sampled_on=data["sampled_on"],
            components={k: data.get(k) for k in ("mgo", "cao", "sio2", "fe2o3", "al2o3", "loi")},
            lab=data.get("lab", ""),
        )
        return Response(AssaySerializer(assay).data, status=status.HTTP_201_CREATED)
