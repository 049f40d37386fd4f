"""The portal's API routes under /api/v1/public/."""

from django.urls import path

from oreledger.public.api import views

urlpatterns = [
    path("public/", views.tables, name="public-tables"),
    path("public/<slug:key>", views.table, name="public-table"),
]
