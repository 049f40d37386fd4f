"""API shapes of the registry: records by their keys; writes go through the services.

Station secrets never appear here: a secret is shown once, on the station's page.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from oreledger.accounts.models import DepartmentKind, Region
from oreledger.core.permissions import CHANGE, VIEW
from oreledger.registry import services
from oreledger.registry.choices import OperatingStatus, PermitStatus, Rectification
from oreledger.registry.models import (
    Enterprise,
    Permit,
    PermitType,
    Site,
    Station,
    Vehicle,
    parse_hours,
)

UNKNOWN_REFERENCE = _("Unknown {value}, or outside your jurisdiction.")
UNKNOWN_DEPARTMENT = _("Unknown department {value}.")

_COORDINATE = {"max_digits": 9, "decimal_places": 6, "coerce_to_string": False}


class ScopedSlugField(serializers.SlugRelatedField):
    """A reference by key to a row the caller may act on; anything else is "unknown"."""

    def __init__(
        self, model: type[models.Model], slug_field: str, action: str = VIEW, **kwargs: Any
    ):
        self.model, self.action = model, action
        kwargs.setdefault("error_messages", {"does_not_exist": UNKNOWN_REFERENCE})
        if not kwargs.get("read_only"):
            kwargs["queryset"] = model._default_manager.none()
        super().__init__(slug_field=slug_field, **kwargs)

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        manager: Any = self.model._default_manager
        return manager.for_user(getattr(request, "user", None), self.action)


@extend_schema_field(OpenApiTypes.STR)
class DepartmentField(serializers.Field):
    """An issuing department by its kind's code (e.g. "natural_resources")."""

    default_error_messages = {"does_not_exist": UNKNOWN_DEPARTMENT}

    def to_representation(self, value: Any) -> str:
        return str(value.kind.code)

    def to_internal_value(self, data: Any) -> DepartmentKind:
        kind = DepartmentKind.objects.filter(code=str(data)).first()
        if kind is None:
            self.fail("does_not_exist", value=data)
        assert kind is not None
        return kind


class RegistrySerializer(serializers.ModelSerializer):
    """Writes call the service of the model; keys cannot change after creation."""

    keys: tuple[str, ...] = ()

    def _actor(self) -> Any:
        return self.context["request"].user

    def update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        for key in self.keys:
            validated_data.pop(key, None)
        return self.update_record(instance, validated_data)

    def update_record(self, instance: Any, data: dict[str, Any]) -> Any:
        """Call the model's update service."""
        raise NotImplementedError


class EnterpriseSerializer(RegistrySerializer):
    """An enterprise by its unified social credit code."""

    keys = ("uscc",)
    region = ScopedSlugField(Region, "code")
    status = serializers.CharField(read_only=True)
    classification = serializers.CharField(read_only=True)

    class Meta:
        model = Enterprise
        fields = [
            "uscc",
            "name",
            "kind",
            "industry",
            "region",
            "legal_rep",
            "status",
            "classification",
            "uuid",
            "version",
            "updated_at",
        ]
        read_only_fields = ["uuid", "version", "updated_at"]
        extra_kwargs: ClassVar[dict[str, Any]] = {"uscc": {"validators": []}}

    def create(self, validated_data: dict[str, Any]) -> Enterprise:
        return services.create_enterprise(actor=self._actor(), **validated_data)

    def update_record(self, instance: Enterprise, data: dict[str, Any]) -> Enterprise:
        return services.update_enterprise(actor=self._actor(), enterprise=instance, **data)


class HoursField(serializers.CharField):
    """Permitted working hours as "06:00-22:00"."""

    def to_internal_value(self, data: Any) -> tuple[int, int]:  # type: ignore[override]

        try:
            return parse_hours(str(data))
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


class SiteSerializer(RegistrySerializer):
    """A mine, plant or yard by its code."""

    keys = ("code", "enterprise")
    enterprise = ScopedSlugField(Enterprise, "uscc", CHANGE)
    region = ScopedSlugField(Region, "code", required=False)
    lat = serializers.DecimalField(**_COORDINATE)  # type: ignore[arg-type]
    lon = serializers.DecimalField(**_COORDINATE)  # type: ignore[arg-type]
    boundary = serializers.JSONField(required=False, allow_null=True)
    permitted_hours = HoursField(required=False)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Site
        fields = [
            "code",
            "name",
            "kind",
            "enterprise",
            "region",
            "lat",
            "lon",
            "boundary",
            "capacity_t",
            "permitted_hours",
            "status",
            "uuid",
            "version",
        ]
        read_only_fields = ["uuid", "version"]
        extra_kwargs: ClassVar[dict[str, Any]] = {"code": {"validators": []}}

    @staticmethod
    def _hours(data: dict[str, Any]) -> dict[str, Any]:
        hours = data.pop("permitted_hours", None)
        if hours is not None:
            data["hours_from"], data["hours_to"] = hours
        return data

    def create(self, validated_data: dict[str, Any]) -> Site:
        return services.create_site(actor=self._actor(), **self._hours(validated_data))

    def update_record(self, instance: Site, data: dict[str, Any]) -> Site:
        return services.update_site(actor=self._actor(), site=instance, **self._hours(data))


class StationSerializer(RegistrySerializer):
    """A weighbridge by its code; whether it is active, never its secret."""

    keys = ("code",)
    site = ScopedSlugField(Site, "code", CHANGE, required=False, allow_null=True)
    region = ScopedSlugField(Region, "code", required=False)
    lat = serializers.DecimalField(**_COORDINATE)  # type: ignore[arg-type]
    lon = serializers.DecimalField(**_COORDINATE)  # type: ignore[arg-type]
    active = serializers.SerializerMethodField()
    has_secret = serializers.BooleanField(read_only=True)

    class Meta:
        model = Station
        fields = [
            "code",
            "name",
            "site",
            "region",
            "lat",
            "lon",
            "active",
            "has_secret",
            "secret_rotated_at",
            "disabled_at",
            "uuid",
            "version",
        ]
        read_only_fields = ["secret_rotated_at", "disabled_at", "uuid", "version"]
        extra_kwargs: ClassVar[dict[str, Any]] = {"code": {"validators": []}}

    def get_active(self, obj: Station) -> bool:
        """Whether the station's signatures are honoured."""
        return obj.disabled_at is None and obj.has_secret

    def create(self, validated_data: dict[str, Any]) -> Station:
        # The secret is issued on the station's page, where it is shown once to a person.
        station, _secret = services.create_station(
            actor=self._actor(),
            region=validated_data.pop("region", None),
            issue_secret=False,
            **validated_data,
        )
        return station

    def update_record(self, instance: Station, data: dict[str, Any]) -> Station:
        return services.update_station(actor=self._actor(), station=instance, **data)


class VehicleSerializer(RegistrySerializer):
    """A truck by its plate."""

    keys = ("plate",)
    owner = ScopedSlugField(Enterprise, "uscc", CHANGE)
    status = serializers.CharField(read_only=True)
    blacklist_reason = serializers.CharField(read_only=True)

    class Meta:
        model = Vehicle
        fields = [
            "plate",
            "owner",
            "axles",
            "tare_kg",
            "status",
            "blacklist_reason",
            "uuid",
            "version",
        ]
        read_only_fields = ["uuid", "version"]
        extra_kwargs: ClassVar[dict[str, Any]] = {"plate": {"validators": []}}

    def create(self, validated_data: dict[str, Any]) -> Vehicle:
        return services.create_vehicle(actor=self._actor(), **validated_data)

    def update_record(self, instance: Vehicle, data: dict[str, Any]) -> Vehicle:
        return services.update_vehicle(actor=self._actor(), vehicle=instance, **data)


class PermitSerializer(RegistrySerializer):
    """A permit by its number."""

    keys = ("number", "holder")
    type = serializers.SlugRelatedField(
        slug_field="code",
        queryset=PermitType.objects.all(),
        error_messages={"does_not_exist": UNKNOWN_REFERENCE},
    )
    holder = ScopedSlugField(Enterprise, "uscc")
    site = ScopedSlugField(Site, "code", required=False, allow_null=True)
    department = DepartmentField(required=False)
    region: Any = serializers.SlugRelatedField(slug_field="code", read_only=True)
    status = serializers.CharField(read_only=True)
    validity_state = serializers.CharField(read_only=True)

    class Meta:
        model = Permit
        fields = [
            "number",
            "type",
            "holder",
            "site",
            "department",
            "region",
            "valid_from",
            "valid_to",
            "status",
            "validity_state",
            "scope_t",
            "mineral",
            "uuid",
            "version",
        ]
        read_only_fields = ["uuid", "version"]
        extra_kwargs: ClassVar[dict[str, Any]] = {"number": {"validators": []}}

    def create(self, validated_data: dict[str, Any]) -> Permit:
        return services.create_permit(actor=self._actor(), **validated_data)

    def update_record(self, instance: Permit, data: dict[str, Any]) -> Permit:
        return services.update_permit(actor=self._actor(), permit=instance, **data)


class ReasonSerializer(serializers.Serializer):
    """Why (blacklisting, reinstating, disabling)."""

    reason = serializers.CharField(max_length=300)


class EnterpriseStatusSerializer(ReasonSerializer):
    """A new status and, optionally, a rectification classification."""

    status = serializers.ChoiceField(choices=OperatingStatus.choices)
    classification = serializers.ChoiceField(
        choices=[("", ""), *Rectification.choices], required=False
    )


class SiteStatusSerializer(ReasonSerializer):
    """A new operating status for a site."""

    status = serializers.ChoiceField(choices=OperatingStatus.choices)


class PermitStatusSerializer(ReasonSerializer):
    """Suspend, revoke or reinstate."""

    status = serializers.ChoiceField(choices=PermitStatus.choices)
