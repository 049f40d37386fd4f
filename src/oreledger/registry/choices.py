"""Fixed vocabularies of the registry (docs/specs/province-bundle.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EnterpriseKind(models.TextChoices):
    """What an enterprise does in the chain."""

    MINE_OPERATOR = "mine_operator", _("Mine operator")
    PROCESSOR = "processor", _("Processor")
    TRADER = "trader", _("Trader")
    HAULIER = "haulier", _("Haulier")
    CHEMICAL = "chemical", _("Chemical")
    OTHER = "other", _("Other")


class Industry(models.TextChoices):
    """The industry an enterprise belongs to."""

    MAGNESITE = "magnesite", _("Magnesite")
    ALUMINA = "alumina", _("Alumina")
    CHEMICAL = "chemical", _("Chemical")
    OTHER = "other", _("Other")


class OperatingStatus(models.TextChoices):
    """Whether an enterprise or site may work."""

    OPERATING = "operating", _("Operating")
    SUSPENDED = "suspended", _("Suspended")
    RECTIFYING = "rectifying", _("Rectifying")
    SHUT_DOWN = "shut_down", _("Shut down")


# Statuses under which a site (or its enterprise) may not ship: a suspension, a stop order
# under rectification (整改, until the departments sign acceptance) and a shut-down. The gate
# holds such a site's trucks (site_suspended); only the registry decides what a status means.
SHIPPING_STOPPED = frozenset(
    {OperatingStatus.SUSPENDED, OperatingStatus.RECTIFYING, OperatingStatus.SHUT_DOWN}
)


class Rectification(models.TextChoices):
    """The joint action's classification of an enterprise (整合整治分类)."""

    RETAIN_UPGRADE = "retain_upgrade", _("Retain and upgrade")
    MERGE_REORGANISE = "merge_reorganise", _("Merge and reorganise")
    RELOCATE_PARK = "relocate_park", _("Relocate into a park")
    SHUT_ELIMINATE = "shut_eliminate", _("Shut down and eliminate")


class SiteKind(models.TextChoices):
    """The kind of place ore comes from or goes to."""

    MINE = "mine", _("Mine")
    PLANT = "plant", _("Plant")
    YARD = "yard", _("Yard")


class VehicleStatus(models.TextChoices):
    """Whether a truck may haul."""

    REGISTERED = "registered", _("Registered")
    BLACKLISTED = "blacklisted", _("Blacklisted")


class PermitStatus(models.TextChoices):
    """The issuing department's word on a permit."""

    VALID = "valid", _("Valid")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")


class PermitHolder(models.TextChoices):
    """Whether a permit type is held by an enterprise or by one of its sites."""

    ENTERPRISE = "enterprise", _("Enterprise")
    SITE = "site", _("Site")


class ProcedureState(models.TextChoices):
    """One line of the procedures check (手续核查)."""

    VALID = "valid", _("Valid")
    EXPIRING = "expiring", _("Expiring")
    EXPIRED = "expired", _("Expired")
    SUSPENDED_REVOKED = "suspended_revoked", _("Suspended or revoked")
    MISSING = "missing", _("Missing")


class ValidityState(models.TextChoices):
    """A permit's standing on a day, kept on the permit by the daily expiry job."""

    VALID = "valid", _("Valid")
    EXPIRING = "expiring", _("Expiring")
    EXPIRED = "expired", _("Expired")
    SUSPENDED_REVOKED = "suspended_revoked", _("Suspended or revoked")
    PENDING = "pending", _("Not yet valid")
