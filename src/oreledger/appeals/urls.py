"""Page routes of the appeals desk."""

from django.urls import path

from oreledger.appeals.views import appeals, ledger

app_name = "appeals"

urlpatterns = [
    path("", appeals.AppealListView.as_view(), name="appeal_list"),
    path("new/", appeals.appeal_new, name="appeal_new"),
    path("ledger/county/", ledger.ledger, {"by": "county"}, name="ledger_county"),
    path("ledger/department/", ledger.ledger, {"by": "department"}, name="ledger_department"),
    path("time-limits/", ledger.time_limits, name="time_limits"),
    path("<str:number>/", appeals.appeal_detail, name="appeal_detail"),
    path(
        "<str:number>/entries/<int:pk>/attachment/",
        appeals.entry_attachment,
        name="entry_attachment",
    ),
    path("<str:number>/<str:action>/", appeals.appeal_action, name="appeal_action"),
]
