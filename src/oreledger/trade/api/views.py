"""API of trade: contracts by number, listings, bids, floor prices, the public price index."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from oreledger.core.api.filtering import reject_unknown_parameters
from oreledger.core.errors import NotFound
from oreledger.core.permissions import ENTERPRISE_USER
from oreledger.registry.models import Enterprise, Site
from oreledger.trade import services
from oreledger.trade.api.filters import (
    BidApiFilter,
    ContractApiFilter,
    FloorPriceApiFilter,
    ListingApiFilter,
)
from oreledger.trade.api.serializers import (
    ApproveSerializer,
    BidSerializer,
    ContractCreateSerializer,
    ContractSerializer,
    FloorPriceSerializer,
    ListingSerializer,
    NoteSerializer,
)
from oreledger.trade.models import Bid, Contract, FloorPrice, Listing
from oreledger.trade.queries import price_index as compute_index
from oreledger.trade.services._common import grade_for


def _get(model: type[Any], message: str, **lookup: Any) -> Any:
    found = model.objects.filter(**lookup).first()
    if found is None:
        raise NotFound("not_found", message)
    return found


def _site(code: str) -> Site:
    return _get(Site, f"Unknown site {code}.", code=code)


class ContractViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Contract]):
    """Contracts the caller is party to or that touch their region, by number."""

    serializer_class = ContractSerializer
    lookup_field = "number"
    filterset_class = ContractApiFilter
    ordering_fields = {
        "valid_from": "valid_from",
        "number": "number",
        "approved_at": "approved_at",
        "quantity_kg": "quantity_kg",
    }

    def get_queryset(self) -> Any:
        return (
            Contract.objects.for_user(self.request.user)
            .select_related(
                "seller",
                "buyer",
                "origin_site",
                "destination_site",
                "grade",
                "region",
                "supersedes",
            )
            .order_by("-valid_from", "number")
        )

    @extend_schema(request=ContractCreateSerializer, responses={201: ContractSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Register a contract negotiated elsewhere, as a draft."""
        incoming = ContractCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        contract = services.create_contract(
            actor=request.user,
            seller=_get(Enterprise, "Unknown seller.", uscc=data["seller"].upper()),
            buyer=_get(Enterprise, "Unknown buyer.", uscc=data["buyer"].upper()),
            origin_site=_site(data["origin_site"]),
            destination_site=_site(data["destination_site"]),
            grade=grade_for(data["grade"], data["valid_from"]),
            quantity_kg=data["quantity_kg"],
            unit_price=data["unit_price"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
        )
        return Response(ContractSerializer(contract).data, status=status.HTTP_201_CREATED)

    def _done(self, contract: Contract) -> Response:
        contract.refresh_from_db()
        return Response(ContractSerializer(contract).data)

    @extend_schema(request=None, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, number: str) -> Response:
        """Send a draft to the county."""
        return self._done(services.submit_contract(actor=request.user, contract=self.get_object()))

    @extend_schema(request=ApproveSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, number: str) -> Response:
        """Register a submitted contract (the county; under the floor the province)."""
        incoming = ApproveSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return self._done(
            services.approve_contract(
                actor=request.user,
                contract=self.get_object(),
                override_reason=incoming.validated_data["override_reason"],
            )
        )

    @extend_schema(request=NoteSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, number: str) -> Response:
        """Send a submitted contract back to its parties."""
        incoming = NoteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return self._done(
            services.return_contract(
                actor=request.user, contract=self.get_object(), note=incoming.validated_data["note"]
            )
        )


class ListingViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Listing]):
    """Listings: the seller's own and the open ones buyers may bid on."""

    serializer_class = ListingSerializer
    lookup_field = "number"
    filterset_class = ListingApiFilter
    ordering_fields = {"created_at": "created_at", "asking_price": "asking_price"}

    def get_queryset(self) -> Any:
        return (
            Listing.objects.for_user(self.request.user)
            .select_related("seller", "site", "grade")
            .order_by("-created_at", "-id")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Offer a grade and tonnage of one of the caller's mines."""
        incoming = ListingSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        result = services.create_listing(
            actor=request.user,
            site=_site(data["site"]["code"]),
            grade=grade_for(data["grade"]["code"], data["valid_from"]),
            quantity_kg=data["quantity_kg"],
            asking_price=data["asking_price"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
            note=data.get("note", ""),
        )
        body = ListingSerializer(result.listing).data
        return Response({**body, "warnings": result.warnings}, status=status.HTTP_201_CREATED)


class BidViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[Bid]):
    """Bids: the bidder's own, and every bid on the caller's listings."""

    serializer_class = BidSerializer
    filterset_class = BidApiFilter
    ordering_fields = {"created_at": "created_at", "price": "price"}

    def get_queryset(self) -> Any:
        return (
            Bid.objects.for_user(self.request.user)
            .select_related("listing", "bidder", "destination_site", "contract")
            .order_by("-created_at", "-id")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Bid on an open listing."""
        incoming = BidSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        listing = (
            Listing.objects.for_user(request.user).filter(number=data["listing"]["number"]).first()
        )
        if listing is None:
            raise NotFound("not_found", "Unknown listing.")
        bid = services.place_bid(
            actor=request.user,
            listing=listing,
            destination_site=_site(data["destination_site"]["code"]),
            price=data["price"],
            quantity_kg=data["quantity_kg"],
            note=data.get("note", ""),
        )
        return Response(BidSerializer(bid).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=BidSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        """The seller accepts the bid: a draft contract (409 when the listing is sold)."""
        bid = services.accept_bid(actor=request.user, bid=self.get_object())
        return Response(BidSerializer(bid).data)


class FloorPriceViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet[FloorPrice]):
    """Floor prices by grade, with their history; the province adds new ones."""

    serializer_class = FloorPriceSerializer
    filterset_class = FloorPriceApiFilter
    ordering_fields = {"valid_from": "valid_from", "grade": "grade__rank"}

    def get_queryset(self) -> Any:
        return (
            FloorPrice.objects.for_user(self.request.user)
            .select_related("grade")
            .order_by("grade__rank", "-valid_from", "pk")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Set a grade's floor from a date."""
        incoming = FloorPriceSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        floor = services.set_floor_price(
            actor=request.user,
            grade=grade_for(data["grade"]["code"], data["valid_from"]),
            valid_from=data["valid_from"],
            floor_yuan=data["floor_yuan"],
            note=data.get("note", ""),
        )
        return Response(FloorPriceSerializer(floor).data, status=status.HTTP_201_CREATED)


@extend_schema(
    parameters=[OpenApiParameter("weeks", int, description="4–52, default 12")],
    responses={200: dict},
)
@api_view(["GET"])
def price_index(request: Request) -> Response:
    """The weekly price index by grade: contracted and delivered tonnes and prices.

    Signed-in readers only; the public reads the portal's `/api/v1/public/prices`. An
    enterprise, a market participant, reads it as the public does (cells of too few sellers
    withheld).
    """
    reject_unknown_parameters(request, ["weeks"])
    try:
        weeks = max(1, min(52, forms.IntegerField().clean(request.query_params.get("weeks", 12))))
    except DjangoValidationError as exc:
        # An unreadable value is refused (as every list's filters are), not read as 12.
        raise ValidationError({"weeks": exc.messages}) from None
    enterprise = getattr(request.user, "role", None) == ENTERPRISE_USER
    return Response(compute_index(weeks=weeks, public=enterprise))
