# The ticket chain becomes keyed: tickets stored before keep their plain SHA-256 (keyed=False),
# every ticket stored after carries an HMAC-SHA256 under the chain key (keyed=True).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("weighing", "0005_assays_are_reference_data")]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="keyed",
            field=models.BooleanField(default=False, verbose_name="keyed hash"),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="keyed",
            field=models.BooleanField(default=True, verbose_name="keyed hash"),
        ),
    ]
