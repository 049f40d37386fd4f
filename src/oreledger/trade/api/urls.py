"""API URLs of trade."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from oreledger.trade.api import views

router = SimpleRouter()
router.register("contracts", views.ContractViewSet, basename="contract")
router.register("listings", views.ListingViewSet, basename="listing")
router.register("bids", views.BidViewSet, basename="bid")
router.register("floor-prices", views.FloorPriceViewSet, basename="floor-price")

urlpatterns = [
    path("price-index", views.price_index, name="price-index"),
    # docs/specs/api-essentials.md writes GET /api/v1/contracts/{number} without the trailing slash.
    re_path(
        r"^contracts/(?P<number>[^/.]+)$",
        views.ContractViewSet.as_view({"get": "retrieve"}),
        name="contract-by-number",
    ),
    *router.urls,
]
