"""The chart-case history moves into the one audit trail (core.AuditEntry): every event is
copied with who, when, what and its words, naming the chart case and its patient; then the
old table goes."""

from django.db import migrations
from django.utils.text import slugify

ACTIONS = {
    "Case added to the chart": "create",
    "Discharged": "discharge",
    "Reopened": "reopen",
    "Addendum added": "addendum",
}
# A signing was recorded on the chart case with the document's name as its details.
SIGNED = {"Daily note signed": "daily note", "Evaluation signed": "evaluation"}


def name_of(user) -> str:
    return f"{user.first_name} {user.last_name}".strip() or user.email


def copy_events(apps, schema_editor):
    ChartCaseEvent = apps.get_model("charts", "ChartCaseEvent")
    AuditEntry = apps.get_model("core", "AuditEntry")
    events = ChartCaseEvent.objects.select_related(
        "by", "chart_case__patient", "chart_case__case"
    ).order_by("pk")
    batch = []
    for event in events.iterator():
        chart_case = event.chart_case
        patient = chart_case.patient
        entry = AuditEntry(
            clinic_id=event.clinic_id,
            at=event.at,
            actor_id=event.by_id,
            actor_name=name_of(event.by),
            patient_id=patient.pk,
            patient_name=f"{patient.first_name} {patient.last_name}",
        )
        if event.action in SIGNED:
            # The document's id was never kept; its name was.
            entry.action = "sign"
            entry.object_type = SIGNED[event.action]
            entry.object_repr = event.details[:300]
            entry.parent_type = "patient chart case"
            entry.parent_id = str(chart_case.pk)
        else:
            entry.action = ACTIONS.get(event.action) or slugify(event.action).replace("-", "_")[:32]
            entry.object_type = "patient chart case"
            entry.object_id = str(chart_case.pk)
            entry.object_repr = f"{entry.patient_name}: {chart_case.case.name}"[:300]
            entry.details = event.details
        batch.append(entry)
        if len(batch) >= 1000:
            AuditEntry.objects.bulk_create(batch)
            batch = []
    AuditEntry.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("charts", "0005_user_foreign_keys_without_own_index"),
        ("core", "0002_audit_parent"),
    ]

    operations = [
        migrations.RunPython(copy_events, migrations.RunPython.noop),
        migrations.DeleteModel(name="ChartCaseEvent"),
    ]
