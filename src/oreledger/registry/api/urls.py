"""API URLs of the registry."""

from rest_framework.routers import SimpleRouter

from oreledger.registry.api import views

router = SimpleRouter()
router.register("enterprises", views.EnterpriseViewSet, basename="enterprise")
router.register("sites", views.SiteViewSet, basename="site")
router.register("stations", views.StationViewSet, basename="station")
router.register("vehicles", views.VehicleViewSet, basename="vehicle")
router.register("permits", views.PermitViewSet, basename="permit")

urlpatterns = router.urls
