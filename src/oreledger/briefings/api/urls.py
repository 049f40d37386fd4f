"""API URLs of briefings."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from oreledger.briefings.api import views

router = SimpleRouter(trailing_slash=False)
router.register("briefings", views.BriefingViewSet, basename="briefing")
slashed = SimpleRouter()
slashed.register("briefings", views.BriefingViewSet, basename="briefing-slash")

urlpatterns = [
    path("briefings/week/", views.WeekView.as_view(), name="week"),
    *router.urls,
    *slashed.urls,
]
