# Ledger entries become federated records (docs/specs/federation-protocol.md): each gets a
# UUID, its account's owner node and version 1 (an entry never changes). The UUID is added
# nullable, filled per row, then made unique and required.

import uuid

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

import oreledger.core.models

_BATCH = 2000


def fill(apps, schema_editor):
    """Give every existing entry a UUID of its own and its account's owner."""
    entry_model = apps.get_model("quotas", "LedgerEntry")
    account_model = apps.get_model("quotas", "QuotaAccount")
    owners = account_model.objects.filter(pk=OuterRef("account_id")).values("owner_node")[:1]
    entry_model.objects.update(owner_node=Subquery(owners))
    ids = list(entry_model.objects.filter(uuid__isnull=True).values_list("pk", flat=True))
    for start in range(0, len(ids), _BATCH):
        rows = [entry_model(pk=pk, uuid=uuid.uuid4()) for pk in ids[start : start + _BATCH]]
        entry_model.objects.bulk_update(rows, ["uuid"])


class Migration(migrations.Migration):
    dependencies = [("quotas", "0006_ledger_entry_keyed")]

    operations = [
        migrations.AddField(
            model_name="ledgerentry",
            name="owner_node",
            field=models.CharField(
                default=oreledger.core.models.default_owner_node,
                editable=False,
                max_length=12,
                verbose_name="owner node",
            ),
        ),
        migrations.AddField(
            model_name="ledgerentry",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
        ),
        migrations.AddField(
            model_name="ledgerentry",
            name="uuid",
            field=models.UUIDField(editable=False, null=True, verbose_name="UUID"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="ledgerentry",
            name="uuid",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="UUID"
            ),
        ),
    ]
