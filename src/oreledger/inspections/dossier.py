"""The inspections section of the enterprise file: visits, findings, orders, decisions."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from oreledger.core.permissions import ADD, may
from oreledger.inspections.models import (
    ClassificationDecision,
    Finding,
    Inspection,
    RectificationOrder,
)
from oreledger.registry.dossier import DossierSection, register_section


def inspections_context(enterprise: Any, user: Any) -> dict[str, Any]:
    """The enterprise's recent visits, findings, orders and decisions, within the viewer's scope."""
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
