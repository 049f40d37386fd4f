"""Federation records: the node's outbox and hub link, the hub's registered nodes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from oreledger.core.permissions import ScopedQuerySet


class OutboxCounter(models.Model):
    """The last seq this platform gave a change (one row; locked by each numbering)."""

    last_seq = models.BigIntegerField(_("last seq"), default=0)

    class Meta:
        verbose_name = _("outbox counter")
        verbose_name_plural = _("outbox counters")

    def __str__(self) -> str:
        return str(self.last_seq)


class OutboxChange(models.Model):
    """One committed change of a federated record, numbered without gaps, waiting or sent."""

    seq = models.BigIntegerField(_("seq"), primary_key=True)
    model = models.CharField(_("kind"), max_length=60)
    uuid = models.UUIDField(_("UUID"))
    version = models.PositiveIntegerField(_("version"))
    op = models.CharField(_("operation"), max_length=10)
    at = models.DateTimeField(_("changed at"))
    data = models.JSONField(_("data"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing change")
        verbose_name_plural = _("outgoing changes")
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"{self.seq} {self.model} {self.uuid} v{self.version}"

    def as_wire(self) -> dict[str, object]:
        """The change in the protocol's format."""
        return {
            "seq": self.seq,
            "model": self.model,
            "uuid": str(self.uuid),
            "version": self.version,
            "op": self.op,
            "at": self.at.isoformat(),
            "data": self.data,
        }


class HubLink(models.Model):
    """The node's view of its hub: what the hub acknowledged, and what last went wrong."""

    acked_seq = models.BigIntegerField(_("acked seq"), default=0)
    reference_seq = models.BigIntegerField(_("last hub seq applied"), default=0)
    last_push_at = models.DateTimeField(_("last push"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    restored = models.BooleanField(_("restored from an older backup"), default=False)
    checkpoint_day = models.DateField(_("newest checkpoint the hub holds"), null=True, blank=True)

    class Meta:
        verbose_name = _("hub link")
        verbose_name_plural = _("hub links")

    def __str__(self) -> str:
        return f"acked {self.acked_seq}"


class NodeQuerySet(ScopedQuerySet["Node"]):
    """Nodes, narrowed to what a user may see (Node.objects.for_user)."""


class Node(models.Model):
    """A county sub-platform registered on the hub, with its secret and sync health."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    secret = models.CharField(_("secret"), max_length=128)
    previous_secret = models.CharField(_("previous secret"), max_length=128, blank=True)
    previous_secret_until = models.DateTimeField(_("previous secret valid until"), null=True)
    acked_seq = models.BigIntegerField(_("acked seq"), default=0)
    node_last_seq = models.BigIntegerField(_("node's last seq"), default=0)
    last_contact = models.DateTimeField(_("last contact"), null=True, blank=True)
    newest_change_at = models.DateTimeField(_("newest applied change"), null=True, blank=True)
    refused_batches = models.PositiveIntegerField(_("refused batches"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    restored_at = models.DateTimeField(_("restore detected at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = NodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("node")
        verbose_name_plural = _("nodes")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def backlog(self) -> int:
        """Changes the node made that the hub does not hold yet."""
        return max(self.node_last_seq - self.acked_seq, 0)


class NodeCheckpoint(models.Model):
    """A node's daily signed chain-head checkpoint, as the node's heartbeat carried it: kept
    on the hub, where the node's database cannot rewrite it."""

    node = models.ForeignKey(
        Node, verbose_name=_("node"), on_delete=models.CASCADE, related_name="checkpoints"
    )
    day = models.DateField(_("day"))
    taken_at = models.DateTimeField(_("taken at"))
    # The heads as the node signed them: {chain: {key: [entries, last hash]}}.
    chains = models.JSONField(_("chain heads"))
    signature = models.CharField(_("signature"), max_length=128)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("node checkpoint")
        verbose_name_plural = _("node checkpoints")
        ordering = ["node", "-day"]
        constraints = [
            models.UniqueConstraint(fields=["node", "day"], name="federation_checkpoint_node_day")
        ]

    def __str__(self) -> str:
        return f"{self.node_id} {self.day}"

    @property
    def heads(self) -> int:
        """How many chain heads it signs."""
        return sum(len(heads) for heads in self.chains.values())
