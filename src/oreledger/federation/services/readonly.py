"""On the hub, records received from a node are read-only: only their owner changes them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import pre_delete, pre_save

from oreledger.core.models import FederatedModel
from oreledger.federation.errors import FederationError


def _refuse_foreign(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Any save or delete of another node's record refused (the hub applies in bulk)."""
    if settings.OL_NODE_ROLE == "standalone" or not isinstance(instance, FederatedModel):
        return
    if instance.owner_node != settings.OL_NODE_CODE and not kwargs.get("raw"):
        raise FederationError("received_read_only", status=403, owner=instance.owner_node)


def guard_received_records() -> None:
    """Connect the guard (from the app's ready)."""
    pre_save.connect(_refuse_foreign, dispatch_uid="federation.read_only.save")
    pre_delete.connect(_refuse_foreign, dispatch_uid="federation.read_only.delete")
