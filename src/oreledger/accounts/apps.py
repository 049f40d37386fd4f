"""Accounts: people, their roles, regions (GB/T 2260) and departments."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Users, jurisdictions and API tokens."""

    name = "oreledger.accounts"
    label = "accounts"
    verbose_name = _("Accounts and jurisdictions")

    def ready(self) -> None:
        # why: registrations run once the app registry is ready (these modules import models).
        from django.contrib import admin

        from oreledger.accounts import (  # noqa: F401  (registrations)
            bundle,
            jobs,
            menu,
            policies,
            receivers,
        )
        from oreledger.accounts.forms import ThrottledAdminLoginForm

        # The admin's login page is a second door: it must count failures like the first.
        admin.site.login_form = ThrottledAdminLoginForm
