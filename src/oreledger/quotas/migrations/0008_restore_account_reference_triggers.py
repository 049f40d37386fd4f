# On SQLite, quotas 0005 (the freeze columns) rebuilds quotas_quotaaccount, dropping the
# reference-token triggers weighing 0003 put on it whenever the migration plan applies
# weighing 0003 first (weighing 0003 depends only on quotas 0004): a fresh database then
# kept stale quota snapshots in every process. Put them back where they are missing.
# PostgreSQL keeps its triggers through ALTER TABLE, so there is nothing to do there.

from django.db import migrations

# As weighing 0003 installs them: a quota account is reference data on insert and delete
# only (a draw's balance UPDATE must not replace the token on every weighed truck).
TRIGGER = """
CREATE TRIGGER IF NOT EXISTS ol_reference_quotas_quotaaccount_{event}
AFTER {event} ON quotas_quotaaccount
BEGIN
    INSERT INTO weighing_referencetoken (name, token)
    VALUES ('quotas_quotaaccount', lower(hex(randomblob(16))))
    ON CONFLICT (name) DO UPDATE SET token = excluded.token;
END;
"""


def restore(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for event in ("INSERT", "DELETE"):
        schema_editor.execute(TRIGGER.format(event=event))


class Migration(migrations.Migration):

    dependencies = [
        ("quotas", "0007_ledger_entry_federated"),
        ("weighing", "0003_reference_tokens"),
    ]

    operations = [migrations.RunPython(restore, migrations.RunPython.noop)]
