"""The registry's sheets of the province bundle: their columns (`sheets`) and importers
(`importers`), registered with the bundle frame when the app is ready."""

from oreledger.core.bundle import register_sheet_importer
from oreledger.registry.bundle.importers import (
    EnterpriseImporter,
    PermitImporter,
    SiteImporter,
    StationImporter,
    VehicleImporter,
)

for _importer in (
    EnterpriseImporter(),
    SiteImporter(),
    StationImporter(),
    VehicleImporter(),
    PermitImporter(),
):
    register_sheet_importer(_importer)
