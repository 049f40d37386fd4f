# Each existing scheme gets its own UUID (0003's default gave every existing row the same one).

import uuid

from django.db import migrations


def fill(apps, schema_editor):
    model = apps.get_model("assessment", "Scheme")
    for pk in model.objects.order_by("pk").values_list("pk", flat=True).iterator():
        model.objects.filter(pk=pk).update(uuid=uuid.uuid4())


class Migration(migrations.Migration):

    dependencies = [
        ("assessment", "0003_federated_schemes"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
