"""No therapist, and no patient, in two overlapping appointments that are not cancelled: an
exclusion constraint on PostgreSQL (btree_gist lets ``=`` and ``<>`` on plain columns sit in a
GiST index beside the time range's ``&&``).

PostgreSQL only, on purpose: SQLite has no exclusion constraints (Django's
``ExclusionConstraint`` raises ``NotSupportedError`` there), and its writers are serialised
(``transaction_mode=IMMEDIATE``), so ``appointment_book`` checks inside its transaction
instead. The constraints are not in the model's ``Meta`` so that the state stays the same on
both databases and ``makemigrations --check`` stays clean; ``tests/scheduling`` checks they exist
on PostgreSQL. Every exclusion constraint leads with ``clinic_id`` (Citus-ready).
"""

from django.db import migrations

CANCELLED = "('patient_cancelled', 'clinic_cancelled')"

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""ALTER TABLE scheduling_appointment ADD CONSTRAINT appointment_no_therapist_overlap
        EXCLUDE USING gist (
            clinic_id WITH =, therapist_id WITH =, tstzrange("start", "end", '[)') WITH &&
        ) WHERE (status NOT IN {CANCELLED})""",
    # Appointments of one visit with several therapists (co-treatment) share ``visit``.
    f"""ALTER TABLE scheduling_appointment ADD CONSTRAINT appointment_no_patient_overlap
        EXCLUDE USING gist (
            clinic_id WITH =, patient_id WITH =, visit WITH <>,
            tstzrange("start", "end", '[)') WITH &&
        ) WHERE (status NOT IN {CANCELLED})""",
]
BACKWARD = [
    "ALTER TABLE scheduling_appointment DROP CONSTRAINT appointment_no_patient_overlap",
    "ALTER TABLE scheduling_appointment DROP CONSTRAINT appointment_no_therapist_overlap",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
