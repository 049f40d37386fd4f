# Weekly confirmations and the province's reporting rules become federated records (a UUID,
# an owner node, a version). The UUID is added nullable here, filled per row in 0003 and made
# unique in 0004: one default for every existing row would collide.

import uuid

import oreledger.core.models
from django.db import migrations, models


def _federated_fields(model_name):
    return [
        migrations.AddField(
            model_name=model_name,
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, null=True, verbose_name="UUID"),
        ),
        migrations.AddField(
            model_name=model_name,
            name="owner_node",
            field=models.CharField(default=oreledger.core.models.default_owner_node, editable=False, max_length=12, verbose_name="owner node"),
        ),
        migrations.AddField(
            model_name=model_name,
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="version"),
        ),
    ]


class Migration(migrations.Migration):

    dependencies = [
        ("worklist", "0001_initial"),
    ]

    operations = [*_federated_fields("reportingrules"), *_federated_fields("weeklyconfirmation")]
