"""URLs of the shell."""

from django.urls import path

from oreledger.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("system/jobs/", views.JobsView.as_view(), name="jobs"),
]
