"""A finding carries its inspection's campaign, so the campaign dashboard counts findings
without joining the inspections."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_campaign(apps, schema_editor):
    Finding = apps.get_model("inspections", "Finding")
    Inspection = apps.get_model("inspections", "Inspection")
    Finding.objects.update(
        campaign_id=Subquery(
            Inspection.objects.filter(pk=OuterRef("inspection_id")).values("campaign_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="finding",
            name="campaign",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="inspections.campaign",
                verbose_name="campaign",
            ),
        ),
        migrations.RunPython(copy_campaign, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="finding",
            name="campaign",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="inspections.campaign",
                verbose_name="campaign",
            ),
        ),
    ]
