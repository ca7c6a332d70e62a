"""The case history moves into the one audit trail (core.AuditEntry): every entry is copied,
with who, when, what and the before/after words as they were, then the old table goes."""

from django.db import migrations

ACTIONS = {
    "created": "create",
    "updated": "update",
    "archived": "archive",
    "restored": "restore",
    "deleted": "delete",
}


def name_of(user) -> str:
    return f"{user.first_name} {user.last_name}".strip() or user.email


def copy_history(apps, schema_editor):
    CaseHistoryEntry = apps.get_model("cases", "CaseHistoryEntry")
    AuditEntry = apps.get_model("core", "AuditEntry")
    batch = []
    for entry in CaseHistoryEntry.objects.select_related("changed_by").order_by("pk").iterator():
        batch.append(
            AuditEntry(
                clinic_id=entry.clinic_id,
                at=entry.changed_at,
                actor_id=entry.changed_by_id,
                actor_name=name_of(entry.changed_by),
                action=ACTIONS.get(entry.action, entry.action),
                object_type="patient case",
                object_id=str(entry.case_pk),
                object_repr=entry.case_name,
                changes=entry.changes,
                details=f"Version {entry.version}",
            )
        )
        if len(batch) >= 1000:
            AuditEntry.objects.bulk_create(batch)
            batch = []
    AuditEntry.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_user_foreign_keys_without_own_index"),
        ("core", "0002_audit_parent"),
    ]

    operations = [
        migrations.RunPython(copy_history, migrations.RunPython.noop),
        migrations.DeleteModel(name="CaseHistoryEntry"),
    ]
