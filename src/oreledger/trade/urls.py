"""URLs of trade."""

from django.urls import path

from oreledger.trade.views import contracts, market

app_name = "trade"
urlpatterns = [
    path("listings/", market.ListingListView.as_view(), name="listing_list"),
    path("listings/new/", market.listing_create, name="listing_create"),
    path("listings/<str:number>/", market.listing_detail, name="listing_detail"),
    path("listings/<str:number>/bid/", market.bid_create, name="bid_create"),
    path("listings/<str:number>/withdraw/", market.listing_withdraw, name="listing_withdraw"),
    path("bids/<int:pk>/accept/", market.bid_accept, name="bid_accept"),
    path("bids/<int:pk>/reject/", market.bid_reject, name="bid_reject"),
    path("bids/<int:pk>/withdraw/", market.bid_withdraw, name="bid_withdraw"),
    path("contracts/", contracts.ContractListView.as_view(), name="contract_list"),
    path("contracts/new/", contracts.contract_create, name="contract_create"),
    path("contracts/<str:number>/", contracts.contract_detail, name="contract_detail"),
    path(
        "contracts/<str:number>/<str:action>/",
        contracts.contract_action,
        name="contract_action",
    ),
    path("approvals/", contracts.ApprovalQueueView.as_view(), name="approval_queue"),
    path("floor-prices/", market.floor_prices, name="floor_prices"),
    path("prices/", market.price_index, name="price_index"),
    path("notifications/", market.notifications, name="notifications"),
]
