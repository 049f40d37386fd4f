"""The platform's URL map."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularSwaggerSplitView,
)

from oreledger.core import error_pages

# Django tries patterns in order: the station protocol, called for every weighed truck,
# comes first (resolving it behind every other app's API patterns cost ~9% of its CPU).
api_v1 = [
    path("", include(("oreledger.weighing.api.urls", "weighing"), namespace="weighing")),
    path("", include(("oreledger.accounts.api.urls", "accounts"), namespace="accounts")),
    path("", include(("oreledger.registry.api.urls", "registry"), namespace="registry")),
    path("", include(("oreledger.grading.api.urls", "grading"), namespace="grading")),
    path("", include(("oreledger.quotas.api.urls", "quotas"), namespace="quotas")),
    path("", include(("oreledger.trade.api.urls", "trade"), namespace="trade")),
    path("", include(("oreledger.alerts.api.urls", "alerts"), namespace="alerts")),
    path("", include(("oreledger.dashboards.api.urls", "dashboards"), namespace="dashboards")),
    path("", include(("oreledger.appeals.api.urls", "appeals"), namespace="appeals")),
    path("", include(("oreledger.worklist.api.urls", "worklist"), namespace="worklist")),
    path("", include(("oreledger.assessment.api.urls", "assessment"), namespace="assessment")),
    path("", include(("oreledger.briefings.api.urls", "briefings"), namespace="briefings")),
    path("", include(("oreledger.public.api.urls", "public"), namespace="public")),
]

urlpatterns = [
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("", include("oreledger.core.urls")),
    path("accounts/", include("oreledger.accounts.urls")),
    path("registry/", include("oreledger.registry.urls")),
    path("grading/", include("oreledger.grading.urls")),
    path("quotas/", include("oreledger.quotas.urls")),
    path("trade/", include("oreledger.trade.urls")),
    path("weighing/", include("oreledger.weighing.urls")),
    path("alerts/", include("oreledger.alerts.urls")),
    path("inspections/", include("oreledger.inspections.urls")),
    path("dashboards/", include("oreledger.dashboards.urls")),
    path("appeals/", include("oreledger.appeals.urls")),
    path("worklist/", include("oreledger.worklist.urls")),
    path("assessment/", include("oreledger.assessment.urls")),
    path("briefings/", include("oreledger.briefings.urls")),
    path("public/", include("oreledger.public.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

handler400 = error_pages.bad_request
handler403 = error_pages.forbidden
handler404 = error_pages.not_found
handler500 = error_pages.server_error
