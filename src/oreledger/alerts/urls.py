"""URLs of alerts."""

from django.urls import path

from oreledger.alerts import views, views_cases, views_rules

app_name = "alerts"
urlpatterns = [
    path("", views.AlertListView.as_view(), name="alert_list"),
    path("overdue/", views.OverdueListView.as_view(), name="overdue"),
    path("by-county/", views.counts_by_county, name="counts_by_county"),
    path("rules/", views_rules.rule_list, name="rule_list"),
    path("rules/<str:code>/", views_rules.rule_detail, name="rule_detail"),
    path("cases/", views_cases.CaseListView.as_view(), name="case_list"),
    path("cases/new/", views_cases.case_new, name="case_new"),
    path("cases/<str:number>/", views_cases.case_detail, name="case_detail"),
    path("cases/<str:number>/pdf/", views_cases.case_pdf_view, name="case_pdf"),
    path("cases/<str:number>/<str:action>/", views_cases.case_action, name="case_action"),
    path("<uuid:pk>/", views.alert_detail, name="alert_detail"),
    path("<uuid:pk>/<str:action>/", views.alert_action, name="alert_action"),
]
