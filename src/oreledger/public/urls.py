"""The portal's routes (no login)."""

from django.urls import path

from oreledger.public import views

app_name = "public"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:key>/", views.table, name="table"),
    path("<slug:key>/download/<str:fmt>/", views.download, name="download"),
]
