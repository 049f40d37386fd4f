"""URLs of inspections."""

from django.urls import path

from oreledger.inspections.views import campaigns, checkup, dashboard, decisions, field, orders

app_name = "inspections"
urlpatterns = [
    path("", campaigns.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign_detail"),
    path("campaigns/new/", campaigns.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/checkup/<str:uscc>/", checkup.checkup, name="checkup"),
    path("campaigns/<int:pk>/checkup/<str:uscc>/pdf/", checkup.checkup_print, name="checkup_pdf"),
    path(
        "campaigns/<int:pk>/dashboard/<str:by>/",
        dashboard.campaign_dashboard_page,
        name="dashboard",
    ),
    path(
        "campaigns/<int:pk>/dashboard/<str:by>/<str:key>/",
        dashboard.dashboard_drill,
        name="dashboard_drill",
    ),
    path("campaigns/<int:pk>/inspect/<str:site>/", field.inspect, name="inspect"),
    path("visits/<int:pk>/", field.inspection_detail, name="inspection_detail"),
    path("visits/<int:pk>/photos/<int:photo>/", field.inspection_photo, name="inspection_photo"),
    path("visits/<int:pk>/order/", field.order_new, name="order_new"),
    path("orders/", orders.OrderListView.as_view(), name="order_list"),
    path("orders/<str:number>/", orders.order_detail, name="order_detail"),
    path(
        "orders/<str:number>/answers/<int:pk>/evidence/",
        orders.answer_evidence,
        name="answer_evidence",
    ),
    path("orders/<str:number>/<str:action>/", orders.order_action, name="order_action"),
    path("decisions/", decisions.DecisionListView.as_view(), name="decision_list"),
    path("decisions/<str:uscc>/new/", decisions.decision_new, name="decision_new"),
]
