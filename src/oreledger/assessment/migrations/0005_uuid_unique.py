# Every scheme has its own UUID now (0004): it becomes unique and required.

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("assessment", "0004_fill_uuids"),
    ]

    operations = [
        migrations.AlterField(
            model_name="scheme",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="UUID"),
        ),
    ]
