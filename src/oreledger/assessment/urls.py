"""Page routes of the assessment."""

from django.urls import path

from oreledger.assessment.views import evidence, schemes, scores

app_name = "assessment"

# The fixed words come first: `<code>/<period>/` would otherwise take "entries/review/".
urlpatterns = [
    path("", scores.scheme_list, name="scheme_list"),
    path("entries/", evidence.county_entries, name="evidence"),
    path("entries/review/", evidence.queue, name="evidence_queue"),
    path("entries/<int:pk>/decide/", evidence.decide, name="evidence_decide"),
    path("entries/<int:pk>/attachment/", evidence.attachment, name="evidence_attachment"),
    path("schemes/new/", schemes.scheme_new, name="scheme_new"),
    path("schemes/<slug:code>/edit/", schemes.scheme_edit, name="scheme_edit"),
    path("<slug:code>/<str:period>/", scores.scheme_period, name="ranking"),
    path("<slug:code>/<str:period>/<str:county>/", scores.county, name="county"),
    path("<slug:code>/<str:period>/<str:county>/<str:kind>/", scores.records, name="records"),
]
