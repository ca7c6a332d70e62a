"""The schema stays ready to be distributed by clinic (Citus, docs/scaling.md), checked from
PostgreSQL's own catalogue rather than from the models, so that raw SQL indexes, constraints
Django makes implicitly (``unique=True``, foreign-key indexes) and tables added by any app are
all seen.

For every table with a ``clinic_id`` column:

- every unique and exclusion constraint, and every unique index, includes ``clinic_id``: Citus
  can only enforce uniqueness within one shard, i.e. within one clinic;
- every other index includes ``clinic_id`` too, and leads with it (B-tree) so that a lookup
  within one clinic is served by it, and on a distributed table routed to one shard.

The primary key ``id`` is the one exception: it is unique by its sequence, not by lookups within
a clinic; distributing the table rewrites it to ``(clinic_id, id)`` (docs/scaling.md).
PostgreSQL only: SQLite's catalogue says nothing of the kind, and nobody distributes SQLite.
"""

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="reads PostgreSQL's catalogue (pg_catalog)"
    ),
]

# Tables with a clinic_id column that are not distributed by it, and why (docs/scaling.md).
NOT_DISTRIBUTED = {
    # Log-in finds a user by e-mail before anyone knows the clinic, so e-mail addresses are
    # unique across clinics; the users table is a Citus reference table (copied to every node).
    "accounts_user": "log-in looks users up by e-mail across clinics: a reference table",
}

CLINIC_TABLES = """
    SELECT c.oid, c.relname, a.attnum
    FROM pg_class c
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'clinic_id' AND NOT a.attisdropped
    WHERE c.relkind IN ('r', 'p') AND c.relnamespace = 'public'::regnamespace
    ORDER BY c.relname
"""
CONSTRAINTS = """
    SELECT conname, contype, conkey::int[], pg_get_constraintdef(oid)
    FROM pg_constraint
    WHERE conrelid = %s AND contype IN ('u', 'x', 'p')
"""
INDEXES = """
    SELECT i.relname, ix.indkey::int[], ix.indisunique, ix.indisprimary, am.amname,
           pg_get_indexdef(ix.indexrelid)
    FROM pg_index ix
    JOIN pg_class i ON i.oid = ix.indexrelid
    JOIN pg_am am ON am.oid = i.relam
    WHERE ix.indrelid = %s
"""


def _clinic_tables():
    with connection.cursor() as cursor:
        cursor.execute(CLINIC_TABLES)
        return cursor.fetchall()


def test_clinic_owned_tables_are_found():
    """The check below is about something: the product's clinic-owned tables are seen."""
    names = {name for _, name, _ in _clinic_tables()}

    assert {"cases_patientcase", "charts_patient", "charts_dailynote"} <= names
    assert set(NOT_DISTRIBUTED) <= names


def test_every_unique_and_exclusion_constraint_includes_clinic_id():
    problems = []
    for oid, table, clinic in _clinic_tables():
        if table in NOT_DISTRIBUTED:
            continue
        with connection.cursor() as cursor:
            cursor.execute(CONSTRAINTS, [oid])
            for name, kind, columns, definition in cursor.fetchall():
                if kind == "p":
                    continue  # the id sequence; see the module docstring
                if clinic not in columns:
                    problems.append(f"{table}.{name}: {definition}")

    assert not problems, "constraints without clinic_id:\n" + "\n".join(problems)


def test_every_index_on_a_clinic_owned_table_leads_with_clinic_id():
    problems = []
    for oid, table, clinic in _clinic_tables():
        if table in NOT_DISTRIBUTED:
            continue
        with connection.cursor() as cursor:
            cursor.execute(INDEXES, [oid])
            for name, columns, _unique, primary, method, definition in cursor.fetchall():
                if primary:
                    continue
                # A B-tree serves a lookup by its leading columns, so clinic_id must come
                # first; a GIN index (btree_gin) matches each column on its own, so it must
                # merely contain it.
                ok = columns[0] == clinic if method == "btree" else clinic in columns
                if not ok:
                    problems.append(f"{table}.{name}: {definition}")

    assert not problems, "indexes not led by clinic_id:\n" + "\n".join(problems)
