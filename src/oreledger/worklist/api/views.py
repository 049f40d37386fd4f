"""API of the worklist: groups, tasks (scoped), and the weekly reporting timeliness."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oreledger.alerts.api.views import ExactPagination
from oreledger.core.api.filtering import reject_unknown_parameters
from oreledger.core.permissions import ENTERPRISE_USER
from oreledger.worklist.api.filters import TaskApiFilter
from oreledger.worklist.api.serializers import (
    GroupSerializer,
    TaskDetailSerializer,
    TaskSerializer,
    timeliness_data,
)
from oreledger.worklist.models import Task, WorkingGroup
from oreledger.worklist.queries import recent_weeks, reporting_timeliness, with_progress

MAX_WEEKS = 53


class GroupViewSet(viewsets.ReadOnlyModelViewSet[WorkingGroup]):
    """The joint action's working groups."""

    serializer_class = GroupSerializer
    pagination_class = ExactPagination
    ordering_fields = {"name": "name"}

    def get_queryset(self) -> Any:
        rows = WorkingGroup.objects.for_user(self.request.user)
        return rows.select_related("lead_department__kind").prefetch_related("members__kind")


class TaskViewSet(viewsets.ReadOnlyModelViewSet[Task]):
    """Tasks in the caller's jurisdiction with their status, by due date."""

    filterset_class = TaskApiFilter
    ordering_fields = {"due": "due", "number": "number"}
    pagination_class = ExactPagination
    lookup_field = "number"

    def get_serializer_class(self) -> Any:
        return TaskDetailSerializer if self.action == "retrieve" else TaskSerializer

    def get_queryset(self) -> Any:
        rows = Task.objects.for_user(self.request.user).select_related(
            "group", "region", "responsible_department__kind", "responsible_department__region"
        )
        return with_progress(rows).order_by("due", "number")


class TimelinessView(APIView):
    """GET /api/v1/worklist/timeliness?weeks=8: every county's weekly confirmations."""

    @extend_schema(
        parameters=[OpenApiParameter("weeks", int, description="how many weeks back (1–53)")],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        """Reported, on time, late, missing per county and week, with the DHIS2 rates."""
        reject_unknown_parameters(request, ["weeks"])
        user = request.user
        if getattr(user, "role", None) == ENTERPRISE_USER or not user.region_id:
            raise Http404
        try:
            count = max(1, min(MAX_WEEKS, int(request.query_params.get("weeks", "8"))))
        except ValueError:
            count = 8
        return Response(timeliness_data(reporting_timeliness(user.region, recent_weeks(count))))
