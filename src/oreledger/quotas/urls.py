"""URLs of quotas."""

from django.urls import path

from oreledger.quotas import views

app_name = "quotas"
urlpatterns = [
    path("", views.AccountListView.as_view(), name="account_list"),
    path("accounts/<int:pk>/", views.account_detail, name="account_detail"),
    path("accounts/<int:pk>/burndown.json", views.account_burndown, name="account_burndown"),
    path("accounts/<int:pk>/transfer/", views.transfer_new, name="transfer_new"),
    path("accounts/<int:pk>/adjust/", views.adjust_new, name="adjust_new"),
    path("allocate/", views.allocate, name="allocate"),
    path("allocate/check/", views.allocate_check, name="allocate_check"),
    path("periods/open/", views.period_open, name="period_open"),
    path("changes/", views.change_list, name="change_list"),
    path(
        "changes/<int:pk>/<str:decision>/",
        views.change_decide,
        name="change_decide",
    ),
]
