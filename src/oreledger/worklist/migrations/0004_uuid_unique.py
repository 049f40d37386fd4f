# Every row has its own UUID now (0003): it becomes unique and required.

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("worklist", "0003_fill_uuids"),
    ]

    operations = [
        migrations.AlterField(
            model_name=name,
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="UUID"),
        )
        for name in ("reportingrules", "weeklyconfirmation")
    ]
