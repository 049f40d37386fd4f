"""API URLs of weighing: the signed station protocol and the waybill/ticket API."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from oreledger.weighing.api import station, views

# "/api/v1/waybills" as docs/specs/api-essentials.md writes it, and with the slash the other
# apps use.
router = SimpleRouter(trailing_slash=False)
router.register("waybills", views.WaybillViewSet, basename="waybill")
router.register("tickets", views.TicketViewSet, basename="ticket")
slashed = SimpleRouter()
slashed.register("waybills", views.WaybillViewSet, basename="waybill-slash")
slashed.register("tickets", views.TicketViewSet, basename="ticket-slash")

urlpatterns = [
    path("station/tickets", station.TicketBatchView.as_view(), name="station_tickets"),
    path("station/heartbeat", station.HeartbeatView.as_view(), name="station_heartbeat"),
    path(
        "station/waybills/<str:number>",
        station.StationWaybillView.as_view(),
        name="station_waybill",
    ),
    *router.urls,
    *slashed.urls,
]
