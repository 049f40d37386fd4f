"""The contracts section of the enterprise file (一企一档)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oreledger.registry.dossier import DossierSection, register_section
from oreledger.trade.models import Contract

SHOWN = 20


def contracts_context(enterprise: Any, user: Any) -> dict[str, Any]:
    """The enterprise's latest contracts, as seller or buyer, that the viewer may see."""
    rows = (
        Contract.objects.for_user(user)
        .filter(Q(seller=enterprise) | Q(buyer=enterprise))
        .select_related("seller", "buyer", "grade", "origin_site", "destination_site")
        .order_by("-valid_from", "-id")
    )
    return {"contracts": list(rows[:SHOWN]), "enterprise": enterprise, "shown": SHOWN}


register_section(
    DossierSection(
        key="contracts",
        title=_("Contracts"),
        template="trade/dossier_contracts.html",
        context=contracts_context,
        order=400,
    )
)
