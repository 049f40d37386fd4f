"""API URLs of grading."""

from rest_framework.routers import SimpleRouter

from oreledger.grading.api import views

router = SimpleRouter()
router.register("grading/standards", views.GradingStandardViewSet, basename="grading-standard")
router.register("grading/assays", views.AssayViewSet, basename="assay")

urlpatterns = router.urls
