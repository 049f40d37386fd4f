"""The alerts and cases section of the enterprise file (一企一档)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from oreledger.alerts.models import Alert, Case
from oreledger.registry.dossier import DossierSection, register_section


def enforcement_context(enterprise: Any, user: Any) -> dict[str, Any]:
    """The enterprise's recent alerts and its cases, within the viewer's scope."""
    alerts = Alert.objects.for_user(user).filter(enterprise=enterprise).order_by("-first_seen")[:20]
    cases = Case.objects.for_user(user).filter(enterprise=enterprise).order_by("-created_at")[:20]
    return {"alerts": list(alerts), "cases": list(cases), "enterprise": enterprise}


register_section(
    DossierSection(
        key="alerts",
        title=_("Alerts and enforcement cases"),
        template="alerts/dossier_alerts.html",
        context=enforcement_context,
        order=600,
    )
)
