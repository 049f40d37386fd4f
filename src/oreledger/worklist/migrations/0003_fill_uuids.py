# Each existing confirmation and reporting rules row gets its own UUID (0002's default gave
# every existing row the same one).

import uuid

from django.db import migrations


def fill(apps, schema_editor):
    for name in ("ReportingRules", "WeeklyConfirmation"):
        model = apps.get_model("worklist", name)
        for pk in model.objects.order_by("pk").values_list("pk", flat=True).iterator():
            model.objects.filter(pk=pk).update(uuid=uuid.uuid4())


class Migration(migrations.Migration):

    dependencies = [
        ("worklist", "0002_federated_confirmations"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
