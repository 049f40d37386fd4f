"""API URLs of quotas."""

from django.urls import path

from oreledger.quotas.api import views

urlpatterns = [path("quota/accounts", views.quota_accounts, name="quota-accounts")]
