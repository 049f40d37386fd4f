"""Alerts, their events, cases, case notes and rule versions become federated records
(issue 20): a UUID filled per existing row, the owner (this platform) and version 1.

A rule version's number is renamed `number` (`version` is now the federation version). An
alert's UUID is its id; a catalogue default's UUID is derived from its rule and number, so
that every platform, having seeded its own, names it alike (`models.default_uuid`)."""

import uuid
from typing import Any

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F

import oreledger.core.models

FEDERATED = ["ruleversion", "alert", "alertevent", "case", "casenote"]


def default_uuid(rule: str, number: int) -> uuid.UUID:
    """As models.default_uuid (copied: a migration must not change with the models)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"oreledger:alerts.ruleversion:{rule}:{number}")


def fill(apps: Any, schema_editor: Any) -> None:
    """Each existing row's UUID (per row), and the timestamps the history rows lacked."""
    RuleVersion = apps.get_model("alerts", "RuleVersion")
    for row in RuleVersion.objects.all().only("pk", "rule", "number", "region_id"):
        row.uuid = default_uuid(row.rule, row.number) if row.region_id is None else uuid.uuid4()
        row.save(update_fields=["uuid"])
    Alert = apps.get_model("alerts", "Alert")
    for pk in Alert.objects.values_list("pk", flat=True).iterator():
        Alert.objects.filter(pk=pk).update(uuid=pk)
    for name in ("AlertEvent", "Case", "CaseNote"):
        model = apps.get_model("alerts", name)
        for pk in model.objects.values_list("pk", flat=True).iterator():
            model.objects.filter(pk=pk).update(uuid=uuid.uuid4())
    apps.get_model("alerts", "AlertEvent").objects.update(created_at=F("at"), updated_at=F("at"))
    apps.get_model("alerts", "CaseNote").objects.update(created_at=F("at"), updated_at=F("at"))


# SQLite rebuilt alerts_ruleversion above, dropping the triggers weighing 0003 put on it
# (its rows are reference data a weighing keeps per process): put back as they were.
SQLITE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS ol_reference_alerts_ruleversion_{event}
AFTER {event} ON alerts_ruleversion
BEGIN
    INSERT INTO weighing_referencetoken (name, token)
    VALUES ('alerts_ruleversion', lower(hex(randomblob(16))))
    ON CONFLICT (name) DO UPDATE SET token = excluded.token;
END;
"""


def restore_triggers(apps: Any, schema_editor: Any) -> None:
    """The reference token triggers of alerts_ruleversion, on SQLite (PostgreSQL kept them)."""
    if schema_editor.connection.vendor == "sqlite":
        for event in ("INSERT", "UPDATE", "DELETE"):
            schema_editor.execute(SQLITE_TRIGGER.format(event=event))


def _uuid(null: bool) -> Any:
    if null:
        return models.UUIDField(editable=False, null=True, verbose_name="UUID")
    return models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="UUID")


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0007_choices"),
        ("federation", "0002_seed_node_silent"),
        ("weighing", "0003_reference_tokens"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="ruleversion", name="ruleversion_once_per_number"),
        migrations.RemoveConstraint(
            model_name="ruleversion", name="ruleversion_default_once_per_number"
        ),
        migrations.RenameField(model_name="ruleversion", old_name="version", new_name="number"),
        migrations.AlterModelOptions(
            name="ruleversion",
            options={
                "ordering": ["rule", "region__path", "-number"],
                "verbose_name": "rule version",
                "verbose_name_plural": "rule versions",
            },
        ),
        migrations.AddConstraint(
            model_name="ruleversion",
            constraint=models.UniqueConstraint(
                fields=("rule", "region", "number"), name="ruleversion_once_per_number"
            ),
        ),
        migrations.AddConstraint(
            model_name="ruleversion",
            constraint=models.UniqueConstraint(
                condition=models.Q(region__isnull=True),
                fields=("rule", "number"),
                name="ruleversion_default_once_per_number",
            ),
        ),
        *[
            operation
            for name in FEDERATED
            for operation in (
                migrations.AddField(model_name=name, name="uuid", field=_uuid(null=True)),
                migrations.AddField(
                    model_name=name,
                    name="owner_node",
                    field=models.CharField(
                        default=oreledger.core.models.default_owner_node,
                        editable=False,
                        max_length=12,
                        verbose_name="owner node",
                    ),
                ),
                migrations.AddField(
                    model_name=name,
                    name="version",
                    field=models.PositiveIntegerField(
                        default=1, editable=False, verbose_name="version"
                    ),
                ),
            )
        ],
        migrations.AddField(
            model_name="ruleversion",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
        ),
        *[
            operation
            for name in ("alertevent", "casenote")
            for operation in (
                migrations.AddField(
                    model_name=name,
                    name="created_at",
                    field=models.DateTimeField(
                        auto_now_add=True,
                        default=django.utils.timezone.now,
                        verbose_name="created at",
                    ),
                    preserve_default=False,
                ),
                migrations.AddField(
                    model_name=name,
                    name="updated_at",
                    field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
                ),
            )
        ],
        migrations.RunPython(fill, migrations.RunPython.noop),
        *[
            migrations.AlterField(model_name=name, name="uuid", field=_uuid(null=False))
            for name in FEDERATED
        ],
        # A federated platform's case numbers carry its code (AJ-210381-2026-0001).
        migrations.AlterField(
            model_name="case",
            name="number",
            field=models.CharField(max_length=32, unique=True, verbose_name="number"),
        ),
        migrations.RunPython(restore_triggers, migrations.RunPython.noop),
    ]
