"""API URLs of the appeals desk."""

from rest_framework.routers import SimpleRouter

from oreledger.appeals.api import views

router = SimpleRouter(trailing_slash=False)
router.register("appeals", views.AppealViewSet, basename="appeal")
slashed = SimpleRouter()
slashed.register("appeals", views.AppealViewSet, basename="appeal-slash")

urlpatterns = [*router.urls, *slashed.urls]
