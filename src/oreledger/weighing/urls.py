"""URLs of weighing's pages."""

from django.urls import path

from oreledger.weighing import views

app_name = "weighing"
urlpatterns = [
    path("waybills/", views.WaybillListView.as_view(), name="waybill_list"),
    path("waybills/new/", views.waybill_issue, name="waybill_issue"),
    path("waybills/new/plates/", views.plate_options, name="plate_options"),
    path("waybills/<str:number>/", views.waybill_detail, name="waybill_detail"),
    path("waybills/<str:number>/slip/", views.waybill_slip, name="waybill_slip"),
    path("waybills/<str:number>/qr.svg", views.waybill_qr, name="waybill_qr"),
    path("waybills/<str:number>/void/", views.waybill_void, name="waybill_void"),
    path("tickets/", views.TicketListView.as_view(), name="ticket_list"),
    path("tickets/<uuid:pk>/", views.ticket_detail, name="ticket_detail"),
    path("corrections/", views.CorrectionListView.as_view(), name="correction_list"),
    path("corrections/<int:pk>/decide/", views.correction_decide, name="correction_decide"),
    path("blocking/", views.BlockingListView.as_view(), name="blocking_list"),
    path("blocking/<str:code>/", views.blocking_edit, name="blocking_edit"),
    path("stations/", views.StationListView.as_view(), name="station_list"),
    path("stations/<str:code>/", views.station_detail, name="station_detail"),
]
