"""Accounts' pages in the menu."""

from django.utils.translation import gettext_lazy as _

from oreledger.accounts.models import User
from oreledger.accounts.signin import is_province, reads_sign_in_audit
from oreledger.core.navigation import MenuItem, register_menu_item
from oreledger.core.permissions import VIEW, may

register_menu_item(
    MenuItem(
        section=_("Administration"),
        label=_("Users"),
        url_name="accounts:user_list",
        visible=lambda user: may(user, VIEW, User),
        order=800,
    )
)


register_menu_item(
    MenuItem(
        section=_("Administration"),
        label=_("Sign-in audit"),
        url_name="accounts:sign_in_list",
        visible=reads_sign_in_audit,
        order=810,
    )
)
register_menu_item(
    MenuItem(
        section=_("Administration"),
        label=_("Password policy"),
        url_name="accounts:password_policy",
        visible=is_province,
        order=820,
    )
)
