# The ledger becomes keyed: entries written before keep their plain SHA-256 (keyed=False),
# every entry written after carries an HMAC-SHA256 under the ledger key (keyed=True).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("quotas", "0005_quotaaccount_frozen")]

    operations = [
        migrations.AddField(
            model_name="ledgerentry",
            name="keyed",
            field=models.BooleanField(default=False, verbose_name="keyed hash"),
        ),
        migrations.AlterField(
            model_name="ledgerentry",
            name="keyed",
            field=models.BooleanField(default=True, verbose_name="keyed hash"),
        ),
    ]
