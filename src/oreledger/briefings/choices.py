"""The briefing's vocabulary."""

from django.db import models
from django.utils.translation import pgettext_lazy


class BriefingStatus(models.TextChoices):
    """draft (figures live, remarks editable) → issued (figures and remarks frozen)."""

    DRAFT = "draft", pgettext_lazy("briefing status", "Draft")
    ISSUED = "issued", pgettext_lazy("briefing status", "Issued")
