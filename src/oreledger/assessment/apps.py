"""Assessment: the province's schemes scoring and ranking counties on the joint action."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    """Every county scored per period by the province's published formula."""

    name = "oreledger.assessment"
    label = "assessment"
    verbose_name = _("County assessment")

    def ready(self) -> None:
        """Register policies and menu."""
        from oreledger.assessment import menu, policies  # noqa: F401
