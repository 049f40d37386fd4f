"""API URLs of alerts: "/api/v1/alerts" as docs/specs/api-essentials.md writes it, and cases."""

from rest_framework.routers import SimpleRouter

from oreledger.alerts.api import views

router = SimpleRouter(trailing_slash=False)
router.register("alerts", views.AlertViewSet, basename="alert")
router.register("cases", views.CaseViewSet, basename="case")
slashed = SimpleRouter()
slashed.register("alerts", views.AlertViewSet, basename="alert-slash")
slashed.register("cases", views.CaseViewSet, basename="case-slash")

urlpatterns = [*router.urls, *slashed.urls]
