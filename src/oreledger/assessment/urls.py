"""Page routes of the assessment."""

from django.urls import path

from oreledger.assessment.views import scores

app_name = "assessment"

urlpatterns = [
    path("", scores.scheme_list, name="scheme_list"),
    path("<slug:code>/<str:period>/", scores.scheme_period, name="ranking"),
    path("<slug:code>/<str:period>/<str:county>/", scores.county, name="county"),
    path("<slug:code>/<str:period>/<str:county>/<str:kind>/", scores.records, name="records"),
]
