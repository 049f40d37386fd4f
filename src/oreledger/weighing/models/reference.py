"""The version tokens of the reference data a weighing reads (see weighing.reference)."""

from __future__ import annotations

from django.db import models


class ReferenceToken(models.Model):
    """One reference table's current token, replaced by a database trigger on every write.

    Written only by the triggers of migration 0003 (never by the application), so a bulk,
    raw or synchronised write changes it too.
    """

    name = models.CharField(max_length=63, primary_key=True)
    token = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.name}: {self.token}"
