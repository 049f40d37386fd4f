"""The quota section of the enterprise file: its mines' accounts of the current year."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oreledger.quotas.models import QuotaAccount
from oreledger.quotas.queries import with_consumption
from oreledger.registry.dossier import DossierSection, register_section


def quota_context(enterprise: Any, user: Any) -> dict[str, Any]:
    """The enterprise's mine accounts this year that the viewer may see (one query)."""
    year = timezone.localdate().year
    accounts = with_consumption(
        QuotaAccount.objects.for_user(user)
        .filter(holder_site__enterprise=enterprise, period__year=year)
        .select_related("holder_site", "mineral", "period")
        .order_by("holder_site__code", "mineral__code")
    )
    return {"quota_accounts": list(accounts), "quota_year": year}


register_section(
    DossierSection(
        key="quotas",
        title=_("Extraction quotas"),
        template="quotas/dossier_section.html",
        context=quota_context,
        order=300,
    )
)
