"""Seed version 1 of the rules added since 0004 (rectification_overdue and
inspection_target_behind, issue 18)."""

from typing import Any

from django.db import migrations


def seed(apps: Any, schema_editor: Any) -> None:
    """Version 1 of every catalogue rule that has none yet (idempotent)."""
    from oreledger.alerts.catalogue import RULES

    RuleVersion = apps.get_model("alerts", "RuleVersion")
    # The rule's number is `number` since alerts 0008 (reseed_catalogues runs this seed on
    # today's models).
    first = {"number" if hasattr(RuleVersion, "number") else "version": 1}
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


class Migration(migrations.Migration):
    dependencies = [("alerts", "0005_appeal_overdue_choices")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
