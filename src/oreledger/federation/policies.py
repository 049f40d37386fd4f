"""Who sees the node table: the province (the hub's office and administrators)."""

from __future__ import annotations

from oreledger.core.permissions import PROVINCE_OFFICE, VIEW, ConfigurationPolicy, register
from oreledger.federation.models import Node

register(Node, ConfigurationPolicy(roles={VIEW: {PROVINCE_OFFICE}}))
