# A county's blacklisting bars its plate at every weighbridge (weighing.rules), so
# registry_vehicleblacklisting joins the reference data of weighing 0003: any write to it
# replaces its token, in the writer's transaction, and the snapshots kept per process start
# afresh.

import importlib

from django.db import migrations

BASE = importlib.import_module("oreledger.weighing.migrations.0003_reference_tokens")
TABLES = ["registry_vehicleblacklisting"]


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
        ('registry', '0004_county_blacklisting'),
        ('weighing', '0006_ticket_keyed'),
    ]

    operations = [migrations.RunPython(install, remove)]
