"""The transport section of the enterprise file (一企一档): waybills and weighings."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from oreledger.registry.dossier import DossierSection, register_section
from oreledger.weighing.models import Ticket, Waybill


def transport_context(enterprise: Any, user: Any) -> dict[str, Any]:
    """Recent waybills of the enterprise (either side) and its weighbridges' totals."""
    side = Q(seller=enterprise) | Q(buyer=enterprise)
    waybills = (
        Waybill.objects.for_user(user)
        .filter(side)
        .select_related("origin_site", "destination_site", "contract")
        .order_by("-issued_at")[:20]
    )
    totals = (
        Ticket.objects.for_user(user)
        .filter(site__enterprise=enterprise)
        .aggregate(
            tickets=Count("pk"),
            released_kg=Sum("drawn_kg"),
            held_kg=Sum("held_kg"),
            held=Count("pk", filter=Q(release=False)),
        )
    )
    return {"waybills": list(waybills), "totals": totals, "enterprise": enterprise}


register_section(
    DossierSection(
        key="transport",
        title=_("Transport and weighing"),
        template="weighing/dossier_transport.html",
        context=transport_context,
        order=400,
    )
)
