"""API of the registry: enterprises, sites, stations, vehicles and permits, within scope."""

from __future__ import annotations

from typing import Any

from django.db import models
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions as drf_exceptions
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from oreledger.core.permissions import ADD, CHANGE, VIEW, get_for_user, may
from oreledger.registry import services
from oreledger.registry.api.filters import (
    EnterpriseApiFilter,
    PermitApiFilter,
    SiteApiFilter,
    StationApiFilter,
    VehicleApiFilter,
)
from oreledger.registry.api.serializers import (
    EnterpriseSerializer,
    EnterpriseStatusSerializer,
    PermitSerializer,
    PermitStatusSerializer,
    ReasonSerializer,
    SiteSerializer,
    SiteStatusSerializer,
    StationSerializer,
    VehicleSerializer,
)
from oreledger.registry.models import Enterprise, Permit, Site, Station, Vehicle


class RegistryViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create and change one model's rows within the caller's jurisdiction."""

    model: type[models.Model]
    related: tuple[str, ...] = ()
    permission_classes = [permissions.IsAuthenticated]
    lookup_value_regex = "[^/]+"

    def _rows(self) -> Any:
        manager: Any = self.model._default_manager
        return manager.select_related(*self.related)

    def get_queryset(self) -> Any:
        manager: Any = self.model._default_manager
        return (
            manager.for_user(self.request.user, VIEW)
            .select_related(*self.related)
            .order_by(self.lookup_field)
        )

    def get_object(self) -> Any:
        safe = self.request.method in permissions.SAFE_METHODS
        lookup = {self.lookup_field: self.kwargs[self.lookup_field]}
        return get_for_user(self._rows(), self.request.user, VIEW if safe else CHANGE, **lookup)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not may(request.user, ADD, self.model):
            raise drf_exceptions.PermissionDenied()
        return super().create(request, *args, **kwargs)

    def _reason(self, request: Request) -> str:
        """The required reason of a status action (400 with the field error when missing)."""
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reason: str = body.validated_data["reason"]
        return reason

    def _answer(self, obj: Any) -> Response:
        return Response(self.get_serializer(obj).data)


class EnterpriseViewSet(RegistryViewSet):
    """Enterprises, by unified social credit code."""

    model = Enterprise
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseApiFilter
    ordering_fields = {"uscc": "uscc", "name": "name", "updated_at": "updated_at"}
    lookup_field = "uscc"
    related = ("region",)

    @extend_schema(request=EnterpriseStatusSerializer, responses=EnterpriseSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request: Request, uscc: str) -> Response:
        """Change the status or classification, with the reason."""
        enterprise = self.get_object()
        body = EnterpriseStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(body.validated_data)
        return self._answer(
            services.change_enterprise_status(actor=request.user, enterprise=enterprise, **data)
        )


class SiteViewSet(RegistryViewSet):
    """Mines, plants and yards, by code."""

    model = Site
    serializer_class = SiteSerializer
    filterset_class = SiteApiFilter
    ordering_fields = {"code": "code", "name": "name", "updated_at": "updated_at"}
    lookup_field = "code"
    related = ("enterprise", "region")

    @extend_schema(request=SiteStatusSerializer, responses=SiteSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request: Request, code: str) -> Response:
        """Suspend, reopen or shut the site, with the reason."""
        site = self.get_object()
        body = SiteStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(body.validated_data)
        return self._answer(services.change_site_status(actor=request.user, site=site, **data))


class StationViewSet(RegistryViewSet):
    """Weighbridges, by code (never their secrets)."""

    model = Station
    serializer_class = StationSerializer
    filterset_class = StationApiFilter
    ordering_fields = {"code": "code", "name": "name", "updated_at": "updated_at"}
    lookup_field = "code"
    related = ("site", "region")

    @extend_schema(request=ReasonSerializer, responses=StationSerializer)
    @action(detail=True, methods=["post"])
    def disable(self, request: Request, code: str) -> Response:
        """Stop honouring the station's signatures."""
        station = self.get_object()
        reason = self._reason(request)
        return self._answer(
            services.disable_station(actor=request.user, station=station, reason=reason)
        )


class VehicleViewSet(RegistryViewSet):
    """Trucks, by plate."""

    model = Vehicle
    serializer_class = VehicleSerializer
    filterset_class = VehicleApiFilter
    ordering_fields = {"plate": "plate", "axles": "axles", "updated_at": "updated_at"}
    lookup_field = "plate"
    related = ("owner",)

    @extend_schema(request=ReasonSerializer, responses=VehicleSerializer)
    @action(detail=True, methods=["post"])
    def blacklist(self, request: Request, plate: str) -> Response:
        """Bar the truck from hauling, with the reason."""
        vehicle = self.get_object()
        reason = self._reason(request)
        return self._answer(
            services.blacklist_vehicle(actor=request.user, vehicle=vehicle, reason=reason)
        )

    @extend_schema(request=ReasonSerializer, responses=VehicleSerializer)
    @action(detail=True, methods=["post"])
    def reinstate(self, request: Request, plate: str) -> Response:
        """Lift the blacklisting, with the reason."""
        vehicle = self.get_object()
        reason = self._reason(request)
        return self._answer(
            services.reinstate_vehicle(actor=request.user, vehicle=vehicle, reason=reason)
        )


class PermitViewSet(RegistryViewSet):
    """Permits, by number."""

    model = Permit
    serializer_class = PermitSerializer
    filterset_class = PermitApiFilter
    ordering_fields = {"number": "number", "valid_to": "valid_to", "updated_at": "updated_at"}
    lookup_field = "number"
    related = ("type", "holder", "site", "department__kind", "region")

    @extend_schema(request=PermitStatusSerializer, responses=PermitSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request: Request, number: str) -> Response:
        """Suspend, revoke or reinstate the permit, with the reason."""
        permit = self.get_object()
        body = PermitStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(body.validated_data)
        return self._answer(
            services.change_permit_status(actor=request.user, permit=permit, **data)
        )
