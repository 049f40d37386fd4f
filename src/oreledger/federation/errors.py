"""Refusals of the federation protocol: stable codes and sentences; a refusal changes nothing."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from oreledger.core.errors import DomainError

MESSAGES: dict[str, Promise] = {
    "node_unknown": _("This node is not registered on the hub."),
    "bad_signature": _("The request's signature does not match the node's secret."),
    "stale_timestamp": _("The request's time is more than five minutes from the hub's clock."),
    "malformed": _("The batch is not in the federation protocol's format: %(detail)s"),
    "payload_too_large": _("A batch holds at most 1,000 changes and 4 MiB."),
    "seq_gap": _("The batch starts at %(from_seq)s; the hub expects %(expected)s."),
    "not_owner": _("Record %(uuid)s belongs to node %(owner)s; the whole batch was refused."),
    "unknown_model": _("Records of kind %(model)s do not federate."),
    "unknown_reference": _("Change %(seq)s refers to %(model)s %(uuid)s, which the hub lacks."),
    "node_restored": _(
        "The node's last seq (%(last_seq)s) is below what the hub already holds (%(acked)s): "
        "it was restored from an older backup. Nothing was overwritten on the hub."
    ),
    "received_read_only": _("Only node %(owner)s changes this record; the hub holds a copy."),
    "not_hub": _("This platform is not a federation hub."),
    "node_exists": _("Node %(node)s is already registered; use --rotate for a new secret."),
    "code_invalid": _("A node code is a GB/T 2260 region code of 6, 9 or 12 digits."),
}


class FederationError(DomainError):
    """A refused federation request or action; nothing was changed."""

    def __init__(self, code: str, *, status: int = 400, **params: Any):
        super().__init__(code, MESSAGES[code], params=params, status=status)
