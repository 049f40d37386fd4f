"""URLs of alerts."""

from django.urls import path

from oreledger.alerts.views import alerts, cases, rules

app_name = "alerts"
urlpatterns = [
    path("", alerts.AlertListView.as_view(), name="alert_list"),
    path("overdue/", alerts.OverdueListView.as_view(), name="overdue"),
    path("by-county/", alerts.counts_by_county, name="counts_by_county"),
    path("rules/", rules.rule_list, name="rule_list"),
    path("rules/<str:code>/", rules.rule_detail, name="rule_detail"),
    path("cases/", cases.CaseListView.as_view(), name="case_list"),
    path("cases/new/", cases.case_new, name="case_new"),
    path("cases/<str:number>/", cases.case_detail, name="case_detail"),
    path("cases/<str:number>/pdf/", cases.case_pdf_view, name="case_pdf"),
    path(
        "cases/<str:number>/notes/<int:pk>/attachment/",
        cases.case_note_attachment,
        name="case_note_attachment",
    ),
    path("cases/<str:number>/<str:action>/", cases.case_action, name="case_action"),
    path("<uuid:pk>/", alerts.alert_detail, name="alert_detail"),
    path("<uuid:pk>/<str:action>/", alerts.alert_action, name="alert_action"),
]
