"""The appeals section of the enterprise file (一企一档)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from oreledger.appeals.models import Appeal
from oreledger.registry.dossier import DossierSection, register_section


def appeals_context(enterprise: Any, user: Any) -> dict[str, Any]:
    """The enterprise's latest appeals within the viewer's scope."""
    appeals = (
        Appeal.objects.for_user(user).filter(enterprise=enterprise).order_by("-created_at")[:20]
    )
    return {"appeals": list(appeals), "enterprise": enterprise}


register_section(
    DossierSection(
        key="appeals",
        title=_("Appeals"),
        template="appeals/dossier_appeals.html",
        context=appeals_context,
        order=700,
    )
)
