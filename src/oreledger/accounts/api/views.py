"""API of accounts: regions, users, and who am I."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from oreledger.accounts.api.filters import RegionApiFilter, UserApiFilter
from oreledger.accounts.api.serializers import RegionSerializer, UserSerializer
from oreledger.accounts.models import Region, User


class RegionViewSet(viewsets.ReadOnlyModelViewSet[Region]):
    """Regions in the caller's jurisdiction."""

    serializer_class = RegionSerializer
    filterset_class = RegionApiFilter
    ordering_fields = {"code": "code", "path": "path"}
    lookup_field = "code"

    def get_queryset(self) -> Any:
        return Region.objects.for_user(self.request.user).select_related("parent").order_by("path")


class UserViewSet(viewsets.ReadOnlyModelViewSet[User]):
    """Accounts in the caller's jurisdiction."""

    serializer_class = UserSerializer
    filterset_class = UserApiFilter
    ordering_fields = {"username": "username", "last_login": "last_login"}
    lookup_field = "username"

    def get_queryset(self) -> Any:
        return (
            User.objects.for_user(self.request.user)
            .select_related("region", "department__kind", "enterprise")
            .order_by("username")
        )


@extend_schema(responses=UserSerializer)
@api_view(["GET"])
def me(request: Request) -> Response:
    """The caller's own account."""
    return Response(UserSerializer(User.objects.get(pk=request.user.pk)).data)
