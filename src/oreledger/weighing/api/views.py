"""API of weighing for people and systems: waybills and tickets (docs/specs/api-essentials.md)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from oreledger.weighing.api.filters import TicketApiFilter, WaybillApiFilter
from oreledger.weighing.api.serializers import (
    TicketSerializer,
    WaybillRequestSerializer,
    WaybillSerializer,
)
from oreledger.weighing.models import Ticket, Waybill
from oreledger.weighing.services import issue_waybill

_TICKET_RELATED = ("station", "waybill")


class TicketViewSet(viewsets.ReadOnlyModelViewSet[Ticket]):
    """Tickets in the caller's jurisdiction, newest weighing first."""

    serializer_class = TicketSerializer
    filterset_class = TicketApiFilter
    ordering_fields = {
        "gross_at": "gross_at",
        "received_at": "received_at",
        "station": "station__code",
        "seq": "seq",
        "plate": "plate",
        "net_kg": "net_kg",
    }
    lookup_field = "pk"

    def get_queryset(self) -> Any:
        return (
            Ticket.objects.for_user(self.request.user)
            .select_related(*_TICKET_RELATED)
            .order_by("-gross_at", "-received_at")
        )


class WaybillViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet[Waybill],
):
    """Waybills in the caller's jurisdiction; sellers (and county operators) issue them."""

    serializer_class = WaybillSerializer
    filterset_class = WaybillApiFilter
    ordering_fields = {
        "issued_at": "issued_at",
        "expires_at": "expires_at",
        "number": "number",
        "plate": "plate",
        "status": "status",
    }
    lookup_field = "number"

    def get_queryset(self) -> Any:
        return (
            Waybill.objects.for_user(self.request.user)
            .select_related(
                "contract",
                "origin_site",
                "destination_site",
                "exit_ticket__station",
                "entry_ticket__station",
            )
            .order_by("-issued_at", "-pk")
        )

    @extend_schema(request=WaybillRequestSerializer, responses={201: WaybillSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Issue a waybill for one plate against an approved contract."""
        form = WaybillRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        waybill = issue_waybill(actor=request.user, **form.validated_data)
        # The issued waybill as saved, with the contract and sites the service loaded: no
        # second read (a new waybill has no tickets yet).
        return Response(WaybillSerializer(waybill).data, status=status.HTTP_201_CREATED)
