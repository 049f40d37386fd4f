"""Refusals of the public portal: stable codes and sentences."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oreledger.core.errors import DomainError


class RateLimited(DomainError):
    """Too many requests from one client address inside the window."""

    status = 429

    def __init__(self, *, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(
            "rate_limited",
            _("Too many requests from your address; try again in %(seconds)s seconds."),
            params={"seconds": retry_after},
        )


class UnknownTable(DomainError):
    """A download or API path naming no published table."""

    status = 404

    def __init__(self) -> None:
        super().__init__("unknown_table", _("There is no such published table."))
