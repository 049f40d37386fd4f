"""The portal's own bookkeeping: how many answers each client address had in its window."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ClientWindow(models.Model):
    """One client address's requests in its current rate-limit window (shared by all workers)."""

    address = models.CharField(_("client address"), max_length=45, unique=True)
    started_at = models.DateTimeField(_("window started at"))
    count = models.PositiveIntegerField(_("requests"), default=0)

    class Meta:
        verbose_name = _("client window")
        verbose_name_plural = _("client windows")

    def __str__(self) -> str:
        return f"{self.address} {self.count}"
