"""URLs of grading."""

from django.urls import path

from oreledger.grading import views

app_name = "grading"
urlpatterns = [
    path("", views.standard, name="standard"),
    path("standards/new/", views.standard_new, name="standard_new"),
    path("standards/<str:code>/", views.standard_detail, name="standard_detail"),
    path("assays/", views.AssayListView.as_view(), name="assay_list"),
    path("assays/new/", views.assay_new, name="assay_new"),
    path("mix/", views.mix, name="mix"),
]
