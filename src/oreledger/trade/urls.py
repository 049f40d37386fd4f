"""URLs of trade."""

from django.urls import path

from oreledger.trade import views, views_contracts

app_name = "trade"
urlpatterns = [
    path("listings/", views.ListingListView.as_view(), name="listing_list"),
    path("listings/new/", views.listing_create, name="listing_create"),
    path("listings/<str:number>/", views.listing_detail, name="listing_detail"),
    path("listings/<str:number>/bid/", views.bid_create, name="bid_create"),
    path("listings/<str:number>/withdraw/", views.listing_withdraw, name="listing_withdraw"),
    path("bids/<int:pk>/accept/", views.bid_accept, name="bid_accept"),
    path("bids/<int:pk>/reject/", views.bid_reject, name="bid_reject"),
    path("bids/<int:pk>/withdraw/", views.bid_withdraw, name="bid_withdraw"),
    path("contracts/", views_contracts.ContractListView.as_view(), name="contract_list"),
    path("contracts/new/", views_contracts.contract_create, name="contract_create"),
    path("contracts/<str:number>/", views_contracts.contract_detail, name="contract_detail"),
    path(
        "contracts/<str:number>/<str:action>/",
        views_contracts.contract_action,
        name="contract_action",
    ),
    path("approvals/", views_contracts.ApprovalQueueView.as_view(), name="approval_queue"),
    path("floor-prices/", views.floor_prices, name="floor_prices"),
    path("prices/", views.price_index, name="price_index"),
    path("notifications/", views.notifications, name="notifications"),
]
