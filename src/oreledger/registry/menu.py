"""The registry's pages in the menu (登记备案)."""

from collections.abc import Callable
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from oreledger.core.navigation import MenuItem, register_menu_item
from oreledger.core.permissions import VIEW, may
from oreledger.registry.models import Enterprise, Permit, PermitType, Site, Station, Vehicle

SECTION = _("Registry")


def _visible(model: type[Model]) -> Callable[[Any], bool]:
    return lambda user: may(user, VIEW, model)


for order, (label, url_name, model) in enumerate(
    [
        (_("Enterprises"), "registry:enterprise_list", Enterprise),
        (_("Sites"), "registry:site_list", Site),
        (_("Stations"), "registry:station_list", Station),
        (_("Vehicles"), "registry:vehicle_list", Vehicle),
        (_("Permits"), "registry:permit_list", Permit),
        (_("Procedures check"), "registry:procedures", Permit),
        (_("Registry map"), "registry:map", Site),
        (_("Permit catalogue"), "registry:permit_types", PermitType),
    ]
):
    register_menu_item(
        MenuItem(
            section=SECTION,
            label=label,
            url_name=url_name,
            visible=_visible(model),
            order=200 + order,
        )
    )
