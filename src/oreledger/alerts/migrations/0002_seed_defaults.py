"""Seed the catalogue's default thresholds (docs/reference/rules.md) and deadlines by severity."""

from typing import Any

from django.db import migrations

DEADLINES = {"high": 24, "medium": 72, "low": 24 * 7}


def seed(apps: Any, schema_editor: Any) -> None:
    """Version 1 of every rule with no region (the defaults), and the deadline table."""
    from oreledger.alerts.catalogue import RULES

    RuleVersion = apps.get_model("alerts", "RuleVersion")
    # The rule's number is `number` since alerts 0008 (reseed_catalogues runs this seed on
    # today's models).
    first = {"number" if hasattr(RuleVersion, "number") else "version": 1}
    DeadlinePolicy = apps.get_model("alerts", "DeadlinePolicy")
    for rule in RULES:
        RuleVersion.objects.get_or_create(
            rule=rule.code,
            region=None,
            **first,
            defaults={
                "params": rule.defaults,
                "severity": rule.severity,
                "enabled": True,
                "author_name": "docs/reference/rules.md",
                "note": "docs/reference/rules.md",
            },
        )
    for severity, hours in DEADLINES.items():
        DeadlinePolicy.objects.get_or_create(severity=severity, defaults={"hours": hours})


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
