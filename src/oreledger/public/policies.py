"""The portal's tables are its own bookkeeping: no person reads them through a page."""

from oreledger.core.permissions import JurisdictionPolicy, register
from oreledger.public.models import ClientWindow

register(ClientWindow, JurisdictionPolicy(region_path=None, roles={}))
