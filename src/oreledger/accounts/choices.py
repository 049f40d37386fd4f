"""Fixed vocabularies of accounts: roles and region levels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a person does on the platform (docs/ARCHITECTURE.md, Users)."""

    ADMIN = "admin", _("Administrator")
    PROVINCE_OFFICE = "province_office", _("Province office")
    COUNTY_OPERATOR = "county_operator", _("County operator")
    DEPARTMENT_OFFICER = "department_officer", _("Department officer")
    LEADER = "leader", _("Leader (read-only)")
    ENTERPRISE_USER = "enterprise_user", _("Enterprise user")


class RegionLevel(models.TextChoices):
    """The tiers of the administrative tree."""

    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWN = "town", _("Town")


LEVEL_DEPTH = {
    RegionLevel.PROVINCE: 0,
    RegionLevel.CITY: 1,
    RegionLevel.COUNTY: 2,
    RegionLevel.TOWN: 3,
}
