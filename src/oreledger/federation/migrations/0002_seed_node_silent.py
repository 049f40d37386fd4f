"""Seed version 1 of the alert rule node_silent (issue 20)."""

from typing import Any

from django.db import migrations


def seed(apps: Any, schema_editor: Any) -> None:
    """Version 1 of node_silent with the catalogue's defaults (idempotent)."""
    from oreledger.alerts.catalogue import BY_CODE

    rule = BY_CODE["node_silent"]
    RuleVersion = apps.get_model("alerts", "RuleVersion")
    # The rule's number is `number` since alerts 0008 (reseed_catalogues runs this seed on
    # today's models).
    first = {"number" if hasattr(RuleVersion, "number") else "version": 1}
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


class Migration(migrations.Migration):
    dependencies = [("federation", "0001_initial"), ("alerts", "0007_choices")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
