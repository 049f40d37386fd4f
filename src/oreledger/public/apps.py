"""Public: the portal anyone may read without logging in (政务公开)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    """What the public may know: licences, prices, output against quota, published decisions."""

    name = "oreledger.public"
    label = "public"
    verbose_name = _("Public portal")
