"""Quota periods, minerals, accounts (province → county → mine) and the append-only ledger."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from oreledger.core.models import FederatedModel, TimestampedModel
from oreledger.core.permissions import ScopedQuerySet
from oreledger.quotas.choices import (
    AccountLevel,
    ChangeKind,
    ChangeStatus,
    EntryKind,
    PeriodStatus,
)


class QuotaPeriod(TimestampedModel):
    """A quota year (Asia/Shanghai calendar year)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.OPEN
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("quota period")
        verbose_name_plural = _("quota periods")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class Mineral(TimestampedModel):
    """A mineral under total volume control, e.g. magnesite (菱镁矿)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("mineral")
        verbose_name_plural = _("minerals")
        ordering = ["code"]

    def __str__(self) -> str:
        if (get_language() or "zh-hans").startswith("en"):
            return self.name_en
        return self.name_zh


def within_allocation(*, allocated_kg: int, consumed_kg: int, tolerance_kg: int) -> bool:
    """The quota rule: consumed never above allocated plus tolerance (the one Python home)."""
    return consumed_kg <= allocated_kg + tolerance_kg


# The same rule for the hot path's conditional UPDATE on quotas_quotaaccount: a draw of
# %(amount)s fits (written as subtraction so the row's own columns stay on the left).
DRAW_WITHIN_ALLOCATION = "consumed_kg <= allocated_kg + tolerance_kg - %(amount)s"

# A frozen account (its holder shut down) takes no draw; the hot path's UPDATE checks it too.
DRAW_ALLOWED = f"frozen_at IS NULL AND {DRAW_WITHIN_ALLOCATION}"

# The same rule as the database keeps it (CHECK quotaaccount_consumed_within_allocation).
CONSUMED_WITHIN_ALLOCATION = models.Q(
    consumed_kg__lte=models.F("allocated_kg") + models.F("tolerance_kg")
)


class QuotaAccount(FederatedModel):
    """One holder's quota of one mineral for one year; balances are sums of its entries."""

    period = models.ForeignKey(QuotaPeriod, verbose_name=_("period"), on_delete=models.PROTECT)
    mineral = models.ForeignKey(Mineral, verbose_name=_("mineral"), on_delete=models.PROTECT)
    level = models.CharField(_("level"), max_length=10, choices=AccountLevel.choices)
    holder_region = models.ForeignKey(
        "accounts.Region",
        verbose_name=_("holder region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    holder_site = models.ForeignKey(
        "registry.Site",
        verbose_name=_("holder mine"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quota_accounts",
    )
    # The region whose jurisdiction covers the account: the holder region, or the mine's.
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    allocated_kg = models.BigIntegerField(_("allocated (kg)"), default=0)
    allocated_to_children_kg = models.BigIntegerField(_("allocated onwards (kg)"), default=0)
    consumed_kg = models.BigIntegerField(_("consumed (kg)"), default=0)
    tolerance_kg = models.BigIntegerField(_("tolerance (kg)"), default=0)
    entry_count = models.PositiveIntegerField(_("entries"), default=0)
    last_hash = models.CharField(_("last hash"), max_length=64, blank=True, default="")
    # The newest entry's prev_hash: lets one UPDATE advance the chain head and hand the entry
    # its predecessor's hash (a draw is a single statement; see ledger.take_consumption).
    prev_hash = models.CharField(
        _("hash before the last entry"), max_length=64, blank=True, default=""
    )
    # Set by a shut-down decision (quotas.services.freezes): no draws or changes, balance kept.
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    frozen_reason = models.CharField(_("reason frozen"), max_length=500, blank=True, default="")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("quota account")
        verbose_name_plural = _("quota accounts")
        ordering = ["period", "mineral", "region__path", "holder_site__code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(holder_region__isnull=False, holder_site__isnull=True)
                | models.Q(holder_region__isnull=True, holder_site__isnull=False),
                name="quotaaccount_one_holder",
            ),
            models.CheckConstraint(
                condition=models.Q(level="province", parent__isnull=True)
                | (~models.Q(level="province") & models.Q(parent__isnull=False)),
                name="quotaaccount_parent_matches_level",
            ),
            models.UniqueConstraint(
                fields=["period", "mineral", "holder_region"],
                condition=models.Q(holder_region__isnull=False),
                name="quotaaccount_region_once",
            ),
            models.UniqueConstraint(
                fields=["period", "mineral", "holder_site"],
                condition=models.Q(holder_site__isnull=False),
                name="quotaaccount_site_once",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    allocated_kg__gte=0,
                    consumed_kg__gte=0,
                    tolerance_kg__gte=0,
                    allocated_to_children_kg__gte=0,
                ),
                name="quotaaccount_balances_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(allocated_to_children_kg__lte=models.F("allocated_kg")),
                name="quotaaccount_children_within_allocation",
            ),
            models.CheckConstraint(
                condition=CONSUMED_WITHIN_ALLOCATION,
                name="quotaaccount_consumed_within_allocation",
            ),
        ]
        indexes = [models.Index(fields=["period", "mineral", "level"])]

    def __str__(self) -> str:
        return f"{self.period_id} · {self.holder_label}"

    def get_absolute_url(self) -> str:
        """The account's page."""
        from django.urls import reverse

        return reverse("quotas:account_detail", args=[self.pk])

    @property
    def holder(self) -> Any:
        """The region or mine holding the quota."""
        return self.holder_region if self.holder_region_id else self.holder_site

    @property
    def holder_code(self) -> str:
        """The holder's region code or site code."""
        holder = self.holder
        return str(holder.code) if holder is not None else ""

    @property
    def holder_label(self) -> str:
        """The holder as people read it."""
        if self.holder_site_id and self.holder_site is not None:
            return f"{self.holder_site.code} {self.holder_site.name}"
        return self.holder_region.name if self.holder_region is not None else ""

    @property
    def frozen(self) -> bool:
        """Whether the account is frozen (no draws, no transfers, balance kept)."""
        return self.frozen_at is not None

    @property
    def remaining_kg(self) -> int:
        """What may still be drawn (negative only within the tolerance)."""
        return self.allocated_kg - self.consumed_kg

    @property
    def remaining_total_kg(self) -> int:
        """Allocated minus what the mines at or below consumed (`queries.with_consumption`)."""
        consumed: int = self.consumed_total_kg  # type: ignore[attr-defined]
        return self.allocated_kg - consumed

    @property
    def used_total_percent(self) -> float | None:
        """The mines' consumption at or below as a share of allocated, for display only."""
        if not self.allocated_kg:
            return None
        consumed: int = self.consumed_total_kg  # type: ignore[attr-defined]
        return round(100 * consumed / self.allocated_kg, 1)

    @property
    def unallocated_kg(self) -> int:
        """What a province or county has not passed on to its children."""
        return self.allocated_kg - self.allocated_to_children_kg

    @property
    def used_percent(self) -> float | None:
        """Consumed as a share of allocated, for display only."""
        if not self.allocated_kg:
            return None
        return round(100 * self.consumed_kg / self.allocated_kg, 1)


class QuotaChange(TimestampedModel):
    """A transfer between mines or an adjustment, waiting for (or given) approval."""

    kind = models.CharField(_("kind"), max_length=10, choices=ChangeKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    # The account that receives a transfer, or the account adjusted.
    account = models.ForeignKey(
        QuotaAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="changes"
    )
    source = models.ForeignKey(
        QuotaAccount,
        verbose_name=_("from account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outgoing_changes",
    )
    amount_kg = models.BigIntegerField(_("amount (kg)"))
    reason = models.CharField(_("reason"), max_length=500)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("quota change")
        verbose_name_plural = _("quota changes")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(amount_kg=0), name="quotachange_amount_not_zero"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="adjust", source__isnull=True)
                | models.Q(kind="transfer", source__isnull=False, amount_kg__gt=0),
                name="quotachange_shape",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class LedgerEntryQuerySet(ScopedQuerySet["LedgerEntry"]):
    """Entries are append-only: no bulk update or delete through the ORM."""

    def update(self, **kwargs: Any) -> int:
        raise TypeError("ledger entries are immutable")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("ledger entries are immutable")


class LedgerEntry(FederatedModel):
    """One immutable movement of an account, chained to the previous one by its hash."""

    # A federated record written once (version 1, never changed), owned by its account's
    # owner: only an account's owner writes entries on it. The recording instant is the
    # ledger's own (hashed, kept as the writer stamped it); an entry is never updated.
    created_at = models.DateTimeField(_("recorded at"))
    updated_at = None  # type: ignore[assignment]

    # Indexed by (account, seq) and (account, at); the FK's own index would only slow the
    # insert every weighed truck makes.
    account = models.ForeignKey(
        QuotaAccount,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="entries",
        db_index=False,
    )
    seq = models.PositiveIntegerField(_("sequence"))
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    amount_kg = models.BigIntegerField(_("amount (kg)"))
    at = models.DateTimeField(_("effective at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    change = models.ForeignKey(
        QuotaChange,
        verbose_name=_("approval"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
        db_index=False,
    )
    # A ticket reference or another source key; unique per account for consumption.
    ref = models.CharField(_("reference"), max_length=100, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True)
    hash = models.CharField(_("hash"), max_length=64)
    # HMAC-SHA256 under the ledger key (payload "v2"); False for the plain SHA-256 entries
    # ("v1") written before the ledger was keyed (migration 0005), which stay as they were.
    keyed = models.BooleanField(_("keyed hash"), default=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["account", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["account", "seq"], name="ledgerentry_seq_once"),
            models.UniqueConstraint(
                fields=["account", "ref"],
                condition=models.Q(kind="consume"),
                name="ledgerentry_consume_ref_once",
            ),
            models.CheckConstraint(
                condition=~models.Q(amount_kg=0), name="ledgerentry_amount_not_zero"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="consume") | models.Q(amount_kg__gt=0),
                name="ledgerentry_consume_positive",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="reverse")
                | models.Q(amount_kg__lt=0, reverses__isnull=False),
                name="ledgerentry_reverse_shape",
            ),
        ]
        # Consumptions (nearly every row) have neither actor nor approval: partial indexes.
        indexes = [
            models.Index(fields=["account", "at"]),
            models.Index(
                fields=["actor"],
                condition=models.Q(actor__isnull=False),
                name="ledgerentry_by_actor",
            ),
            models.Index(
                fields=["change"],
                condition=models.Q(change__isnull=False),
                name="ledgerentry_by_change",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}#{self.seq} {self.kind} {self.amount_kg}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("ledger entries are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("ledger entries are immutable")
