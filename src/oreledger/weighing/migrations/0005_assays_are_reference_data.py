# The site's latest graded assay decides grade_mismatch at the gate (alerts.gate_rules), so
# grading_assay joins the reference data of weighing 0003: any write to it replaces its
# token, in the writer's transaction, and the snapshots kept per process start afresh.

import importlib

from django.db import migrations

BASE = importlib.import_module("oreledger.weighing.migrations.0003_reference_tokens")
TABLES = ["grading_assay"]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            # The function ol_reference_changed() is weighing 0003's.
            schema_editor.execute(
                f"CREATE TRIGGER ol_reference_changed AFTER INSERT OR UPDATE OR DELETE"
                f" OR TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION ol_reference_changed()"
            )
        elif vendor == "sqlite":
            for event in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(BASE.SQLITE_TRIGGER.format(table=table, event=event))
        else:
            raise NotImplementedError(f"reference triggers for {vendor}")


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS ol_reference_changed ON {table}")
        else:
            for event in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS ol_reference_{table}_{event}")


class Migration(migrations.Migration):

    dependencies = [
        ('grading', '0001_initial'),
        ('weighing', '0004_ticket_without_redundant_fk_indexes'),
    ]

    operations = [migrations.RunPython(install, remove)]
