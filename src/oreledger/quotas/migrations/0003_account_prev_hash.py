"""Accounts keep their newest entry's prev_hash, so a draw can chain in one statement."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    """Each account's prev_hash is its newest entry's prev_hash ("" without entries)."""
    QuotaAccount = apps.get_model("quotas", "QuotaAccount")
    LedgerEntry = apps.get_model("quotas", "LedgerEntry")
    newest = LedgerEntry.objects.filter(account=OuterRef("pk")).order_by("-seq")
    QuotaAccount.objects.filter(entry_count__gt=0).update(
        prev_hash=Subquery(newest.values("prev_hash")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("quotas", "0002_minerals"),
    ]

    operations = [
        migrations.AddField(
            model_name="quotaaccount",
            name="prev_hash",
            field=models.CharField(
                blank=True,
                default="",
                max_length=64,
                verbose_name="hash before the last entry",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
