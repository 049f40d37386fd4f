"""API URLs of the assessment."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from oreledger.assessment.api import views

router = SimpleRouter(trailing_slash=False)
router.register("assessment/schemes", views.SchemeViewSet, basename="scheme")

urlpatterns = [
    path(
        "assessment/schemes/<slug:code>/ranking/<str:period>",
        views.RankingView.as_view(),
        name="ranking",
    ),
    path(
        "assessment/schemes/<slug:code>/scores/<str:period>/<str:county>",
        views.ScoreView.as_view(),
        name="score",
    ),
    *router.urls,
]
