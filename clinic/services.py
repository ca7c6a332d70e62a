"""Writes to the Basic Setup rows (service types, appointment types): one transaction each,
with its audit entry."""

from django.db import transaction

from clinic.models import AppointmentType, ServiceType
from core import audit


def setup_row_snapshot(row: ServiceType | AppointmentType) -> dict[str, str]:
    snapshot = {"Name": row.name}
    if isinstance(row, AppointmentType):
        snapshot["Default duration"] = f"{row.default_duration_minutes} min"
    snapshot["Active"] = "Yes" if row.is_active else "No"
    return snapshot


@transaction.atomic
def setup_row_save(*, row: ServiceType | AppointmentType, by) -> ServiceType | AppointmentType:
    """Save a new or edited row (its fields already set, as a ModelForm leaves them)."""
    if row.pk is None:
        row.save()
        audit.record(
            clinic_id=row.clinic_id,
            actor=by,
            action="create",
            obj=row,
            changes=audit.diff({}, setup_row_snapshot(row)),
        )
        return row
    # "Before" from the row as stored: the form has already copied the input onto ``row``.
    before = setup_row_snapshot(type(row).objects.get(pk=row.pk))
    changes = audit.diff(before, setup_row_snapshot(row))
    row.save()
    if changes:
        audit.record(clinic_id=row.clinic_id, actor=by, action="update", obj=row, changes=changes)
    return row


@transaction.atomic
def setup_row_delete(*, row: ServiceType | AppointmentType, by) -> None:
    """Delete a row nothing uses (a ProtectedError from the database rolls back the entry)."""
    audit.record(
        clinic_id=row.clinic_id,
        actor=by,
        action="delete",
        obj=row,
        changes=audit.diff(setup_row_snapshot(row), {}),
    )
    row.delete()
