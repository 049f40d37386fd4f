"""What the home page tells a person about their jurisdiction."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from oreledger.core.permissions import VIEW, may

# (app_label.Model, label, url name) — counted when the person may see that model.
_COUNTED = [
    ("quotas.QuotaAccount", _("Quota accounts"), "quotas:account_list"),
    ("trade.Contract", _("Contracts"), "trade:contract_list"),
    ("registry.Enterprise", _("Enterprises"), "registry:enterprise_list"),
    ("registry.Site", _("Sites"), "registry:site_list"),
    ("registry.Station", _("Stations"), "registry:station_list"),
    ("registry.Vehicle", _("Vehicles"), "registry:vehicle_list"),
    ("registry.Permit", _("Permits"), "registry:permit_list"),
    ("accounts.User", _("Users"), "accounts:user_list"),
]


def jurisdiction_summary(user: Any) -> dict[str, Any]:
    """The region chain, the role, and counts of what the person can see."""
    region = getattr(user, "region", None)
    chain = []
    node = region
    while node is not None:
        chain.append(node)
        node = node.parent
    counts = []
    for model_path, label, url_name in _COUNTED:
        try:
            model = apps.get_model(model_path)
        except LookupError:
            continue
        if not may(user, VIEW, model):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            url = ""
        counts.append(
            {
                "label": label,
                "count": model._default_manager.for_user(user, VIEW).count(),
                "url": url,
            }
        )
    dashboard = None
    try:
        rollup = apps.get_model("dashboards.DailyRollup")
        if may(user, VIEW, rollup):
            dashboard = {
                "overview": reverse("dashboards:overview"),
                "screen": reverse("dashboards:screen"),
            }
    except (LookupError, NoReverseMatch):
        pass
    return {
        "dashboard": dashboard,
        "region_chain": list(reversed(chain)),
        "enterprise": getattr(user, "enterprise", None),
        "counts": counts,
    }
