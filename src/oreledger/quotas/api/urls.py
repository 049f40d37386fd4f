"""API URLs of quotas."""

from django.urls import path

from oreledger.quotas.api import views

urlpatterns = [path("quota/accounts", views.QuotaAccountList.as_view(), name="quota-accounts")]
