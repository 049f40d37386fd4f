"""URLs of the shell."""

from django.urls import path

from oreledger.core import bundle_views, export_views, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("system/jobs/", views.JobsView.as_view(), name="jobs"),
    path("data/import/", bundle_views.bundle_import, name="bundle_import"),
    path("data/import/<uuid:run_uuid>/", bundle_views.bundle_run, name="bundle_run"),
    path("data/exports/<uuid:run_uuid>/", export_views.export_run, name="export_run"),
    path("data/exports/<uuid:run_uuid>/file/", export_views.export_file, name="export_file"),
]
