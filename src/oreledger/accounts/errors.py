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


class SecondFactorRefused(DomainError):
    """The authenticator or recovery code is wrong, already used, or out of time."""

    def __init__(self) -> None:
        super().__init__(
            "second_factor_wrong",
            _("The code is wrong or has already been used. Enter the current code."),
        )


class AlreadyEnrolled(DomainError):
    """The person already has a confirmed authenticator."""

    status = 409

    def __init__(self) -> None:
        super().__init__(
            "second_factor_enrolled",
            _("An authenticator is already set up; ask the province office to reset it."),
        )


class TokenExpiryInvalid(DomainError):
    """A token's validity outside 1 day … the platform's maximum."""

    def __init__(self, maximum: int) -> None:
        super().__init__(
            "token_expiry_invalid",
            _("A token is valid for 1 to %(maximum)s days."),
            params={"maximum": maximum},
            fields={"days": [f"1–{maximum}"]},
        )
