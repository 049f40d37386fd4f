"""Rollups keyed by the ticket's kind instead of its direction (checkpoint passages are not in).

The rows are derived data: they are emptied with the watermark, and the next run of the
rollup job (every minute) recomputes every day from the tickets.
"""

from django.db import migrations, models


def forget_rollups(apps, schema_editor):
    apps.get_model("dashboards", "DailyRollup").objects.all().delete()
    apps.get_model("dashboards", "RollupWatermark").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forget_rollups, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="dailyrollup",
            name="dailyrollup_once_per_key",
        ),
        migrations.RemoveField(
            model_name="dailyrollup",
            name="direction",
        ),
        migrations.AddField(
            model_name="dailyrollup",
            name="kind",
            field=models.CharField(default="exit", max_length=12, verbose_name="kind"),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="dailyrollup",
            constraint=models.UniqueConstraint(
                fields=("day", "station", "site", "region_path", "grade", "kind", "released"),
                name="dailyrollup_once_per_key",
            ),
        ),
    ]
