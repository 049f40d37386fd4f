"""Refusals of the accounts services."""

from django.utils.translation import gettext_lazy as _

from oreledger.core.errors import DomainError

LOGIN_THROTTLED = _(
    "Too many failed logins. Try again in %(minutes)s minutes or ask your administrator."
)


class LoginThrottled(DomainError):
    """Too many recent failures for this username or address."""

    status = 429

    def __init__(self, minutes: int) -> None:
        super().__init__("login_throttled", LOGIN_THROTTLED, params={"minutes": minutes})
