"""Use cases of the registry: every change to enterprises, sites, stations, vehicles, permits
and the permit catalogue goes through here, with its audit record; a refusal saves nothing."""

from oreledger.registry.services._common import DEFAULT_GRACE, MAX_GRACE
from oreledger.registry.services.blacklisting import blacklist_vehicle, reinstate_vehicle
from oreledger.registry.services.enterprises import (
    change_enterprise_status,
    change_site_status,
    create_enterprise,
    create_site,
    create_vehicle,
    update_enterprise,
    update_site,
    update_vehicle,
)
from oreledger.registry.services.permits import (
    add_permit_requirement,
    change_permit_status,
    create_permit,
    create_permit_type,
    refresh_validity,
    remove_permit_requirement,
    update_permit,
    update_permit_type,
)
from oreledger.registry.services.stations import (
    create_station,
    disable_station,
    enable_station,
    rotate_station_secret,
    station_secrets,
    update_station,
)

__all__ = [
    "DEFAULT_GRACE",
    "MAX_GRACE",
    "add_permit_requirement",
    "blacklist_vehicle",
    "change_enterprise_status",
    "change_permit_status",
    "change_site_status",
    "create_enterprise",
    "create_permit",
    "create_permit_type",
    "create_site",
    "create_station",
    "create_vehicle",
    "disable_station",
    "enable_station",
    "refresh_validity",
    "reinstate_vehicle",
    "remove_permit_requirement",
    "rotate_station_secret",
    "station_secrets",
    "update_enterprise",
    "update_permit",
    "update_permit_type",
    "update_site",
    "update_station",
    "update_vehicle",
]
