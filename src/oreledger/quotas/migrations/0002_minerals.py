"""Seed the mineral under total volume control in the demo province: magnesite."""

from django.db import migrations

MINERALS = [("magnesite", "菱镁矿", "Magnesite")]


def seed(apps, schema_editor):
    Mineral = apps.get_model("quotas", "Mineral")
    for code, name_zh, name_en in MINERALS:
        Mineral.objects.get_or_create(code=code, defaults={"name_zh": name_zh, "name_en": name_en})


class Migration(migrations.Migration):
    dependencies = [("quotas", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
