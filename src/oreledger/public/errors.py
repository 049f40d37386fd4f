"""Refusals of the public portal: stable codes and sentences."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oreledger.core.errors import DomainError


class UnknownTable(DomainError):
    """A download or API path naming no published table."""

    status = 404

    def __init__(self) -> None:
        super().__init__("unknown_table", _("There is no such published table."))
