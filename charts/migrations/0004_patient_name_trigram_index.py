"""Patients search by any part of a name through a trigram index (PostgreSQL only).

The search is ``UPPER(name) LIKE UPPER('%word%')`` (Django's ``icontains``), which no B-tree can
serve: at 50,000 patients it scanned the table (22 ms of SQL a search in the bench). A GIN
index of the names' trigrams serves it, led by ``clinic_id`` (``btree_gin``) like every other
index, so that it stays usable once the data is distributed by clinic.

SQLite has no trigram index: there the search keeps scanning the clinic's rows, which is fine
at the sizes SQLite is used for. The index is not declared on the model for the same reason.
"""

from django.db import migrations

INDEX = "charts_patient_name_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON charts_patient USING gin "
        "(clinic_id, (UPPER(first_name::text)) gin_trgm_ops, "
        "(UPPER(last_name::text)) gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("charts", "0003_roles")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
