"""Filters every list shares."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget


class AnyYesNoWidget(BooleanWidget):
    """A yes/no filter whose unset state reads "All" (django-filter's reads "Unknown")."""

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs)
        self.choices = [("", _("All")), ("true", _("Yes")), ("false", _("No"))]


class YesNoFilter(django_filters.BooleanFilter):
    """A boolean filter offering All / Yes / No."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("widget", AnyYesNoWidget)
        super().__init__(*args, **kwargs)
