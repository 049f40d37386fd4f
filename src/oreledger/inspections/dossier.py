"""The inspections section of the enterprise file: visits, findings, orders, decisions."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from oreledger.core.permissions import ADD, VIEW, may
from oreledger.inspections.checkup import Checkup, score_enterprise
from oreledger.inspections.models import (
    Campaign,
    ClassificationDecision,
    Finding,
    Inspection,
    RectificationOrder,
)
from oreledger.registry.dossier import DossierSection, register_section

# The check-ups shown on the file: the latest campaigns that inspected the enterprise (each
# check-up costs a constant number of queries, so the section stays bounded).
CHECKUPS_SHOWN = 3


def checkups(enterprise: Any, user: Any) -> list[Checkup]:
    """The check-up of the enterprise in each recent campaign that inspected it."""
    inspected = Inspection.objects.filter(enterprise=enterprise).values("campaign_id")
    campaigns = Campaign.objects.for_user(user, VIEW).filter(pk__in=inspected)
    return [
        score_enterprise(enterprise, campaign)
        for campaign in campaigns.order_by("-starts_on", "-pk")[:CHECKUPS_SHOWN]
    ]


def inspections_context(enterprise: Any, user: Any) -> dict[str, Any]:
    """Recent visits, findings, orders, decisions and check-up scores, within the viewer's scope."""
    return {
        "visits": list(
            Inspection.objects.for_user(user)
            .filter(enterprise=enterprise)
            .select_related("site", "campaign")[:20]
        ),
        "findings": list(
            Finding.objects.for_user(user)
            .filter(enterprise=enterprise)
            .select_related("department_kind", "order")[:20]
        ),
        "orders": list(
            RectificationOrder.objects.for_user(user).filter(enterprise=enterprise)[:20]
        ),
        "decisions": list(
            ClassificationDecision.objects.for_user(user).filter(enterprise=enterprise)[:20]
        ),
        "checkups": checkups(enterprise, user),
        "enterprise": enterprise,
        "may_decide": may(user, ADD, ClassificationDecision),
    }


register_section(
    DossierSection(
        key="inspections",
        title=_("Inspections and rectification"),
        template="inspections/dossier_inspections.html",
        context=inspections_context,
        order=650,
    )
)
