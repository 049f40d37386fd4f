"""API URLs of joint inspections: /api/v1/inspections/…"""

from rest_framework.routers import SimpleRouter

from oreledger.inspections.api import views

router = SimpleRouter()
router.register("inspections/campaigns", views.CampaignViewSet, basename="campaign")
router.register("inspections/visits", views.InspectionViewSet, basename="inspection")
router.register("inspections/findings", views.FindingViewSet, basename="finding")
router.register("inspections/orders", views.OrderViewSet, basename="order")
router.register("inspections/decisions", views.DecisionViewSet, basename="decision")

urlpatterns = router.urls
